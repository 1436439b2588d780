"""Shared set-up of the benchmarks: a fresh database of 100,000 ideas (scoring, duplicates),
PostgreSQL databases of their own (connectors, scale), and the fake GitHub API in a child
process (connectors, scale).

`django_setup` uses DATABASE_URL if set (point it at a scratch PostgreSQL database), else a
scratch SQLite file in /tmp. Never run against a database you care about: it is emptied.
"""

import multiprocessing
import os
import queue
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


def ensure_postgres_database(url: str, *, drop: bool = False) -> None:
    """Create the PostgreSQL database `url` names if it is missing (dropped first if `drop`)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _serve_github(issues: int, ready, stop) -> None:
    from tests.connectors.fake_api import FakeUpstream

    fake = FakeUpstream().start()
    for number in range(1, issues + 1):
        # Real issues carry a body; a few hundred characters is typical of feature requests.
        fake.add_issue(
            "acme/vpn",
            number,
            f"Feature request number {number}: exit node failover",
            body="When the exit node reboots, traffic should move to another one. " * 5,
            labels=("fr",) if number % 3 else ("fr", "networking"),
            state="closed" if number % 7 == 0 else "open",
            thumbs_up=number % 40,
            comments=number % 12,
            author=f"user{number % 500}",
        )
    ready.put(fake.url)
    stop.wait()
    fake.stop()


@contextmanager
def fake_github(issues: int) -> Iterator[str]:
    """The tests' fake GitHub API (tests/connectors/fake_api.py) with `issues` issues in
    acme/vpn, served from a child process (so it takes no time from the measured one); yields
    its URL. Start it before django.setup(): the child is forked."""
    context = multiprocessing.get_context("fork")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve_github, args=(issues, ready, stop), daemon=True)
    server.start()
    try:
        url = None
        while url is None:
            if not server.is_alive():
                raise SystemExit("The fake API process died; see its traceback above.")
            try:
                url = ready.get(timeout=1)
            except queue.Empty:
                continue
        yield url
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
