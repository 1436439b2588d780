"""Demo data: a fictional mesh-VPN company with a community, a sales team and employees.

Deterministic (seeded), so every `make run` shows the same backlog.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from .models import Idea, Organization, Signal, Team

TEAMS = [
    "Networking", "Client", "Platform", "Identity", "Enterprise", "DevEx", "Billing",
    "Kubernetes", "Security", "Growth",
]  # fmt: skip

# (title, pillar, product area, team, surface)
BASE_IDEAS = [
    ("SAML single sign-on for the admin console", "security", "Identity", "Identity", "platform"),
    ("Rotate node keys automatically every 90 days", "security", "Keys", "Security", "both"),
    ("Audit log export to S3 and Splunk", "security", "Audit", "Enterprise", "platform"),
    ("Require device posture checks before joining", "security", "Posture", "Security", "both"),
    ("SCIM provisioning for Okta and Azure AD", "security", "Identity", "Identity", "platform"),
    ("Short-lived access grants with approval", "security", "Access", "Security", "platform"),
    ("Hardware security key support for login", "security", "Identity", "Identity", "platform"),
    ("Tamper-evident audit trail for ACL changes", "security", "Audit", "Enterprise", "platform"),
    (
        "Client reconnects reliably after laptop sleep",
        "reliability",
        "Connectivity",
        "Client",
        "client",
    ),
    (
        "Relay failover when a DERP region goes down",
        "reliability",
        "Relays",
        "Networking",
        "platform",
    ),
    (
        "Keep connections alive across Wi-Fi to LTE handover",
        "reliability",
        "Connectivity",
        "Client",
        "client",
    ),
    (
        "Status page webhooks for control plane incidents",
        "reliability",
        "Status",
        "Platform",
        "platform",
    ),
    (
        "Graceful client upgrade without dropping sessions",
        "reliability",
        "Updates",
        "Client",
        "client",
    ),
    (
        "Kubernetes operator survives API server restarts",
        "reliability",
        "Operator",
        "Kubernetes",
        "platform",
    ),
    ("Retry DNS resolution when MagicDNS times out", "reliability", "DNS", "Networking", "both"),
    (
        "Faster direct connections through strict NATs",
        "performance",
        "NAT traversal",
        "Networking",
        "both",
    ),
    ("Reduce client battery use on Android", "performance", "Mobile", "Client", "client"),
    (
        "Multi-threaded WireGuard encryption on Linux",
        "performance",
        "Data plane",
        "Networking",
        "client",
    ),
    (
        "Admin console loads slowly with 10,000 devices",
        "performance",
        "Console",
        "Platform",
        "platform",
    ),
    ("Lower latency relays in South America", "performance", "Relays", "Networking", "platform"),
    (
        "Speed up ACL policy evaluation for large tailnets",
        "performance",
        "ACLs",
        "Platform",
        "platform",
    ),
    ("Dark mode for the admin console", "feature", "Console", "Growth", "platform"),
    ("Terraform provider support for ACL tests", "feature", "Automation", "DevEx", "platform"),
    ("Share a single device with an external user", "feature", "Sharing", "Growth", "both"),
    ("Exit node selection by country", "feature", "Exit nodes", "Networking", "client"),
    ("Custom domains for MagicDNS names", "feature", "DNS", "Networking", "platform"),
    ("GitHub Actions integration for ephemeral nodes", "feature", "CI", "DevEx", "platform"),
    ("Usage-based billing dashboard for admins", "feature", "Billing", "Billing", "platform"),
    ("Invoice in EUR for European customers", "feature", "Billing", "Billing", "platform"),
    ("Helm chart for the subnet router", "feature", "Operator", "Kubernetes", "platform"),
    ("Split DNS per user group", "feature", "DNS", "Networking", "both"),
    ("Team-based device tags managed from the IdP", "feature", "ACLs", "Enterprise", "platform"),
    ("CLI command to show why a connection is relayed", "feature", "CLI", "DevEx", "client"),
    (
        "Free plan limit of 3 users is too low for hobbyists",
        "feature",
        "Plans",
        "Growth",
        "platform",
    ),
    ("In-app onboarding checklist for new tailnets", "feature", "Onboarding", "Growth", "platform"),
    ("Network flow logs streamed to a SIEM", "security", "Logging", "Enterprise", "platform"),
    ("Per-app split tunnelling on macOS", "feature", "Routing", "Client", "client"),
    ("IPv6-only network support", "reliability", "Connectivity", "Networking", "both"),
    (
        "Serve a local web app to the tailnet with one command",
        "feature",
        "Sharing",
        "DevEx",
        "client",
    ),
    ("Bulk device approval for admins", "feature", "Console", "Enterprise", "platform"),
]

VARIANTS = [
    "", " on Windows", " on macOS", " on Linux", " for iOS", " for large teams",
    " in the API", " for MSP partners",
]  # fmt: skip

COMPANIES = [
    ("Acme Robotics", "enterprise", 480000), ("Globex", "enterprise", 1250000),
    ("Initech", "business", 96000), ("Umbrella Health", "enterprise", 720000),
    ("Stark Logistics", "business", 150000), ("Wayne Fintech", "enterprise", 2100000),
    ("Hooli Cloud", "enterprise", 890000), ("Pied Piper", "starter", 12000),
    ("Vandelay Imports", "business", 64000), ("Soylent Foods", "business", 88000),
    ("Cyberdyne Systems", "enterprise", 1500000), ("Tyrell Labs", "business", 210000),
    ("Wonka Industries", "starter", 18000), ("Oscorp Research", "enterprise", 640000),
    ("Aperture Science", "business", 120000), ("Massive Dynamic", "enterprise", 980000),
    ("Duff Networks", "starter", 9000), ("Gringotts Bank", "enterprise", 1800000),
    ("Monarch Media", "business", 75000), ("Nakatomi Trading", "enterprise", 560000),
    ("Bluth Homes", "starter", 6000), ("Prestige Worldwide", "free", 0),
    ("Dunder Paper", "business", 42000), ("Sterling Cooper", "business", 99000),
    ("Blue Sun Shipping", "enterprise", 430000), ("Weyland Mining", "enterprise", 1320000),
    ("Ollivander Tools", "starter", 15000), ("Krusty Kitchens", "free", 0),
    ("Rekall Travel", "business", 58000), ("Zorg Manufacturing", "enterprise", 770000),
]  # fmt: skip

COMPETITORS = ["", "", "", "ZeroTier", "Cloudflare Zero Trust", "Netbird", "OpenVPN", "Zscaler"]
COMMUNITY_NAMES = [f"user{n:03d}" for n in range(1, 140)]
DECLINE_REASONS = [
    "This conflicts with our end-to-end encryption model: the control plane never sees traffic.",
    "We will not build this in the client; the platform API covers it and ships faster.",
    "Too few customers asked relative to the maintenance cost; we will revisit with more demand.",
    "A partner integration already does this well; we link to it from the docs.",
]
PUBLIC_SUMMARIES = [
    "We are designing this now; follow the linked issue for updates.",
    "Planned for an upcoming release behind a flag first.",
    "Shipped! Update your client and enable it in the admin console.",
]

DEMO_USERS = {
    "employee": ["Employee"],
    "sales": ["Employee", "Sales"],
    "pm": ["Employee", "PM"],
}


def demo_loaded() -> bool:
    return User.objects.filter(username="admin").exists() and Idea.objects.exists()


def _users(password: str) -> dict[str, User]:
    users = {}
    for username, groups in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "first_name": username.title()},
        )
        user.is_staff = username == "pm"
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
        users[username] = user
    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.com"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    users["admin"] = admin
    extra_pms = ["Priya Nair", "Marco Rossi", "Aiko Tanaka", "Sam Okafor"]
    pm_group = Group.objects.get(name="PM")
    for full_name in extra_pms:
        first, last = full_name.split()
        user, _ = User.objects.get_or_create(
            username=first.lower(),
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}@example.com",
                "is_staff": True,
            },
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(pm_group)
    return users


@transaction.atomic
def load_demo(*, password: str, rng_seed: int = 7) -> dict[str, int]:
    """Create the demo company; returns counts of what was created."""
    rng = random.Random(rng_seed)
    now = timezone.now()
    users = _users(password)
    pms = list(User.objects.filter(groups__name="PM", is_superuser=False).order_by("username"))
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    orgs = [
        Organization.objects.get_or_create(name=name, defaults={"plan": plan, "arr": Decimal(arr)})[
            0
        ]
        for name, plan, arr in COMPANIES
    ]

    ideas = []
    for variant in VARIANTS:
        for title, pillar, area, team, surface in BASE_IDEAS:
            if len(ideas) >= 200:
                break
            ideas.append((f"{title}{variant}", pillar, area, team, surface))

    status_pool = (
        ["new"] * 30 + ["under_review"] * 25 + ["planned"] * 20 + ["shipped"] * 10
        + ["declined"] * 10 + ["merged"] * 5
    )  # fmt: skip
    created = []
    for title, pillar, area, team, surface in ideas:
        status = rng.choice(status_pool)
        if status == "merged":
            status = "new"  # merges happen below, through the real service rules
        idea = Idea(
            title=title,
            description=f"People keep asking for this: **{title.lower()}**.\n\n"
            f"- product area: {area}\n- surface: {surface}",
            pillar=pillar,
            product_area=area,
            surface=surface,
            team=teams[team] if status != "new" else None,
            pm=rng.choice(pms) if status not in ("new",) else None,
            status=status,
            internal_notes=f"Internal: sized at {rng.randint(1, 8)} engineer-weeks.",
        )
        if status == "declined":
            idea.decline_reason = rng.choice(DECLINE_REASONS)
            idea.declined_by = users["pm"]
            idea.declined_at = now - timedelta(days=rng.randint(1, 60))
        if status in ("planned", "shipped"):
            idea.public_summary = PUBLIC_SUMMARIES[2 if status == "shipped" else rng.randint(0, 1)]
            idea.customer_summary = idea.public_summary
        created.append(idea)
    Idea.objects.bulk_create(created)
    created = list(Idea.objects.order_by("pk"))
    for n, idea in enumerate(created):
        Idea.objects.filter(pk=idea.pk).update(created_at=now - timedelta(days=200 - n))

    signals = []
    counter = 0

    def add(source: str, idea: Idea | None, **fields) -> None:
        nonlocal counter
        counter += 1
        when = now - timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
        signals.append(
            Signal(
                source=source,
                external_id=fields.pop("external_id", f"demo-{source}-{counter}"),
                idea=idea,
                created_upstream=when,
                updated_upstream=when,
                **fields,
            )
        )

    for _ in range(800 - 60):
        idea = rng.choice(created)
        source = rng.choices(
            ["github_issue", "github_discussion", "reddit_post", "sales", "employee", "api"],
            weights=[30, 10, 20, 20, 15, 5],
        )[0]
        _signal_for(add, rng, source, idea, users, orgs)
    for _ in range(60):  # the inbox: untriaged
        source = rng.choice(["github_issue", "reddit_post", "sales", "employee"])
        _signal_for(add, rng, source, None, users, orgs, title=rng.choice(ideas)[0])
    Signal.objects.bulk_create(signals)

    # A few merges through the service, so that they can be undone in the demo.
    from .services import merge_ideas

    open_ideas = [i for i in created if i.status == "new"]
    for merged, survivor in zip(open_ideas[-5:], open_ideas[:5], strict=False):
        merge_ideas(merged=merged, survivor=survivor, user=users["pm"])
    _score_demo(rng, created)
    return {
        "ideas": Idea.objects.count(),
        "signals": Signal.objects.count(),
        "organizations": Organization.objects.count(),
    }


def _signal_for(add, rng, source, idea, users, orgs, title=None):
    title = title or (idea.title if idea else "Untitled")
    if source == "sales":
        org = rng.choice(orgs)
        urgency = rng.choice(["nice_to_have", "important", "blocker", "deal_breaker"])
        add(
            "sales",
            idea,
            title=title,
            organization=org,
            author="Sales",
            submitted_by=users["sales"],
            author_email=users["sales"].email,
            body=f"{org.name} asked: “{title}”. They would expand seats if we had it.",
            arr_at_stake=Decimal(rng.choice([0, 5000, 25000, 60000, 120000, 400000])),
            deal_stage=rng.choice(["open", "open", "won", "lost"]),
            urgency=urgency,
            competitor=rng.choice(COMPETITORS),
            importance={"nice_to_have": 1, "important": 2}.get(urgency, 3),
        )
    elif source == "employee":
        add(
            "employee",
            idea,
            title=title,
            author="Employee",
            submitted_by=users["employee"],
            author_email=users["employee"].email,
            body="Heard this from several users this week.",
        )
    elif source == "reddit_post":
        post = f"{rng.randint(10**5, 10**6):x}"
        add(
            "reddit_post",
            idea,
            title=title,
            author=rng.choice(COMMUNITY_NAMES),
            url=f"https://www.reddit.com/r/meshvpn/comments/{post}/",
            external_id=f"t3_{post}",
            votes=rng.choice([1, 3, 8, 25, 120, 900]),
            comment_count=rng.randint(0, 80),
            body="Would love this. Anyone else?",
        )
    elif source in ("github_issue", "github_discussion"):
        number = rng.randint(1, 20000)
        kind = "issues" if source == "github_issue" else "discussions"
        add(
            source,
            idea,
            title=title,
            author=rng.choice(COMMUNITY_NAMES),
            url=f"https://github.com/example-mesh/mesh/{kind}/{number}",
            external_id=f"example-mesh/mesh#{kind}/{number}-{rng.randint(0, 10**9)}",
            votes=rng.choice([0, 2, 5, 14, 60, 300]),
            comment_count=rng.randint(0, 40),
            upstream_state=rng.choice(["open", "open", "closed"])
            if source == "github_issue"
            else "",
            body="### Use case\nWe run this at home and at work.",
        )
    else:
        add(
            "api",
            idea,
            title=title,
            author="support-bot",
            author_email="",
            body="Filed from a support conversation.",
            organization=rng.choice(orgs),
        )


def _score_demo(rng, ideas) -> None:
    """Triage inputs a PM would have set (impact, bridge criteria), then index and score all.

    Motions are left to follow the signals, as they do until a PM sets them.
    """
    from scoring.models import BridgeCriterion
    from scoring.services import rescore_all

    from .similarity import rebuild_index, suggest_ideas_for_signals

    criteria = list(BridgeCriterion.objects.order_by("name"))
    through = Idea.bridge_criteria.through
    ticks = []
    for idea in ideas:
        Idea.objects.filter(pk=idea.pk).update(impact=rng.choice([1, 2, 2, 2, 3]))
        for criterion in rng.sample(criteria, k=rng.choice([0, 0, 1, 1, 2, 3])):
            ticks.append(through(idea_id=idea.pk, bridgecriterion_id=criterion.pk))
    through.objects.bulk_create(ticks)
    rebuild_index()
    suggest_ideas_for_signals(Signal.objects.filter(idea__isnull=True))
    rescore_all()
