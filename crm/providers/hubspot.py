"""HubSpot through its official client (`hubspot-api-client`), CRM v3 companies and owners.

`HUBSPOT_API_URL` is the client's `host` (tests point it at a local fake HubSpot);
`HUBSPOT_ACCESS_TOKEN` is a private app's token with the companies and owners read scopes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import hubspot
from django.conf import settings
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.owners import ApiException as OwnersApiException
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from intake.models import Organization

from . import CrmCompany, CrmError, Mapping

PAGE_SIZE = 100  # the most the companies and owners APIs return per page
PLAN_BY_WORD = {
    **{value: value for value, _ in Organization.Plan.choices},
    **{label.lower(): value for value, label in Organization.Plan.choices},
}


def _client() -> hubspot.Client:
    if not settings.HUBSPOT_ACCESS_TOKEN:
        raise CrmError("HUBSPOT_ACCESS_TOKEN is not set.")
    # A short outage or a rate limit is waited out (honouring Retry-After); a longer one fails
    # the run, which changes nothing, and the next run repeats it.
    retry = Retry(
        total=settings.CRM_RETRY_ATTEMPTS,
        backoff_factor=settings.CRM_BACKOFF_SECONDS,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    return hubspot.Client.create(
        access_token=settings.HUBSPOT_ACCESS_TOKEN,
        host=settings.HUBSPOT_API_URL.rstrip("/"),
        retry=retry,
    )


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    reason = getattr(exc, "reason", None) or exc.__class__.__name__
    return f"HubSpot answered {status} {reason}" if status else f"HubSpot unreachable: {reason}"


ARR_LIMIT = Decimal("1e12")  # Organization.arr has 14 digits, 2 of them decimals


def parse_arr(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        arr = Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    # "NaN", "Infinity" or more than an organization's ARR column holds: no value, not a crash.
    return arr if arr.is_finite() and 0 <= arr < ARR_LIMIT else None


def parse_date(value: str | None) -> date | None:
    """HubSpot date properties come as "2026-03-01", an ISO datetime or epoch milliseconds."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        try:
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_plan(value: str | None) -> str | None:
    """A plan word the product knows ("Enterprise", "business"); anything else is no value."""
    if not value:
        return None
    return PLAN_BY_WORD.get(str(value).strip().lower())


def _domains(properties: dict) -> tuple[str, ...]:
    found = [properties.get("domain") or ""]
    found += (properties.get("hs_additional_domains") or "").split(";")
    cleaned = []
    for domain in found:
        domain = domain.strip().lower().removeprefix("www.")
        if domain and domain not in cleaned:
            cleaned.append(domain)
    return tuple(cleaned)


class HubSpotProvider:
    def __init__(self) -> None:
        self.client = _client()

    def owners(self) -> dict[str, tuple[str, str]]:
        """Owner id → (name, e-mail), every page of the owners API."""
        found, after = {}, None
        while True:
            try:
                page = self.client.crm.owners.owners_api.get_page(limit=PAGE_SIZE, after=after)
            except (OwnersApiException, HTTPError) as exc:
                raise CrmError(_describe(exc)) from exc
            for owner in page.results:
                name = " ".join(p for p in (owner.first_name, owner.last_name) if p)
                found[str(owner.id)] = (name, owner.email or "")
            if not (page.paging and page.paging.next and page.paging.next.after):
                return found
            after = page.paging.next.after

    def companies(self, mapping: Mapping) -> Iterator[CrmCompany]:
        owners = self.owners()
        properties = sorted(
            {"name", "domain", "hs_additional_domains", "hubspot_owner_id"}
            | {p for p in (mapping.arr_property, mapping.plan_property, mapping.renewal_property)}
            - {""}
        )
        after = None
        while True:
            try:
                page = self.client.crm.companies.basic_api.get_page(
                    limit=PAGE_SIZE, after=after, properties=properties, archived=False
                )
            except (CompaniesApiException, HTTPError) as exc:
                raise CrmError(_describe(exc)) from exc
            for company in page.results:
                props = company.properties or {}
                owner = str(props.get("hubspot_owner_id") or "")
                owner_name, owner_email = owners.get(owner, ("", ""))
                yield CrmCompany(
                    crm_id=str(company.id),
                    name=(props.get("name") or "").strip(),
                    domains=_domains(props),
                    # A blank property name (the CRM supplies no such value) reads as None.
                    plan=parse_plan(props.get(mapping.plan_property)),
                    arr=parse_arr(props.get(mapping.arr_property)),
                    renewal_date=parse_date(props.get(mapping.renewal_property)),
                    owner_name=owner_name,
                    owner_email=owner_email,
                )
            if not (page.paging and page.paging.next and page.paging.next.after):
                return
            after = page.paging.next.after
