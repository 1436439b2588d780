"""Demo delivery: a few roadmap items with linked GitHub and Jira work and their progress, loaded
as plain rows (as a sync would have left them), so the demo needs no tracker. Loaded once."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from roadmap.models import RoadmapItem

from .models import DeliveryTracker, ItemDelivery, WorkLink

REPO = "meshvpn/meshvpn"
JIRA = "https://meshvpn.atlassian.net"
# item title -> (release tag or "", [(tracker, kind, key, state, done, linked by)])
WORK = {
    "Auto key rotation (90d default)": ("", [
        ("github", "pull", f"{REPO}#4121", "merged", True, "label"),
        ("github", "pull", f"{REPO}#4188", "merged", True, "label"),
        ("github", "issue", f"{REPO}#3977", "open", False, "admin"),
        ("jira", "epic", "SEC-42", "In Progress", False, "admin"),
        ("jira", "issue", "SEC-57", "Done", True, "label"),
    ]),
    "Reconnect after sleep: rewrite netmon": ("", [
        ("github", "pull", f"{REPO}#4302", "open", False, "label"),
        ("github", "issue", f"{REPO}#3810", "closed", True, "admin"),
        ("github", "milestone", f"{REPO}/milestone/31", "open (7 of 12 closed)", False, "admin"),
    ]),
    "SAML SSO v2 (Okta + Entra, JIT)": ("", [
        ("jira", "epic", "IDN-118", "Done", True, "admin"),
        ("jira", "issue", "IDN-131", "In Review", False, "label"),
    ]),
    "Exit node picker by country": ("v1.60.0", [
        ("github", "pull", f"{REPO}#3550", "merged", True, "label"),
        ("github", "pull", f"{REPO}#3561", "merged", True, "label"),
    ]),
}  # fmt: skip


def _url(tracker: str, kind: str, key: str) -> str:
    if tracker == "jira":
        return f"{JIRA}/browse/{key}"
    if kind == "milestone":
        return f"https://github.com/{key}"
    repo, number = key.split("#")
    return f"https://github.com/{repo}/{'pull' if kind == 'pull' else 'issues'}/{number}"


@transaction.atomic
def load_demo_delivery() -> dict[str, int]:
    """Trackers (disabled: the demo company is fictional) and links on the demo items."""
    for kind, scope in (("github", [REPO]), ("jira", ["SEC", "IDN"])):
        DeliveryTracker.objects.get_or_create(
            kind=kind, defaults={"scope": scope, "enabled": False}
        )
    items = {i.title: i for i in RoadmapItem.objects.filter(title__in=WORK)}
    checked = timezone.now() - timedelta(minutes=12)
    linked = 0
    for title, (tag, links) in WORK.items():
        item = items.get(title)
        if item is None or WorkLink.objects.filter(item=item).exists():
            continue
        for tracker, kind, key, state, done, by in links:
            WorkLink.objects.create(
                item=item, tracker=tracker, kind=kind, key=key, url=_url(tracker, kind, key),
                state=state, done=done, linked_by=by, checked_at=checked,
            )  # fmt: skip
            linked += 1
        ItemDelivery.objects.update_or_create(
            item=item,
            defaults={
                "done_count": sum(1 for link in links if link[4]),
                "total_count": len(links),
                "release_tag": tag,
                "release_url": f"https://github.com/{REPO}/releases/tag/{tag}" if tag else "",
            },
        )
    return {"items": ItemDelivery.objects.filter(total_count__gt=0).count(), "links": linked}
