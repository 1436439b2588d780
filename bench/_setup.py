"""Shared set-up for the scoring and duplicate benchmarks: a fresh database of 100,000 ideas.

Uses DATABASE_URL if set (point it at a scratch PostgreSQL database), else a scratch SQLite
file in /tmp. Never run against a database you care about: it is emptied.
"""

import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def django_setup(scratch_name: str) -> None:
    scratch = Path(tempfile.gettempdir()) / scratch_name
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}")
    if os.environ["DATABASE_URL"].startswith("sqlite:///"):
        Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE intake_ideaterm, intake_signal, intake_idea_bridge_criteria, "
                "intake_historicalidea, intake_mergerecord, intake_idea, intake_organization "
                "RESTART IDENTITY CASCADE"
            )


VERBS = ["Add", "Support", "Improve", "Allow", "Show", "Export", "Sync", "Limit", "Speed up",
         "Fix", "Rotate", "Audit", "Share", "Schedule", "Retry"]  # fmt: skip
OBJECTS = """device list|exit nodes|subnet routes|ACL policies|audit logs|node keys|DNS records|
user groups|billing invoices|API tokens|SSH sessions|relay servers|client updates|device tags|
webhooks|posture checks|network flow logs|admin roles|MagicDNS names|auth keys|IPv6 routes|
funnel endpoints|Kubernetes services|Terraform resources|login sessions|OAuth clients|
Windows services|macOS profiles|Android widgets|iOS shortcuts|Linux packages|Docker sidecars|
usage reports|seat counts|trial limits|SAML mappings|SCIM groups|split DNS rules|
route advertisements|peer relays|NAT traversal|MTU detection|WireGuard handshakes|
kernel modules|tray icons|CLI output|status page|incident alerts|email digests|invite links|
device approvals|key expiry|tailnet lock|file sharing|serve config|port forwarding|
region failover|connection stats|packet capture|log streaming|custom domains""".split("|")
QUALIFIERS = ["", " for large teams", " in the admin console", " from the CLI", " on Windows",
              " on macOS", " on Linux", " for iOS", " for Android", " via the API",
              " per user group", " for MSP partners", " with approval", " every 90 days",
              " by country", " in Terraform", " for free plans", " for enterprise customers",
              " without a client upgrade", " behind a flag"]  # fmt: skip


def make_ideas(n: int, *, seed: int = 11) -> list[int]:
    """Bulk-create n ideas with varied titles and short bodies; returns their ids."""
    from intake.models import Idea

    rng = random.Random(seed)
    pillars = ["security", "reliability", "performance", "feature"]
    ideas = []
    for i in range(n):
        obj = rng.choice(OBJECTS).strip()
        title = f"{rng.choice(VERBS)} {obj}{rng.choice(QUALIFIERS)} #{i}"
        body = f"We need {obj.lower()} to work{rng.choice(QUALIFIERS)}; today it is manual."
        ideas.append(
            Idea(
                title=title,
                description=body,
                pillar=rng.choice(pillars),
                impact=rng.choice([1, 2, 2, 3]),
            )
        )
    Idea.objects.bulk_create(ideas, batch_size=5000)
    return list(Idea.objects.order_by("pk").values_list("pk", flat=True))
