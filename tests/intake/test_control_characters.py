"""Control characters are refused in what people type and stored nowhere."""

import pytest
from django.urls import reverse

from intake.models import Idea, Signal
from intake.text import control_characters, strip_control_characters
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\x13\x13", ["\x13"]),
        ("a\x00b", ["\x00"]),
        ("esc\x1b[2J", ["\x1b"]),
        ("c1\x85\x9b", ["\x85", "\x9b"]),
        ("del\x7f", ["\x7f"]),
        ("tab\tnew\nline\r\n", []),
        ("Ünïcödé ✓ \u200b \u2028", []),
    ],
)
def test_control_characters_are_found_except_tab_newline_and_return(text, expected):
    assert control_characters(text) == expected
    assert control_characters(strip_control_characters(text)) == []


def test_stripping_keeps_tabs_and_newlines():
    assert strip_control_characters("a\x00\tb\n\x1bc\x9f") == "a\tb\nc"


def test_a_title_of_control_characters_is_a_field_error(client, employee):
    client.force_login(employee)
    response = client.post(reverse("submit"), {"title": "Dark\x13\x13 mode", "pillar": "feature"})
    assert response.status_code == 400
    assert "U+0013" in str(response.context["form"].errors["title"])
    assert not Idea.objects.exists()


def test_a_description_with_a_nul_is_a_field_error(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("submit"), {"title": "Dark mode", "description": "x\x00y", "pillar": "feature"}
    )
    assert "U+0000" in str(response.context["form"].errors["description"])
    assert not Signal.objects.exists()


def test_customer_words_with_terminal_escapes_are_refused_on_the_sales_form(client, sales_rep):
    organization = OrganizationFactory()
    client.force_login(sales_rep)
    response = client.post(
        reverse("submit-sales"),
        {"organization": organization.pk, "title": "SCIM", "words": "\x1b[31mnow\x1b[0m",
         "deal_stage": "open", "urgency": "important"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "U+001B" in str(response.context["form"].errors["words"])
    assert not Signal.objects.exists()


def test_text_with_tabs_newlines_and_unicode_is_accepted(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("submit"),
        {"title": "Mode sombre ✓", "description": "Line one\r\n\tLine two", "pillar": "feature"},
    )
    assert response.status_code == 302
    assert Idea.objects.get().title == "Mode sombre ✓"
