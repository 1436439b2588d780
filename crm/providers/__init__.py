"""The CRM providers: one small interface, one module per CRM, chosen by a registry.

A provider reads every company with the properties a `Mapping` names and returns plain
`CrmCompany` dataclasses; everything after that (matching, what changes) is the sync service's.
Adding Salesforce (`simple-salesforce`) means one module with a class like `HubSpotProvider`
and one line in `PROVIDERS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.utils.module_loading import import_string

PROVIDERS: dict[str, str] = {
    "hubspot": "crm.providers.hubspot.HubSpotProvider",
}


@dataclass(frozen=True)
class Mapping:
    """Which CRM property holds each value (set in the admin, on the CRM connection)."""

    arr_property: str
    plan_property: str
    renewal_property: str


@dataclass(frozen=True)
class CrmCompany:
    """One company as the CRM holds it; None (or "") where the CRM has no value."""

    crm_id: str
    name: str
    domains: tuple[str, ...] = ()
    plan: str | None = None
    arr: Decimal | None = None
    renewal_date: date | None = None
    owner_name: str = ""
    owner_email: str = ""


class CrmError(Exception):
    """The CRM could not be read to the end (outage, rate limit, bad credentials)."""


class CrmProvider(Protocol):
    def companies(self, mapping: Mapping) -> Iterator[CrmCompany]:
        """Every company, page after page; raises CrmError if a page cannot be read."""
        ...


def get_provider(name: str) -> CrmProvider:
    if name not in PROVIDERS:
        raise ValueError(f"Unknown CRM “{name}”: list it in crm.providers.PROVIDERS.")
    return import_string(PROVIDERS[name])()
