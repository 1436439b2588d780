"""A CRM value that cannot be read is no value: the sync goes on for every other company."""

from decimal import Decimal

import pytest

from crm.providers.hubspot import parse_arr, parse_date


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-5", "1e13", "12 thousand", ""])
def test_an_arr_that_is_not_a_plausible_amount_is_no_value(value):
    assert parse_arr(value) is None


def test_a_plain_arr_is_read_with_its_thousands_separators():
    assert parse_arr("1,250,000.5") == Decimal("1250000.50")


@pytest.mark.parametrize("value", ["99999999999999999999", "2026-13-40", "soon"])
def test_a_renewal_date_out_of_any_calendar_is_no_value(value):
    assert parse_date(value) is None
