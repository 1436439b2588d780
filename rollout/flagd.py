"""Compile flags to flagd flag definitions: targeting in JSON Logic with flagd's `fractional`
and `sem_ver` operators. The same definitions feed our evaluator (openfeature-flagd-core) and
`GET /ofrep/flagd.json`, so flagd replicas syncing from it answer exactly as this app does.

Context attributes: `targetingKey` (the organization's identifier: its id in this app, as a
string), `plan`, `clientVersion`, `internal` (true for the company's own organizations).
"""

from dataclasses import dataclass, field

from .models import RolloutState

TARGETING_KEY = {"var": "targetingKey"}
INTERNAL = {"==": [{"var": "internal"}, True]}


@dataclass(frozen=True)
class FlagFacts:
    """Everything one flag's definition depends on, read by rollout.selectors."""

    key: str
    variants: dict
    off_variant: str
    state: str
    percentage: int
    killed: bool
    stage: str = ""
    description: str = ""
    plans: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    opted_in: tuple[str, ...] = ()
    min_client_version: str = ""
    waiting_for_adoption: bool = False
    extra_metadata: dict = field(default_factory=dict)


def effective_percentage(facts: FlagFacts) -> int:
    """The share of organizations the percentage rule enables (0 while waiting for adoption)."""
    if facts.killed:
        return 0
    if facts.state == RolloutState.EVERYONE:
        return 100
    if facts.state == RolloutState.PERCENTAGE and not facts.waiting_for_adoption:
        return facts.percentage
    return 0


def _on_variant(facts: FlagFacts):
    """The variant an enabled organization gets: the one "on" variant, or for an experiment an
    even split over the others, hashed apart from the rollout bucket."""
    names = sorted(name for name in facts.variants if name != facts.off_variant)
    if len(names) == 1:
        return names[0]
    bucket = {"cat": [{"var": "$flagd.flagKey"}, "/variant/", TARGETING_KEY]}
    return {"fractional": [bucket, *[[name, 1] for name in names]]}


def _listed(keys: tuple[str, ...]) -> dict:
    return {"in": [TARGETING_KEY, list(keys)]}


def _stage_rule(facts: FlagFacts) -> dict | bool:
    """Who the rollout state enables; internal organizations get anything that is on at all."""
    state = facts.state
    if state == RolloutState.OFF:
        return False
    if state == RolloutState.EVERYONE:
        return True
    rules: list = [INTERNAL]
    if state in (RolloutState.OPTED_IN, RolloutState.PERCENTAGE) and facts.opted_in:
        rules.append(_listed(facts.opted_in))
    percent = effective_percentage(facts)
    if state == RolloutState.PERCENTAGE and percent > 0:
        # flagd's fractional hashes (flag key, targetingKey): the same organization always lands
        # in the same bucket, and raising the percentage only adds buckets.
        fraction = {"fractional": [["on", percent], ["off", 100 - percent]]}
        rules.append({"and": [TARGETING_KEY, {"==": [fraction, "on"]}]})
    return rules[0] if len(rules) == 1 else {"or": rules}


def definition(facts: FlagFacts) -> dict:
    """One flag in flagd's flag-definition format."""
    metadata = {
        "stage": facts.stage,
        "rolloutState": facts.state,
        "rolloutPercentage": effective_percentage(facts),
        "killed": facts.killed,
        **facts.extra_metadata,
    }
    if facts.description:
        metadata["description"] = facts.description
    if facts.min_client_version:
        metadata["minClientVersion"] = facts.min_client_version
        metadata["waitingForAdoption"] = facts.waiting_for_adoption
    flag = {
        "state": "ENABLED",
        "variants": dict(facts.variants),
        "defaultVariant": facts.off_variant,
        "metadata": metadata,
    }
    if facts.killed:
        return flag  # no targeting: the off variant for everyone

    off, on = facts.off_variant, _on_variant(facts)
    branches: list = []
    if facts.deny:
        branches += [_listed(facts.deny), off]
    if facts.min_client_version:
        # Old clients do not carry the code: the version gate holds even for the allow list.
        too_old = {
            "or": [
                {"!": {"var": "clientVersion"}},
                {"!": {"sem_ver": [{"var": "clientVersion"}, ">=", facts.min_client_version]}},
            ]
        }
        branches += [too_old, off]
    if facts.allow:
        branches += [_listed(facts.allow), on]
    if facts.plans:
        branches += [{"!": {"in": [{"var": "plan"}, list(facts.plans)]}}, off]
    rule = _stage_rule(facts)
    if rule is not False:
        branches += [rule, on]
    if not branches:
        return flag
    flag["targeting"] = {"if": [*branches, off]}
    return flag


def flag_set(facts: list[FlagFacts]) -> dict:
    return {
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {f.key: definition(f) for f in facts},
    }
