"""A stored score breakdown in words a PM can read: "why is this #3"."""

KIND_LABELS = {
    "github_issue": "GitHub issues",
    "github_discussion": "GitHub discussions",
    "reddit_post": "Reddit",
    "sales": "sales notes",
    "employee": "employees",
    "api": "the API",
    "slack": "Slack",
    "zendesk": "Zendesk tickets",
}
IMPACT_LABELS = {1: "low", 2: "medium", 3: "high"}


def _n(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def _count(n: int, singular: str, plural: str = "") -> str:
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def renewal_line(renewals: list[tuple[str, int]]) -> str:
    """ "Globex renews in 41 days; Initech renews today." Internal only: it names customers."""
    parts = [
        f"{name} renews {'today' if days == 0 else 'in ' + _count(days, 'day')}"
        for name, days in renewals
    ]
    return "Renewals within 90 days among the organizations asking: " + "; ".join(parts) + "."


def describe(breakdown: dict, *, renewals: list[tuple[str, int]] | None = None) -> list[str]:
    """One sentence per part of the score, with its numbers. Empty if never scored.

    `renewals` (from `selectors.renewals_soon`) adds who among the askers renews soon; pass it
    only on internal pages.
    """
    if not breakdown:
        return []
    if renewals and "merged_into" not in breakdown:
        return [*_describe(breakdown), renewal_line(renewals)]
    return _describe(breakdown)


def _describe(breakdown: dict) -> list[str]:
    version = breakdown.get("version")
    if "merged_into" in breakdown:
        return [
            f"Merged into idea #{breakdown['merged_into']}: its demand counts there "
            f"(policy v{version})."
        ]
    fit, bridge, demand = breakdown["fit"], breakdown["bridge"], breakdown["demand"]
    lines = [
        f"Total {_n(breakdown['total'])} = strategic fit {_n(fit['weighted'])} + bridge "
        f"{_n(bridge['weighted'])} + demand {_n(demand['weighted'])} (policy v{version}).",
        f"Strategic fit: {fit['pillar'].title()} pillar ({_n(fit['pillar_weight'])}) × "
        f"{IMPACT_LABELS.get(fit['impact'], fit['impact'])} impact "
        f"(×{_n(fit['impact_multiplier'])}) = {_n(fit['points'])}.",
    ]
    if bridge["criteria"]:
        met = ", ".join(f"{name} (+{_n(weight)})" for name, weight in bridge["criteria"])
        lines.append(f"Bridge: meets {met} = {_n(bridge['points'])}.")
    else:
        lines.append("Bridge: meets no bridge criterion.")
    if not demand["by_kind"]:
        lines.append("Demand: no signals yet.")
        return lines
    c = demand["components"]
    lines.append(
        f"Demand {_n(demand['points'])} (× policy weight = {_n(demand['weighted'])}): "
        f"{_count(demand['people'], 'person', 'people')} (weighted by importance: "
        f"{demand['people_weighted']}) → {_n(c['people'])}; "
        f"{_count(demand['organizations'], 'organization')} (weighted: "
        f"{demand['organizations_weighted']}) → {_n(c['organizations'])}; ARR at stake "
        f"${demand['arr_at_stake']:,.0f} → {_n(c['arr'])}; {_count(demand['votes'], 'vote')} "
        f"→ {_n(c['votes'])}; {_count(len(demand['by_kind']), 'source kind')} → "
        f"{_n(demand['source_kind_points'])}."
    )
    capped = [
        f"{KIND_LABELS.get(kind, kind)} supplied {entry['raw'] / demand['raw']:.0%} of it, "
        f"counted up to "
        f"{demand['cap_share']:.0%} ({_n(entry['raw'])} → {_n(entry['counted'])})"
        for kind, entry in demand["by_kind"].items()
        if entry["counted"] < entry["raw"]
    ]
    if capped:
        lines.append("No single source kind may dominate: " + "; ".join(capped) + ".")
    motions = breakdown.get("motions") or []
    if motions:
        lines.append(
            "Serves: "
            + ", ".join(m.upper() if m != "enterprise" else "Enterprise" for m in motions)
            + "."
        )
    return lines
