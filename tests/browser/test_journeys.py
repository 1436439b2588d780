"""Browser journeys on Debian's chromium through Playwright, against a live server.

Screenshots of each journey go to test-artifacts/. Without chromium the tests skip, saying why;
under REQUIRE_SERVICES=1 (CI) they fail instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from connectors.models import Connector
from intake.models import Idea
from roadmap.models import RoadmapItem
from tests.conftest import _missing_service
from tests.factories import IdeaFactory, SignalFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pw-for-tests"  # tests/factories.py UserFactory


@pytest.fixture
def browser(monkeypatch):
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing_service(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_service("the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
    # synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop ran used their own connection; close it here,
        # or the test database cannot be dropped at the end of the run.
        connections.close_all()


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_employee_submits_an_idea_and_finds_it_under_my_ideas(live_server, browser, employee):
    page = browser.new_page()
    _log_in(page, live_server.url, employee.username)
    page.goto(f"{live_server.url}/submit/")
    page.get_by_label("Title").fill("Show which relay a connection uses")
    page.get_by_label("Description").fill("Support asks this **every day**.")
    page.get_by_role("button", name="Submit a new idea").click()
    page.wait_for_url(f"{live_server.url}/my/")
    card = page.locator(".card", has_text="Show which relay a connection uses")
    assert card.is_visible()
    assert "every day" in card.inner_text()
    _shot(page, "journey-1-employee-my-ideas")


def test_typing_a_title_offers_similar_ideas_and_backs_one(live_server, browser, employee):
    existing = IdeaFactory(title="Dark mode for the admin console")
    page = browser.new_page()
    _log_in(page, live_server.url, employee.username)
    page.goto(f"{live_server.url}/submit/")
    page.get_by_label("Title").press_sequentially("admin panel dark theme", delay=20)
    suggestion = page.locator("#suggestion-list li", has_text="Dark mode for the admin console")
    suggestion.wait_for()
    _shot(page, "journey-0-similar-as-you-type")
    suggestion.get_by_role("button", name="This is my idea too").click()
    page.wait_for_url(f"{live_server.url}/my/")
    assert Idea.objects.count() == 1
    assert existing.signals.get().submitted_by == employee


def test_pressing_enter_in_the_title_submits_a_new_idea_not_a_suggestion(
    live_server, browser, employee
):
    IdeaFactory(title="Dark mode for the admin console")
    page = browser.new_page()
    _log_in(page, live_server.url, employee.username)
    page.goto(f"{live_server.url}/submit/")
    title = page.get_by_label("Title")
    title.press_sequentially("Dark mode for the mobile app", delay=20)
    page.locator("#suggestion-list li").first.wait_for()
    title.press("Enter")
    page.wait_for_url(f"{live_server.url}/my/")
    assert Idea.objects.filter(title="Dark mode for the mobile app").exists()


def test_pm_merges_and_plans_in_the_admin_and_the_public_sees_it_under_now(
    live_server, browser, pm, employee
):
    survivor = IdeaFactory(title="Pick an exit node by country")
    duplicate = IdeaFactory(title="Exit nodes per country please")
    SignalFactory(idea=survivor, submitted_by=employee, author_email=employee.email)
    SignalFactory(
        idea=duplicate,
        source="github_issue",
        url="https://github.com/example-mesh/mesh/issues/4242",
        votes=31,
    )
    # The public repository's connector is public, so its threads are vote links.
    Connector.objects.create(
        name="Mesh", kind="github", public=True, options={"repos": ["example-mesh/mesh"]}
    )

    page = browser.new_page()
    _log_in(page, live_server.url, pm.username)

    # Merge the duplicate into the survivor.
    page.goto(f"{live_server.url}/admin/intake/idea/")
    page.locator(f"input.action-select[value='{survivor.pk}']").check()
    page.locator(f"input.action-select[value='{duplicate.pk}']").check()
    page.locator("select[name=action]").select_option("merge_selected")
    page.get_by_role("button", name="Go").click()
    page.locator("#id_survivor").select_option(str(survivor.pk))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert "Merged 1 idea(s)" in page.content()
    _shot(page, "journey-2a-pm-merged")

    # Plan it: promote the survivor to a roadmap item and publish it under Now.
    page.locator(f"input.action-select[value='{survivor.pk}']").check()
    page.locator("select[name=action]").select_option("promote_to_roadmap_item")
    page.get_by_role("button", name="Go").click()
    page.wait_for_url("**/admin/roadmap/roadmapitem/*/change/")
    page.locator("#id_visibility").select_option("public")
    page.locator("#id_customer_title").fill("Exit nodes by country")
    page.locator("#id_public_title").fill("Choose your exit node by country")
    page.locator("#id_public_description").fill("Pick a country, we pick the fastest exit node.")
    page.locator("#id_horizon").select_option("now")
    page.locator("#id_stage").select_option("in_development")
    page.locator("input[name=_save]").click()
    page.wait_for_url(f"{live_server.url}/admin/roadmap/roadmapitem/")
    _shot(page, "journey-2b-pm-planned")

    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.status == Idea.Status.PLANNED
    assert duplicate.merged_into_id == survivor.pk
    item = RoadmapItem.objects.get()
    assert item.visibility == "public"

    # An anonymous visitor, in a fresh browser context, reads the public roadmap.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/roadmap/")
    now = visitor.locator("section", has=visitor.locator("h2#column-now"))
    assert "Choose your exit node by country" in now.inner_text()
    assert "Pick an exit node by country" not in visitor.content()  # the internal title
    vote = now.get_by_role("link", name="on GitHub")
    assert vote.get_attribute("href") == "https://github.com/example-mesh/mesh/issues/4242"
    _shot(visitor, "journey-3-public-roadmap")
    visitor.set_viewport_size({"width": 390, "height": 844})
    _shot(visitor, "journey-3-public-roadmap-phone")
