"""Hostile strings (tests/security/hostile.py: the Big List of Naughty Strings and our own)
through every path: forms, the API, GitHub and Reddit payloads from the fake APIs, CSV import;
then every page that shows them. Never a 500, never a half-saved record, never raw markup.
Whether anything runs in a real browser is tests/browser/test_hostile_rendering.py."""

import pytest
from django.urls import reverse

from connectors.models import SyncRun
from intake.models import Idea, Signal
from planning import services as planning_services
from roadmap.models import RoadmapItem
from tests.connectors.conftest import _connector_settings, make_connector, sync  # noqa: F401
from tests.connectors.fake_api import FakeUpstream
from tests.factories import IdeaFactory, OrganizationFactory, api_token
from tests.planning.plans import plan_bytes, row
from tests.roadmap.factories import CustomerAccountFactory, PublicItemFactory

from .hostile import RAW_MARKUP, STRINGS

pytestmark = pytest.mark.django_db
PATHS: dict[str, int] = {}  # path -> strings tried, for the report


@pytest.fixture(autouse=True)
def _unlimited(settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _no_raw_markup(response) -> None:
    assert response.status_code == 200
    page = response.content.decode().lower()
    assert not [marker for marker in RAW_MARKUP if marker in page]


def _tried(path: str) -> None:
    PATHS[path] = len(STRINGS)
    print(f"hostile input: {len(STRINGS)} strings through {path}")


def test_the_submit_form_saves_or_refuses_each_string_whole(client, employee):
    client.force_login(employee)
    for text in STRINGS:
        before = (Idea.objects.count(), Signal.objects.count())
        response = client.post(
            reverse("submit"),
            {"title": text[:200] or "x", "description": text, "pillar": "feature"},
        )
        assert response.status_code in (302, 400), repr(text)
        after = (Idea.objects.count(), Signal.objects.count())
        expected = (before[0] + 1, before[1] + 1) if response.status_code == 302 else before
        assert after == expected, repr(text)
    _no_raw_markup(client.get(reverse("my")))
    _tried("the submit form")


def test_the_sales_form_saves_or_refuses_each_string_whole(client, sales_rep):
    organization = OrganizationFactory()
    client.force_login(sales_rep)
    for text in STRINGS:
        before = Signal.objects.count()
        response = client.post(
            reverse("submit-sales"),
            {"organization": organization.pk, "title": text[:200] or "x", "words": text or "x",
             "competitor": text[:200], "deal_stage": "open", "urgency": "important"},
        )  # fmt: skip
        assert response.status_code in (302, 400), repr(text)
        assert Signal.objects.count() == before + (response.status_code == 302), repr(text)
    _no_raw_markup(client.get(reverse("my")))
    _tried("the sales form")


def test_the_api_saves_or_refuses_each_string_whole(client, employee):
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}
    for number, text in enumerate(STRINGS):
        before = Signal.objects.count()
        response = client.post(
            "/api/signals/",
            {"external_id": f"ext-{number}-{text[:100]}", "title": text[:300] or "x", "body": text,
             "author": text[:200], "url": text[:500]},
            content_type="application/json", **auth,
        )  # fmt: skip
        assert response.status_code in (200, 201, 400), repr(text)
        assert Signal.objects.count() == before + (response.status_code == 201), repr(text)
    assert client.get("/api/signals/", **auth).status_code == 200
    _tried("POST /api/signals/")


def _all_stored_or_explained(run, source: str) -> None:
    """Every item is stored, or (a title of nothing but spaces, which no source accepts either)
    named in the run's errors; the run itself never fails."""
    assert run.outcome in (SyncRun.Outcome.SUCCESS, SyncRun.Outcome.PARTIAL), run.error
    assert {error["error"] for error in run.item_errors} <= {"title is empty"}
    stored = Signal.objects.filter(source=source).count()
    assert stored + len(run.item_errors) == len(STRINGS)
    assert len(run.item_errors) <= 3


def test_github_issues_store_every_string_without_a_failed_run(db, upstream):
    for number, text in enumerate(STRINGS, start=1):
        upstream.add_issue("acme/vpn", number, text or "empty", body=text)
    run = sync(make_connector())
    _all_stored_or_explained(run, "github_issue")
    _tried("GitHub issues (fake API, PyGithub)")


def test_reddit_posts_store_every_string_without_a_failed_run(db, upstream):
    for number, text in enumerate(STRINGS, start=1):
        upstream.add_post("meshvpn", f"p{number}", text or "empty", selftext=text)
    run = sync(make_connector(kind="reddit"))
    _all_stored_or_explained(run, "reddit_post")
    _tried("Reddit posts (fake API, praw)")


def test_plan_import_imports_or_refuses_each_string_with_a_report(plan_people):
    for text in STRINGS:
        before = RoadmapItem.objects.count()
        report = planning_services.import_plan(
            data=plan_bytes([row(text or "x", key=f"k-{len(text)}-{hash(text)}")]),
            filename="plan.csv",
        )
        assert report.ok or report.errors, repr(text)
        assert RoadmapItem.objects.count() - before in ((1, 0) if report.applied else (0,))
        assert "\x1b" not in "\n".join(report.lines())
    _tried("CSV plan import")


def test_every_page_shows_hostile_text_escaped(client, superuser, employee, customer_account):
    for text in STRINGS:
        text = text.replace("\x00", "")  # written straight to the database, which refuses NUL
        idea = IdeaFactory(title=text[:200] or "x", description=text, internal_notes=text)
        short = text[:200] or "x"
        item = PublicItemFactory(
            public_title=short, public_description=text, customer_title=short,
            customer_description=text, internal_notes=text, changelog=text,
        )  # fmt: skip
        item.ideas.add(idea)
    client.force_login(superuser)
    pages = [
        "/roadmap/internal/", "/admin/intake/idea/", f"/admin/intake/idea/{idea.pk}/change/",
        "/admin/roadmap/roadmapitem/", f"/admin/roadmap/roadmapitem/{item.pk}/change/",
    ]  # fmt: skip
    for path in pages:
        _no_raw_markup(client.get(path))
    client.force_login(customer_account)
    _no_raw_markup(client.get("/roadmap/customer/"))
    client.logout()
    _no_raw_markup(client.get("/roadmap/"))
    assert client.get("/roadmap/feed/").status_code == 200
    assert client.get("/api/public/roadmap/").status_code == 200
    _tried("rendering (internal, admin, customer, public roadmap, feed, API)")


@pytest.fixture
def customer_account(db):
    account = CustomerAccountFactory()
    return account.user


def test_a_1_mb_body_is_a_field_error_and_a_3_mb_body_is_413(client, employee):
    client.force_login(employee)
    megabyte = "x" * 1_000_000
    response = client.post(reverse("submit"), {"title": "Big", "description": megabyte,
                                               "pillar": "feature"})  # fmt: skip
    assert response.status_code == 400
    assert "at most 20000" in str(response.context["form"].errors["description"])
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}
    api = client.post("/api/signals/", {"external_id": "big", "title": "Big", "body": megabyte},
                      content_type="application/json", **auth)  # fmt: skip
    assert api.status_code == 400 and "body" in api.json()
    huge = {"external_id": "huge", "title": "t", "body": "x" * 3_000_000}
    huge = client.post("/api/signals/", huge, content_type="application/json", **auth)
    assert huge.status_code == 413
    assert not Signal.objects.exists()


@pytest.fixture
def upstream():
    fake = FakeUpstream().start()
    yield fake
    fake.stop()


@pytest.fixture
def plan_people(db):
    from tests.factories import TeamFactory, UserFactory

    TeamFactory(name="Networking")
    UserFactory(username="priya", first_name="Priya", last_name="Nair", groups=["PM"])
