"""Demo roadmap: items for each audience, a customer login and a sales rep's share link.

The three roadmaps differ as PRODUCT.md's table says: employees see every item with its
internal notes, quarter, PM and priority; the `customer` user (Acme Robotics) sees customer and
public items in customer words, with Acme's requests marked; the public sees public items only.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from intake.models import Idea, Organization, Team

from . import customer_portal
from .models import CustomerAccount, RoadmapItem, ShareLink

V, H, S = RoadmapItem.Visibility, RoadmapItem.Horizon, RoadmapItem.Stage
CUSTOMER_USERNAME = "customer"
CUSTOMER_ORGANIZATION = "Acme Robotics"

# (internal title, visibility, horizon, stage, priority, team, surface, min client,
#  customer title, public title, description for outsiders)
ITEMS = [
    ("SAML SSO v2 (Okta + Entra, JIT)", V.PUBLIC, H.NOW, S.BETA, "P0", "Identity", "platform", "",
     "Single sign-on with SAML", "Single sign-on with SAML",
     "Sign in to the admin console with your identity provider."),
    ("Auto key rotation (90d default)", V.PUBLIC, H.NOW, S.ALPHA, "P0", "Security", "both", "1.62",
     "Automatic node key rotation", "Automatic node key rotation",
     "Node keys rotate on a schedule you set, without reconnecting."),
    ("Reconnect after sleep: rewrite netmon", V.PUBLIC, H.NOW, S.IN_DEVELOPMENT, "P1", "Client",
     "client", "1.64", "Reliable reconnect after sleep", "Reliable reconnect after sleep",
     "Laptops reconnect within seconds of waking."),
    ("DERP region failover", V.PUBLIC, H.NEXT, S.NOT_STARTED, "P1", "Networking", "platform", "",
     "Relay failover between regions", "Relay failover between regions",
     "When a relay region goes down, traffic moves to the next closest one."),
    ("Dark mode (design system v3)", V.PUBLIC, H.LATER, S.NOT_STARTED, "P2", "Growth", "platform",
     "", "Dark mode for the admin console", "Dark mode for the admin console",
     "A dark theme that follows your system setting."),
    ("Audit log streaming to S3/Splunk", V.CUSTOMER, H.NOW, S.BETA, "P0", "Enterprise",
     "platform", "", "Audit log export to S3 and Splunk", "",
     "Stream every admin action to your own storage or SIEM."),
    ("SCIM for Okta/Entra (contract: Globex renewal)", V.CUSTOMER, H.NEXT, S.POC, "P0",
     "Identity", "platform", "", "SCIM user provisioning", "",
     "Users and groups provisioned from your identity provider."),
    ("Device posture: MDM signals", V.CUSTOMER, H.NEXT, S.NOT_STARTED, "P1", "Security", "both",
     "1.66", "Device posture checks", "",
     "Only devices that meet your posture policy can join."),
    ("Flow logs to SIEM", V.CUSTOMER, H.LATER, S.NOT_STARTED, "P1", "Enterprise", "platform", "",
     "Network flow logs", "", "Connection metadata streamed to your SIEM."),
    ("Kill legacy ACL evaluator (tech debt)", V.INTERNAL, H.NOW, S.IN_DEVELOPMENT, "P1",
     "Platform", "platform", "", "", "", ""),
    ("Billing: EUR invoicing (blocked on tax review)", V.INTERNAL, H.NEXT, S.NOT_STARTED, "P2",
     "Billing", "platform", "", "", "", ""),
    ("Android battery: wakelock audit", V.INTERNAL, H.NOW, S.POC, "P1", "Client", "client", "1.65",
     "", "", ""),
    ("Operator survives API restarts", V.INTERNAL, H.LATER, S.NOT_STARTED, "P2", "Kubernetes",
     "platform", "", "", "", ""),
]  # fmt: skip

SHIPPED = [
    ("Multi-threaded WireGuard on Linux", "Faster encryption on Linux", "Networking", "client",
     "1.58", "Up to 2.5× throughput on multi-core Linux machines."),
    ("Exit node picker by country", "Choose exit nodes by country", "Networking", "client", "1.60",
     "Pick an exit node by country from the client menu."),
    ("Console perf: virtualised device list", "A faster admin console for large networks",
     "Platform", "platform", "", "The device list opens instantly with 10,000 devices."),
]  # fmt: skip


# The demo backlog's ideas (demo/company.py) each item delivers, by internal item title.
DELIVERS = {
    "SAML SSO v2 (Okta + Entra, JIT)": ["SAML single sign-on for the admin console"],
    "Auto key rotation (90d default)": ["Rotate node keys automatically"],
    "Reconnect after sleep: rewrite netmon": [
        "Reconnect within seconds after a laptop wakes from sleep"
    ],
    "DERP region failover": ["Fail over to another relay region when one goes down"],
    "Dark mode (design system v3)": ["Dark mode for the admin console"],
    "Audit log streaming to S3/Splunk": ["Stream the audit log to S3, Splunk or Datadog"],
    "SCIM for Okta/Entra (contract: Globex renewal)": [
        "SCIM user and group provisioning from Okta and Entra ID"
    ],
    "Device posture: MDM signals": ["Only let devices that pass posture checks join"],
    "Flow logs to SIEM": ["Network flow logs for the SIEM"],
    "Kill legacy ACL evaluator (tech debt)": ["Faster ACL evaluation for large networks"],
    "Billing: EUR invoicing (blocked on tax review)": ["Invoices in euros"],
    "Android battery: wakelock audit": ["Less battery drain on Android"],
    "Operator survives API restarts": ["Kubernetes operator recovers when the API server restarts"],
    "Multi-threaded WireGuard on Linux": ["Use all CPU cores for WireGuard encryption on Linux"],
    "Exit node picker by country": ["Pick an exit node by country"],
    "Console perf: virtualised device list": ["Admin console is slow with thousands of devices"],
}


def _ideas_for(item_title: str) -> list[Idea]:
    return list(Idea.objects.filter(title__in=DELIVERS.get(item_title, [])).order_by("pk"))


@transaction.atomic
def load_demo_roadmap(*, password: str) -> dict[str, int]:
    """Create the demo items, the `customer` login and a share link; once (skips if present)."""
    if User.objects.filter(username=CUSTOMER_USERNAME).exists():
        return {"items": RoadmapItem.objects.count(), "created": 0}
    now = timezone.now()
    pms = list(User.objects.filter(groups__name="PM", is_superuser=False).order_by("username"))
    teams = {team.name: team for team in Team.objects.all()}
    acme = Organization.objects.get(name=CUSTOMER_ORGANIZATION)
    quarters = ["Q1 FY27", "Q2 FY27", "Q3 FY27"]
    for n, row in enumerate(ITEMS):
        (title, visibility, horizon, stage, priority, team, surface, version, customer_title,
         public_title, outside_text) = row  # fmt: skip
        item = RoadmapItem.objects.create(
            title=title,
            internal_notes=f"Internal: {['2', '3', '5', '8'][n % 4]} engineers; "
            f"risk: {['low', 'medium', 'high'][n % 3]}. Not for customers.",
            customer_title=customer_title,
            customer_description=outside_text,
            public_title=public_title,
            public_description=outside_text if visibility == V.PUBLIC else "",
            visibility=visibility,
            horizon=horizon,
            stage=stage,
            priority=priority,
            team=teams.get(team),
            pm=pms[n % len(pms)] if pms else None,
            quarter=quarters[{"now": 0, "next": 1, "later": 2}[horizon]],
            committed=horizon == H.NOW,
            surface=surface,
            min_client_version=version,
        )
        item.ideas.set(_ideas_for(title))
    for n, (title, outside_title, team, surface, version, text) in enumerate(SHIPPED):
        item = RoadmapItem.objects.create(
            title=title,
            internal_notes="Shipped; follow-up work tracked in the team's backlog.",
            customer_title=outside_title,
            customer_description=text,
            public_title=outside_title,
            public_description=text,
            visibility=V.PUBLIC,
            horizon=H.NOW,
            stage=S.SHIPPED,
            priority="P1",
            team=teams.get(team),
            pm=pms[n % len(pms)] if pms else None,
            quarter="Q3 FY26",  # shipped last quarter: keeps the Q4 plan at 58 items
            committed=True,
            surface=surface,
            min_client_version=version,
            shipped_at=now - timedelta(days=10 + 20 * n),
            changelog=f"**{outside_title}.** {text}",
        )
        item.ideas.set(_ideas_for(title))

    customer, _ = User.objects.get_or_create(
        username=CUSTOMER_USERNAME,
        defaults={"email": "it-admin@acme.example", "first_name": "Casey"},
    )
    customer.set_password(password)
    customer.save()
    account, _ = CustomerAccount.objects.get_or_create(
        user=customer, defaults={"organization": acme}
    )
    _customer_takes_part(account, password=password)
    sales = User.objects.filter(username="sales").first()
    ShareLink.objects.create(
        organization=Organization.objects.get(name="Globex"),
        created_by=sales,
        expires_at=now + timedelta(days=30),
    )
    return {"items": RoadmapItem.objects.count(), "created": len(ITEMS) + len(SHIPPED)}


def _customer_takes_part(account: CustomerAccount, *, password: str) -> None:
    """Acme's IT admin and a colleague say what matters to them, and ask for something new,
    through the customer portal as a customer would."""
    colleague, _ = User.objects.get_or_create(
        username="customer-colleague",
        defaults={"email": "security@acme.example", "first_name": "Jordan"},
    )
    colleague.set_password(password)
    colleague.save()
    other, _ = CustomerAccount.objects.get_or_create(
        user=colleague, defaults={"organization": account.organization}
    )
    open_items = list(
        customer_portal.visible_items().exclude(stage=S.SHIPPED).order_by("customer_title", "pk")
    )[:2]
    for item, level in zip(open_items, ("blocker", "important"), strict=False):
        customer_portal.say_it_matters(
            account=account,
            item_id=item.pk,
            level=level,
            reason="Our auditors ask for it at every renewal." if level == "blocker" else "",
        )
    if open_items:
        customer_portal.say_it_matters(account=other, item_id=open_items[0].pk, level="important")
    customer_portal.ask_for_something_new(
        account=account,
        title="Export the audit log per team",
        words="Each of our teams reviews its own access; today we split one export by hand.",
    )
