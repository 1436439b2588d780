"""Loading the demo: the company's people, customers and backlog (company.py), then every app's
own demo data, in one place (`load_everything`).

Deterministic: no randomness; dates count back from today by fixed steps. Loads once: a
second run finds the company there and only lets the apps' idempotent loaders check theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from connectors.models import Connector
from connectors.services import save_connector
from delivery.demo import load_demo_delivery
from intake import duplicates
from intake.models import Idea, Organization, OrganizationDomain, Signal, Team
from intake.services import URGENCY_IMPORTANCE, merge_ideas
from planning.demo import load_demo_plan
from roadmap.demo import load_demo_roadmap
from rollout.demo import load_demo_flags
from scoring.models import BridgeCriterion
from scoring.services import rescore_all
from slackbot.services import title_from

from . import company, crm_data
from .company import IdeaSpec

# The users one can log in as (password DEMO_PASSWORD), and their groups.
DEMO_USERS = {
    "employee": ["Employee"],
    "sales": ["Employee", "Sales"],
    "pm": ["Employee", "PM"],
}
EXTRA_PMS = ["Priya Nair", "Marco Rossi", "Aiko Tanaka", "Sam Okafor"]
SLACK_TEAM = "T0MESHVPN"
REPO = "https://github.com/meshvpn/meshvpn"


def load_everything(*, password: str) -> list[str]:
    """Load every part of the demo; returns one line per part for the command to print.

    The one place that knows every app's demo loader: add an app's loader to the list here.
    """
    lines = []
    if demo_loaded():
        lines.append("Demo company already loaded.")
    else:
        counts = load_company(password=password)
        lines.append(
            "Loaded {ideas} ideas, {signals} signals, {organizations} organizations, "
            "{merged} merges.".format(**counts)
        )
    steps: list[tuple[str, Callable[[], str]]] = [
        # Idempotent: a second run finds every row unchanged.
        ("Demo plan, Q4 FY26", lambda: load_demo_plan().summary()),
        (
            "Demo roadmap",
            lambda: "{items} items; customer login `customer` (Acme Robotics).".format(
                **load_demo_roadmap(password=password)
            ),
        ),
        ("Demo feature flags", _demo_flags),
        ("Demo connectors", _demo_connectors),
        (
            "Demo delivery",
            lambda: "{items} items with linked work ({links} links added)".format(
                **load_demo_delivery()
            ),
        ),
    ]
    lines += [f"{name}: {run()}" for name, run in steps]
    return lines


def _demo_flags() -> str:
    counts = load_demo_flags()
    key = f"; SDK key (shown once): {counts['sdk_key']}" if counts["sdk_key"] else ""
    return f"{counts['flags']} flags{key}"


def _demo_connectors() -> str:
    """The community's public repository and subreddit, marked public so the public roadmap
    links to their threads for votes; disabled, since the demo company is fictional."""
    specs = [
        ("GitHub meshvpn/meshvpn", "github", {"repos": ["meshvpn/meshvpn"], "labels": ["fr"]}),
        ("Reddit r/meshvpn", "reddit", {"subreddits": ["meshvpn"]}),
    ]
    for name, kind, options in specs:
        if not Connector.objects.filter(name=name).exists():
            connector = Connector(name=name, kind=kind, options=options, enabled=False, public=True)
            save_connector(connector=connector)
    return ", ".join(name for name, _, _ in specs) + " (public, disabled)"


def demo_loaded() -> bool:
    return User.objects.filter(username="admin").exists() and Idea.objects.exists()


def _users(password: str) -> dict[str, User]:
    # Hashed once for all the demo logins: each hash costs most of a second on purpose.
    hashed = make_password(password)
    users = {}
    for username, groups in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@meshvpn.example", "first_name": username.title()},
        )
        user.is_staff = username == "pm"
        user.password = hashed
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
        users[username] = user
    admin, _ = User.objects.get_or_create(
        username="admin", defaults={"email": "admin@meshvpn.example"}
    )
    admin.is_staff = admin.is_superuser = True
    admin.password = hashed
    admin.save()
    users["admin"] = admin
    people = [(n.split()[0].lower(), n, ["Employee", "PM"], True) for n in EXTRA_PMS]
    people += [(u, n, groups, False) for u, (n, _, groups) in company.COLLEAGUES.items()]
    for username, full_name, groups, staff in people:
        first, last = full_name.split(" ", 1)
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@meshvpn.example",
                "is_staff": staff,
            },
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(*Group.objects.filter(name__in=groups))
        users[username] = user
    return users


class _Signals:
    """Turns the signal specs of company.py into Signal rows, numbering upstream ids."""

    def __init__(self, *, users: dict[str, User], organizations: dict[str, Organization], now):
        self.users, self.organizations, self.now = users, organizations, now
        self.count = 0
        self.rows: list[Signal] = []

    def add(self, spec: dict, idea: Idea | None) -> None:
        self.count += 1
        n = self.count
        # Spread over the last year, the same way every time.
        when = self.now - timedelta(days=(n * 37) % 360 + 1, hours=(n * 7) % 24)
        fields = {
            "title": spec.get("title", ""),
            "body": spec["body"],
            "idea": idea,
            "created_upstream": when,
            "updated_upstream": when,
        }
        fields.update(getattr(self, f"_{spec['kind']}")(spec, n, when))
        if spec.get("customer"):
            fields["organization"] = self.organizations[spec["customer"]]
        self.rows.append(Signal(source=spec["kind"], **fields))

    def _handle(self, n: int) -> str:
        return company.HANDLES[(n * 7) % len(company.HANDLES)]

    def _person(self, username: str) -> dict:
        user = self.users[username]
        return {
            "author": user.get_full_name() or user.username,
            "author_email": user.email,
            "submitted_by": user,
        }

    def _github_issue(self, spec, n, when):
        number = 3000 + n * 13
        return {
            "external_id": str(2_100_000_000 + number),
            "url": f"{REPO}/issues/{number}",
            "author": self._handle(n),
            "votes": spec["votes"],
            "comment_count": spec["comments"],
            "upstream_state": spec["state"],
            "raw": {"number": number, "labels": [{"name": "enhancement"}]},
        }

    def _github_discussion(self, spec, n, when):
        number = 900 + n * 3
        return {
            "external_id": f"D_kwDOdemo{number:06d}",
            "url": f"{REPO}/discussions/{number}",
            "author": self._handle(n),
            "votes": spec["votes"],
            "comment_count": spec["comments"],
            "upstream_state": "open",
            "raw": {"number": number, "category": {"name": "Ideas"}},
        }

    def _reddit_post(self, spec, n, when):
        post = _base36(1_700_000_000 + n * 7919)
        slug = "_".join(spec["title"].lower().split())[:40].strip("?!.,")
        return {
            "external_id": post,
            "url": f"https://www.reddit.com/r/meshvpn/comments/{post}/{slug}/",
            "author": self._handle(n + 3),
            "votes": spec["votes"],
            "comment_count": spec["comments"],
            "upstream_state": "open",
            "raw": {"id": post, "subreddit": "meshvpn", "link_flair_text": "Feature Request"},
        }

    def _sales(self, spec, n, when):
        return {
            **self._person(spec["by"]),
            "external_id": f"demo-sales-{n}",
            "arr_at_stake": Decimal(spec["arr"]),
            "deal_stage": spec["stage"],
            "urgency": spec["urgency"],
            "competitor": spec["competitor"],
            "importance": URGENCY_IMPORTANCE[spec["urgency"]],
        }

    def _employee(self, spec, n, when):
        return {**self._person(spec["by"]), "external_id": f"demo-employee-{n}"}

    def _slack(self, spec, n, when):
        ts = f"{int(when.timestamp())}.{n:06d}"
        user_id = f"U0{spec['by'].upper()}"
        fields = {
            **self._person(spec["by"]),
            "title": title_from(spec["body"]),
            "external_id": f"message:{SLACK_TEAM}:C0IDEAS:{ts}:{user_id}",
            "url": f"https://meshvpn.slack.com/archives/C0IDEAS/p{ts.replace('.', '')}",
            "raw": {"slack_user_id": user_id, "channel": "C0IDEAS", "ts": ts},
        }
        if spec["urgency"]:
            fields["urgency"] = spec["urgency"]
            fields["importance"] = URGENCY_IMPORTANCE[spec["urgency"]]
        if spec["arr"] is not None:
            fields["arr_at_stake"] = Decimal(spec["arr"])
        return fields

    def _zendesk(self, spec, n, when):
        ticket = 18_000 + n * 11
        domain = next(c[3] for c in company.COMPANIES if c[0] == spec["customer"])
        email = spec["requester"].split()[0].lower() + "@" + domain
        return {
            "external_id": str(ticket),
            "url": f"https://meshvpn.zendesk.com/agent/tickets/{ticket}",
            "author": spec["requester"],
            "upstream_state": spec["state"],
            "raw": {"id": ticket, "tags": ["feature-request"], "requester": {"email": email}},
        }

    def _api(self, spec, n, when):
        return {"external_id": f"gong-call-{5000 + n}", "author": "gong-bot"}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


@transaction.atomic
def load_company(*, password: str) -> dict[str, int]:
    """Create the demo company; returns counts of what was created."""
    now = timezone.now()
    users = _users(password)
    pms = list(User.objects.filter(groups__name="PM", is_superuser=False).order_by("username"))
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in company.TEAMS}
    organizations = {}
    for name, plan, arr, domain in company.COMPANIES:
        organization, _ = Organization.objects.get_or_create(
            name=name, defaults={"plan": plan, "arr": Decimal(arr)}
        )
        OrganizationDomain.objects.get_or_create(domain=domain, organization=organization)
        organizations[name] = organization
    criteria = {c.name: c for c in BridgeCriterion.objects.all()}

    specs: list[IdeaSpec] = company.IDEAS
    ideas = []
    for n, spec in enumerate(specs):
        triaged = spec.status != "new" or bool(spec.merge_into)
        idea = Idea(
            title=spec.title,
            description=spec.description,
            pillar=spec.pillar,
            product_area=spec.area,
            surface=spec.surface,
            status=spec.status,
            impact=spec.impact,
            team=teams[spec.team] if triaged else None,
            pm=pms[n % len(pms)] if triaged else None,
            public_summary=spec.public_summary,
            customer_summary=spec.customer_summary,
            decline_reason=spec.decline_reason,
            revisit_when=spec.revisit_when,
            internal_notes=f"Sized at {2 + n % 7} engineer-weeks by {spec.team}.",
        )
        if spec.status == "declined":
            idea.declined_by = users["pm"]
            idea.declined_at = now - timedelta(days=10 + n)
        ideas.append(idea)
    Idea.objects.bulk_create(ideas)
    by_key = {}
    for n, (spec, idea) in enumerate(zip(specs, Idea.objects.order_by("pk"), strict=True)):
        by_key[spec.key] = idea
        Idea.objects.filter(pk=idea.pk).update(created_at=now - timedelta(days=300 - 5 * n))
    through = Idea.bridge_criteria.through
    through.objects.bulk_create(
        through(idea_id=by_key[spec.key].pk, bridgecriterion_id=criteria[company.BRIDGE[c]].pk)
        for spec in specs
        for c in spec.bridge
        if company.BRIDGE[c] in criteria
    )

    signals = _Signals(users=users, organizations=organizations, now=now)
    for spec in specs:
        for signal in spec.signals:
            signals.add(signal, by_key[spec.key])
    for signal in company.INBOX:
        signals.add(signal, None)
    Signal.objects.bulk_create(signals.rows)

    # Duplicates are merged through the service, so a PM can undo them in the demo.
    merged = 0
    for spec in specs:
        if spec.merge_into:
            merge_ideas(merged=by_key[spec.key], survivor=by_key[spec.merge_into], user=users["pm"])
            merged += 1
    duplicates.rebuild_index()
    duplicates.suggest_ideas_for_signals(Signal.objects.filter(idea__isnull=True))
    crm_data.load_crm(today=timezone.localdate())  # issue 22: CRM data, with no CRM needed
    rescore_all()
    return {
        "ideas": Idea.objects.count(),
        "signals": Signal.objects.count(),
        "organizations": Organization.objects.count(),
        "merged": merged,
    }
