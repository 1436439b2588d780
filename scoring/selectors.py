"""Reads for scoring: the policy in force and the demand aggregates, a few GROUP BY queries."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection

from intake.models import Idea, Signal

from .models import BridgeCriterion, ScoringPolicy


def current_policy() -> ScoringPolicy:
    """The newest policy version; the defaults (version 1) if none was ever saved."""
    policy = ScoringPolicy.objects.order_by("-version").first()
    if policy is None:
        policy, _ = ScoringPolicy.objects.get_or_create(version=1)
    return policy


def _idea_filter(column: str, idea_ids: list[int] | None) -> tuple[str, list]:
    if idea_ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(idea_ids))})", list(idea_ids)


def people_by_kind(idea_ids: list[int] | None = None) -> list[tuple]:
    """(idea id, source kind, distinct people, Σ each person's highest importance, votes).

    A person is the author's e-mail, else the author's name, within one source kind: one author
    asking a hundred times counts once, at the importance of their weightiest signal. Signals
    of importance 0 (noise) count for nothing.
    """
    where, params = _idea_filter("idea_id", idea_ids)
    sql = f"""
        SELECT p.idea_id, p.source, COUNT(*), SUM(p.importance), SUM(p.votes)
        FROM (
            SELECT idea_id, source,
                   COALESCE(NULLIF(LOWER(author_email), ''), LOWER(author)) AS person,
                   MAX(importance) AS importance, SUM(votes) AS votes
            FROM intake_signal
            WHERE idea_id IS NOT NULL AND importance > 0{where}
            GROUP BY idea_id, source, COALESCE(NULLIF(LOWER(author_email), ''), LOWER(author))
        ) p
        GROUP BY p.idea_id, p.source
    """  # noqa: S608 - only placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def organizations_by_kind(idea_ids: list[int] | None = None) -> list[tuple]:
    """(idea id, source kind, organization id, highest importance, ARR at stake, plan).

    The ARR at stake is the organization's current ARR once it follows the CRM (synced, and
    the CRM or a PM gave it one); before that, the highest figure its sales notes recorded.
    """
    where, params = _idea_filter("s.idea_id", idea_ids)
    sql = f"""
        SELECT s.idea_id, s.source, s.organization_id, MAX(s.importance),
               CASE WHEN o.crm_synced_at IS NOT NULL AND o.arr > 0 THEN o.arr
                    ELSE MAX(COALESCE(s.arr_at_stake, 0)) END,
               o.plan
        FROM intake_signal s
        JOIN intake_organization o ON o.id = s.organization_id
        WHERE s.idea_id IS NOT NULL AND s.importance > 0{where}
        GROUP BY s.idea_id, s.source, s.organization_id, o.plan, o.arr, o.crm_synced_at
    """  # noqa: S608 - only placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ideas_to_score(idea_ids: list[int] | None = None) -> list[tuple]:
    """(id, pillar, impact, status, merged into, motions from sources, plg, pls, enterprise)."""
    where, params = _idea_filter("id", idea_ids)
    columns = (
        "id, pillar, impact, status, merged_into_id, motions_from_sources, serves_plg, "
        "serves_pls, serves_enterprise"
    )
    sql = f"SELECT {columns} FROM intake_idea WHERE 1 = 1{where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bridge_ticks(idea_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """(idea id, criterion id) for every active criterion ticked on an idea."""
    through = Idea.bridge_criteria.through.objects.filter(bridgecriterion__active=True)
    if idea_ids is not None:
        through = through.filter(idea_id__in=idea_ids)
    return list(through.order_by().values_list("idea_id", "bridgecriterion_id"))


def active_criteria() -> dict[int, BridgeCriterion]:
    return {c.pk: c for c in BridgeCriterion.objects.filter(active=True)}


def policy_versions() -> Iterable[ScoringPolicy]:
    return ScoringPolicy.objects.order_by("-version")


def rank_of(idea: Idea) -> int:
    """The idea's place in the backlog (1 = top), among ideas that are not merged."""
    higher = Idea.objects.exclude(status=Idea.Status.MERGED).filter(score__gt=idea.score).count()
    return higher + 1


def renewals_soon(idea_ids: list[int], *, today: date, days: int = 90) -> dict[int, list]:
    """Idea id → [(organization name, days until renewal)] for the organizations among its
    signals renewing within `days` of `today`, soonest first: one query for any number of
    ideas. Internal only: it names customers."""
    if not idea_ids:
        return {}
    rows = (
        Signal.objects.filter(
            idea_id__in=idea_ids,
            organization__renewal_date__gte=today,
            organization__renewal_date__lte=today + timedelta(days=days),
        )
        .values_list("idea_id", "organization__name", "organization__renewal_date")
        .distinct()
        .order_by("idea_id", "organization__renewal_date", "organization__name")
    )
    found: dict[int, list] = {}
    for idea_id, name, renewal in rows:
        found.setdefault(idea_id, []).append((name, (renewal - today).days))
    return found
