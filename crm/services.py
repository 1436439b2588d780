"""The CRM sync: organizations' plan, ARR, renewal date and account owner follow the CRM.

Matching is by CRM id, then any domain, then name (case-insensitive, trimmed); an organization
already made by a sales note is linked, never duplicated. The CRM is the source of truth for
what it holds; where it has no value, the PM's manual value stays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from intake import events
from intake.models import Organization, OrganizationDomain, Signal

from .models import CrmConnection
from .providers import CrmCompany, CrmError, Mapping, get_provider

logger = logging.getLogger(__name__)

# Organization field → the CrmCompany attribute that supplies it.
SYNCED = {
    "plan": "plan",
    "arr": "arr",
    "renewal_date": "renewal_date",
    "account_owner_name": "owner_name",
    "account_owner_email": "owner_email",
}
# A change in these moves the scores of the ideas the organization asked for (renewals are
# read live by the explanation, so a new renewal date needs no rescore).
RESCORED = {"plan", "arr"}
BATCH = 1000


@dataclass
class SyncResult:
    provider: str
    companies: int = 0
    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def summary(self) -> str:
        if self.error:
            return f"{self.provider}: failed, nothing changed: {self.error}"
        return (
            f"{self.provider}: {self.companies} companies, {len(self.created)} organizations "
            f"created, {len(self.linked)} linked, {len(self.changes)} values changed, "
            f"{len(self.skipped)} skipped."
        )

    def lines(self) -> list[str]:
        return (
            [f"created {name}" for name in self.created]
            + [f"linked {line}" for line in self.linked]
            + self.changes
            + [f"skipped {line}" for line in self.skipped]
            + [self.summary]
        )


def _key(name: str) -> str:
    return name.strip().lower()


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def sync_connection(*, connection: CrmConnection) -> SyncResult:
    """Read every company, then apply them all in one transaction; record the run's health.

    Reading comes first: a CRM outage or rate limit mid-read changes nothing (no company
    half-applied, no organization half-created), is recorded as the run's error, and the next
    run repeats from the start, which is safe because matching never duplicates.
    """
    result = SyncResult(provider=connection.provider)
    mapping = Mapping(
        arr_property=connection.arr_property,
        plan_property=connection.plan_property,
        renewal_property=connection.renewal_property,
    )
    now = timezone.now()
    try:
        companies = list(get_provider(connection.provider).companies(mapping))
    except CrmError as exc:
        result.error = str(exc)
        logger.warning("CRM sync of %s failed: %s", connection.provider, exc)
        CrmConnection.objects.filter(pk=connection.pk).update(
            last_run_at=now, last_error=result.error, last_summary=result.summary
        )
        return result
    result.companies = len(companies)
    with transaction.atomic():
        apply_companies(companies, result=result)
        CrmConnection.objects.filter(pk=connection.pk).update(
            last_run_at=now, last_success_at=now, last_error="", last_summary=result.summary
        )
    return result


def sync_all() -> list[SyncResult]:
    """One sync of every enabled CRM connection (as beat runs it, and `sync_crm`)."""
    return [
        sync_connection(connection=connection)
        for connection in CrmConnection.objects.filter(enabled=True).order_by("pk")
    ]


def apply_companies(companies: list[CrmCompany], *, result: SyncResult) -> None:
    """Match and update organizations from CRM companies, in batches of constant queries.

    Call inside a transaction. Records `organization.crm_synced` with the ideas whose
    organizations' plan or ARR changed, so their scores follow.
    """
    seen: set[str] = set()
    unique = []
    for company in companies:
        if company.crm_id not in seen:
            seen.add(company.crm_id)
            unique.append(company)
    moved: set[int] = set()
    for start in range(0, len(unique), BATCH):
        moved |= _apply_batch(unique[start : start + BATCH], result=result)
    if moved:
        idea_ids = sorted(
            Signal.objects.filter(organization_id__in=moved, idea__isnull=False)
            .values_list("idea_id", flat=True)
            .distinct()
        )
        if idea_ids:
            events.record("organization.crm_synced", idea_ids=idea_ids)


def _apply_batch(companies: list[CrmCompany], *, result: SyncResult) -> set[int]:
    """Returns the ids of organizations whose plan or ARR changed."""
    ids = [c.crm_id for c in companies]
    domains = {d for c in companies for d in c.domains}
    names = {_key(c.name) for c in companies if c.name}
    by_id = {o.crm_id: o for o in Organization.objects.filter(crm_id__in=ids)}
    by_domain = {
        d.domain: d.organization
        for d in OrganizationDomain.objects.filter(domain__in=domains).select_related(
            "organization"
        )
    }
    by_name = {
        o.key: o
        for o in Organization.objects.annotate(key=Lower(Trim("name"))).filter(key__in=names)
    }
    taken_domains = set(by_domain)
    now = timezone.now()
    matched: dict[int, Organization] = {}
    touched: dict[int, Organization] = {}
    touched_fields: set[str] = set()
    new: list[tuple[Organization, CrmCompany]] = []
    moved: set[int] = set()
    claimed: set[int] = set()
    for company in companies:
        org = by_id.get(company.crm_id)
        if org is None:
            org = next((by_domain[d] for d in company.domains if d in by_domain), None)
            if org is None and company.name:
                org = by_name.get(_key(company.name))
            if org is not None and org.crm_id and org.crm_id != company.crm_id:
                # Already linked to another CRM company: never take it over.
                result.skipped.append(
                    f"{company.name or company.crm_id}: its match {org.name} is CRM id {org.crm_id}"
                )
                continue
            if org is not None and org.pk in claimed:
                result.skipped.append(
                    f"{company.name or company.crm_id}: {org.name} matched another company"
                )
                continue
            if org is not None:
                org.crm_id = company.crm_id
                result.linked.append(f"{org.name} to CRM id {company.crm_id}")
        if org is None:
            if not company.name:
                result.skipped.append(f"CRM id {company.crm_id}: no name")
                continue
            org = Organization(name=company.name[:200], crm_id=company.crm_id)
            by_name[_key(company.name)] = org
            new.append((org, company))
            continue
        claimed.add(org.pk)
        linked_now = org.crm_synced_at is None
        before = list(org.crm_fields)
        changed = _update(org, company, result=result)
        # A first sync also moves scores: from then on the organization's ARR counts, not
        # its sales notes' figures (scoring.selectors.organizations_by_kind).
        if changed & RESCORED or linked_now:
            moved.add(org.pk)
        matched[org.pk] = org
        if changed or linked_now or org.crm_fields != before:
            # Only what changed is written: an idle sync of 10,000 companies writes nothing.
            org.crm_synced_at = now
            touched[org.pk] = org
            touched_fields |= changed
    if touched:
        Organization.objects.bulk_update(
            touched.values(),
            ["crm_id", *sorted(touched_fields), "crm_fields", "crm_synced_at"],
            batch_size=200,
        )
    if new:
        for org, company in new:
            _update(org, company, result=None)
            org.crm_synced_at = now
        Organization.objects.bulk_create([org for org, _ in new], batch_size=500)
        # bulk_create sets pks on PostgreSQL only; read them back by CRM id everywhere.
        pks = dict(
            Organization.objects.filter(crm_id__in=[o.crm_id for o, _ in new]).values_list(
                "crm_id", "pk"
            )
        )
        for org, _ in new:
            org.pk = pks[org.crm_id]
            result.created.append(org.name)
    linked = {o.crm_id: o for o in matched.values()} | {o.crm_id: o for o, _ in new}
    domain_rows = []
    for company in companies:
        org = linked.get(company.crm_id)
        for domain in company.domains if org is not None else ():
            if domain not in taken_domains:
                taken_domains.add(domain)
                domain_rows.append(OrganizationDomain(organization_id=org.pk, domain=domain))
    if domain_rows:
        OrganizationDomain.objects.bulk_create(domain_rows, ignore_conflicts=True)
    return moved


def _update(org: Organization, company: CrmCompany, *, result: SyncResult | None) -> set[str]:
    """Take what the CRM holds; keep the manual value where it has none. Returns the fields
    that changed."""
    supplied, changed = [], set()
    for field_name, attr in SYNCED.items():
        value = getattr(company, attr)
        if value is None or value == "":
            continue
        supplied.append(field_name)
        old = getattr(org, field_name)
        if isinstance(value, Decimal) and old is not None:
            same = Decimal(old) == value
        else:
            same = old == value
        if same:
            continue
        setattr(org, field_name, value)
        if result is not None:
            result.changes.append(f"{org.name}: {field_name} {_shown(old)} → {_shown(value)}")
        changed.add(field_name)
    org.crm_fields = supplied
    return changed
