"""Scores: computed set-based from a few GROUP BY queries, written in one UPDATE.

The score of an idea is a pure function of its triage fields, its signals and the policy in
force, so recomputing is always safe, unmerge restores scores exactly, and a policy change can
rescore the whole backlog at once.
"""

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from itertools import product

from django.db import connection, transaction

from intake import demand, events
from intake.models import Idea, Organization, Signal

from . import selectors
from .models import BridgeCriterion, IdeaDemand, ScoringPolicy

COMMUNITY_SOURCES = frozenset(
    {Signal.Source.GITHUB_ISSUE, Signal.Source.GITHUB_DISCUSSION, Signal.Source.REDDIT_POST}
)
# When an organization asked through several kinds, its weight goes to the first of these, so
# that it is counted once; a sales note carries the most context.
KIND_ORDER = [
    Signal.Source.SALES, Signal.Source.ZENDESK, Signal.Source.CUSTOMER_PORTAL,
    Signal.Source.SLACK, Signal.Source.API, Signal.Source.EMPLOYEE, Signal.Source.GITHUB_ISSUE,
    Signal.Source.GITHUB_DISCUSSION, Signal.Source.REDDIT_POST,
]  # fmt: skip
KIND_RANK = {kind: n for n, kind in enumerate(KIND_ORDER)}
MOTIONS = ("plg", "pls", "enterprise")


class _Kind:
    """What one source kind contributes to one idea's demand, before any policy weight."""

    __slots__ = (
        "people", "people_weight", "votes", "orgs", "orgs_weight", "arr", "enterprise", "paying",
    )  # fmt: skip

    def __init__(self, people=0, people_weight=0, votes=0, orgs=0, orgs_weight=0, arr=0.0,
                 enterprise=False, paying=False):  # fmt: skip
        self.people, self.people_weight, self.votes = people, people_weight, votes
        self.orgs, self.orgs_weight, self.arr = orgs, orgs_weight, arr
        self.enterprise, self.paying = enterprise, paying


def aggregate_demand(idea_ids: list[int] | None = None) -> dict[int, dict[str, _Kind]]:
    """Count demand from the signals themselves: two GROUP BY queries for any number of ideas."""
    kinds: dict[int, dict[str, _Kind]] = defaultdict(dict)
    for idea_id, source, people, weight, votes in selectors.people_by_kind(idea_ids):
        kinds[idea_id][source] = _Kind(people, int(weight), int(votes or 0))
    # One organization counts once per idea, however many kinds it asked through.
    org_best: dict[tuple[int, int], tuple] = {}
    org_arr: dict[tuple[int, int], float] = defaultdict(float)
    for idea_id, source, org_id, importance, arr, plan in selectors.organizations_by_kind(idea_ids):
        key = (idea_id, org_id)
        rank = (-importance, KIND_RANK.get(source, 99))
        if key not in org_best or rank < org_best[key][0]:
            org_best[key] = (rank, source, importance, plan)
        org_arr[key] = max(org_arr[key], float(arr or 0))
    for (idea_id, org_id), (_, source, importance, plan) in org_best.items():
        k = kinds[idea_id].setdefault(source, _Kind())
        k.orgs += 1
        k.orgs_weight += importance
        if plan == Organization.Plan.ENTERPRISE:
            k.enterprise = True
        else:
            k.paying = True
        arr = org_arr[(idea_id, org_id)]
        if arr:
            kinds[idea_id].setdefault(Signal.Source.SALES, _Kind()).arr += arr
    return kinds


DEMAND_COLUMNS = (
    "idea_id", "kind", "people", "people_weight", "votes", "organizations",
    "organizations_weight", "arr", "enterprise", "paying",
)  # fmt: skip


def _store_demand(idea_ids: list[int] | None, kinds: dict[int, dict[str, _Kind]]) -> None:
    rows = [
        (idea_id, kind, k.people, k.people_weight, k.votes, k.orgs, k.orgs_weight, k.arr,
         k.enterprise, k.paying)
        for idea_id, by_kind in kinds.items()
        for kind, k in by_kind.items()
    ]  # fmt: skip
    stale = IdeaDemand.objects.all()
    if idea_ids is not None:
        stale = stale.filter(idea_id__in=idea_ids)
    stale.delete()
    columns = ", ".join(DEMAND_COLUMNS)
    placeholders = ", ".join(["%s"] * len(DEMAND_COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY scoring_ideademand ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), 10000):
            cursor.executemany(
                f"INSERT INTO scoring_ideademand ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows[start : start + 10000],
            )


def _load_demand() -> dict[int, dict[str, _Kind]]:
    kinds: dict[int, dict[str, _Kind]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(DEMAND_COLUMNS)} FROM scoring_ideademand")  # noqa: S608
        while rows := cursor.fetchmany(20000):
            for row in rows:
                kinds[row[0]][row[1]] = _Kind(*row[2:])
    return kinds


class _Weigher:
    """Turns per-kind counts into points under one policy, remembering repeated counts (most
    ideas share a handful of small counts, and a policy change reweighs all of them)."""

    def __init__(self, policy: ScoringPolicy):
        self.policy = policy
        self.memo: dict[tuple, tuple] = {}

    def kind_points(self, k: _Kind) -> tuple[float, float, float, float]:
        key = (k.people_weight, k.orgs_weight, k.arr, k.votes)
        points = self.memo.get(key)
        if points is None:
            p = self.policy
            points = self.memo[key] = (
                p.people_points * math.log2(1 + k.people_weight),
                p.organization_points * math.log2(1 + k.orgs_weight),
                p.arr_points * math.log10(1 + k.arr / 1000),
                p.votes_points * min(p.votes_cap, math.log10(1 + k.votes)),
            )
        return points

    def demand(self, kinds: dict[str, _Kind]) -> tuple[float, str]:
        """Flatten each count, cap any one kind's share, add points per distinct kind.

        Returns the points and the breakdown's members as JSON text: this runs for every idea
        on a policy change, and formatting text directly costs a fraction of dicts + dumps.
        """
        policy = self.policy
        raws, people, orgs, arr_pts, votes_pts = [], 0.0, 0.0, 0.0, 0.0
        n_people = w_people = n_orgs = w_orgs = votes = 0
        arr = 0.0
        for kind in sorted(kinds, key=KIND_RANK.__getitem__):
            k = kinds[kind]
            p, o, a, v = self.kind_points(k)
            people, orgs, arr_pts, votes_pts = people + p, orgs + o, arr_pts + a, votes_pts + v
            raws.append((kind, p + o + a + v))
            n_people += k.people
            w_people += k.people_weight
            n_orgs += k.orgs
            w_orgs += k.orgs_weight
            arr += k.arr
            votes += k.votes
        raw = people + orgs + arr_pts + votes_pts
        cap = policy.max_source_share * raw
        counted = 0.0
        by_kind = []
        for kind, value in raws:
            kept = value if value < cap else cap
            counted += kept
            by_kind.append(f'"{kind}":{{"raw":{value:.2f},"counted":{kept:.2f}}}')
        kind_points = policy.source_kind_points * len(kinds)
        points = round(counted + kind_points, 2)
        text = (
            f'"people":{n_people},"people_weighted":{w_people},"organizations":{n_orgs},'
            f'"organizations_weighted":{w_orgs},"arr_at_stake":{arr:.2f},"votes":{votes},'
            f'"components":{{"people":{people:.2f},"organizations":{orgs:.2f},'
            f'"arr":{arr_pts:.2f},"votes":{votes_pts:.2f}}},"by_kind":{{{",".join(by_kind)}}},'
            f'"raw":{raw:.2f},"cap_share":{policy.max_source_share:.4f},'
            f'"source_kind_points":{kind_points:.2f},"points":{points:.2f}'
        )
        return points, text


def compute_scores(
    idea_ids: list[int] | None,
    *,
    kinds: dict[int, dict[str, _Kind]],
    policy: ScoringPolicy | None = None,
) -> list[tuple]:
    """(id, score, breakdown as JSON text, policy version, plg, pls, enterprise) for each idea
    (or for all when `idea_ids` is None)."""
    policy = policy or selectors.current_policy()
    pillars, impacts = policy.pillar_weights(), policy.impact_multipliers()
    criteria = selectors.active_criteria()
    ticks = defaultdict(list)
    for idea_id, criterion_id in selectors.bridge_ticks(idea_ids):
        ticks[idea_id].append(criterion_id)
    no_kinds: dict[str, _Kind] = {}
    weigher = _Weigher(policy)
    names = {pk: json.dumps(c.name) for pk, c in criteria.items()}
    motions_json = {
        flags: ",".join(f'"{m}"' for m, on in zip(MOTIONS, flags, strict=True) if on)
        for flags in product((False, True), repeat=3)
    }
    version = policy.version
    rows = []
    for (
        idea_id, pillar, impact, status, merged_into, from_sources, plg, pls, ent,
    ) in selectors.ideas_to_score(idea_ids):  # fmt: skip
        by_kind = kinds.get(idea_id, no_kinds)
        if from_sources:
            plg = any(kind in COMMUNITY_SOURCES for kind in by_kind)
            ent = any(k.enterprise for k in by_kind.values())
            pls = any(k.paying for k in by_kind.values())
        plg, pls, ent = bool(plg), bool(pls), bool(ent)
        if status == Idea.Status.MERGED:
            # Its signals now count on the survivor; unmerge brings them (and the score) back.
            text = f'{{"version":{version},"total":0.0,"merged_into":{int(merged_into)}}}'
            rows.append((idea_id, 0.0, text, version, plg, pls, ent))
            continue
        pillar_weight, multiplier = pillars.get(pillar, 0), impacts.get(impact, 1)
        fit = pillar_weight * multiplier
        met = sorted(ticks.get(idea_id, ()), key=lambda c: criteria[c].name)
        bridge = sum(criteria[c].weight for c in met)
        demand, demand_text = weigher.demand(by_kind)
        fit_w = policy.fit_weight * fit
        bridge_w = policy.bridge_weight * bridge
        demand_w = policy.demand_weight * demand
        total = round(fit_w + bridge_w + demand_w, 2)
        met_text = ",".join(f"[{names[c]},{criteria[c].weight:.2f}]" for c in met)
        text = (
            f'{{"version":{version},"total":{total:.2f},"fit":{{"pillar":{json.dumps(pillar)},'
            f'"pillar_weight":{pillar_weight:.2f},"impact":{int(impact)},'
            f'"impact_multiplier":{multiplier:.2f},"points":{fit:.2f},"weighted":{fit_w:.2f}}},'
            f'"bridge":{{"criteria":[{met_text}],"points":{bridge:.2f},'
            f'"weighted":{bridge_w:.2f}}},"demand":{{{demand_text},"weighted":{demand_w:.2f}}},'
            f'"motions":[{motions_json[(plg, pls, ent)]}]}}'
        )
        rows.append((idea_id, total, text, version, plg, pls, ent))
    return rows


def _write(rows: list[tuple]) -> None:
    """Write every row with one UPDATE ... FROM a temporary table (PostgreSQL and SQLite)."""
    if not rows:
        return
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scoring_new")
        if postgres:
            cursor.execute(
                "CREATE TEMP TABLE scoring_new (id bigint PRIMARY KEY, score double precision, "
                "breakdown jsonb, version integer, plg boolean, pls boolean, ent boolean) "
                "ON COMMIT DROP"
            )
            with cursor.cursor.copy(
                "COPY scoring_new (id, score, breakdown, version, plg, pls, ent) FROM STDIN"
            ) as copy:
                for idea_id, score, breakdown, version, plg, pls, ent in rows:
                    copy.write_row(
                        (
                            idea_id,
                            score,
                            breakdown,
                            version,
                            plg,
                            pls,
                            ent,
                        )
                    )
        else:
            cursor.execute(
                "CREATE TEMP TABLE scoring_new (id INTEGER PRIMARY KEY, score REAL, "
                "breakdown TEXT, version INTEGER, plg INTEGER, pls INTEGER, ent INTEGER)"
            )
            cursor.executemany(
                "INSERT INTO scoring_new VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(i, s, b, v, bool(p1), bool(p2), bool(e)) for i, s, b, v, p1, p2, e in rows],
            )
        cursor.execute(
            "UPDATE intake_idea SET score = n.score, score_breakdown = n.breakdown, "
            "score_policy_version = n.version, serves_plg = n.plg, serves_pls = n.pls, "
            "serves_enterprise = n.ent FROM scoring_new n WHERE intake_idea.id = n.id"
        )
        if not postgres:
            cursor.execute("DROP TABLE scoring_new")


def rescore_ideas(*, idea_ids: Iterable[int]) -> int:
    """Recount these ideas' demand from their signals and store their scores; returns how
    many were written."""
    idea_ids = sorted({int(i) for i in idea_ids})
    if not idea_ids:
        return 0
    return _recount_and_rescore(idea_ids)


def rescore_all() -> int:
    """Recount every idea's demand from the signals (the score's and the lists' counts) and
    rescore it, set-based."""
    demand.recount_all()
    return _recount_and_rescore(None)


def _recount_and_rescore(idea_ids: list[int] | None) -> int:
    """Count demand from the signals of these ideas (None: every idea), store it and rescore."""
    with transaction.atomic():
        kinds = aggregate_demand(idea_ids)
        _store_demand(idea_ids, kinds)
        rows = compute_scores(idea_ids, kinds=kinds)
        _write(rows)
    return len(rows)


def reweigh_all() -> int:
    """Rescore every idea under the current policy from the stored demand counts: what a
    policy or bridge criterion change needs, without reading the signals again."""
    with transaction.atomic():
        rows = compute_scores(None, kinds=_load_demand())
        _write(rows)
    return len(rows)


def policy_changed() -> None:
    """Record that the weights changed: every idea is reweighed once the change commits."""
    events.record("scoring.policy_changed")


@transaction.atomic
def publish_policy(*, policy: ScoringPolicy, user=None) -> ScoringPolicy:
    """Store `policy`'s weights as a new version (never overwriting one that scored ideas) and
    rescore the whole backlog under it after commit."""
    latest = ScoringPolicy.objects.select_for_update().order_by("-version").first()
    policy.pk = None
    policy.version = (latest.version if latest else 0) + 1
    policy.created_by = user if user is not None and user.is_authenticated else None
    policy.full_clean(exclude=["version"])
    policy.save()
    policy_changed()
    return policy


@transaction.atomic
def save_bridge_criterion(*, criterion: BridgeCriterion) -> BridgeCriterion:
    """Save a criterion; its weight or state changes scores, so the backlog is rescored."""
    criterion.full_clean()
    criterion.save()
    policy_changed()
    return criterion
