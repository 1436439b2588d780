"""The public roadmap: public items in columns, where to vote, changelog, cached correctly."""

import pytest
from django.utils import timezone

from connectors.models import Connector
from intake.models import Signal
from roadmap import services
from roadmap.models import RoadmapItem
from tests.factories import SignalFactory
from tests.roadmap.factories import CustomerItemFactory, PublicItemFactory

pytestmark = pytest.mark.django_db


def _column(page: str, heading: str) -> str:
    start = page.index(f'id="column-{heading}"')
    end = page.find('<section class="column"', start)
    return page[start : end if end != -1 else None]


def test_public_items_appear_under_their_horizon(client):
    PublicItemFactory(public_title="Exit nodes by country", horizon="now")
    PublicItemFactory(public_title="Dark mode", horizon="later")
    page = client.get("/roadmap/").content.decode()
    assert "Exit nodes by country" in _column(page, "now")
    assert "Dark mode" in _column(page, "later")
    assert "Dark mode" not in _column(page, "now")


def test_shipped_items_move_to_shipped_and_the_changelog(client):
    PublicItemFactory(
        public_title="SCIM provisioning",
        horizon="now",
        stage=RoadmapItem.Stage.SHIPPED,
        shipped_at=timezone.now(),
        changelog="Okta and Azure AD **now** provision users.",
    )
    page = client.get("/roadmap/").content.decode()
    assert "SCIM provisioning" in _column(page, "shipped")
    assert "SCIM provisioning" not in _column(page, "now")
    assert "<strong>now</strong> provision users" in page


def test_customer_only_items_are_not_public(client):
    CustomerItemFactory(customer_title="Only for customers")
    assert "Only for customers" not in client.get("/roadmap/").content.decode()


def test_each_item_links_to_where_its_idea_came_from_to_vote(client):
    Connector.objects.create(
        name="Mesh", kind="github", public=True, options={"repos": ["example/mesh"]}
    )
    item = PublicItemFactory()
    signal = SignalFactory(
        source=Signal.Source.GITHUB_ISSUE, url="https://github.com/example/mesh/issues/7"
    )
    item.ideas.add(signal.idea)
    services._bump_public_version()
    page = client.get("/roadmap/").content.decode()
    assert 'href="https://github.com/example/mesh/issues/7"' in page
    assert "Add your vote" in page


def test_threads_on_a_private_host_never_become_public_vote_links(client):
    item = PublicItemFactory()
    private = SignalFactory(
        source=Signal.Source.GITHUB_ISSUE, url="https://ghe.corp.example/secret/repo/issues/3"
    )
    item.ideas.add(private.idea)
    services._bump_public_version()
    page = client.get("/roadmap/").content.decode()
    assert "ghe.corp.example" not in page
    assert "secret/repo" not in page


def test_client_work_says_which_client_version_it_needs(client):
    PublicItemFactory(surface="client", min_client_version="1.60")
    assert "requires client 1.60 or newer" in client.get("/roadmap/").content.decode()


def test_public_page_is_cacheable_by_anyone_and_carries_no_session(client, employee):
    client.force_login(employee)
    response = client.get("/roadmap/")
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert "emma" not in response.content.decode()  # no user name in a shared page
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_repeat_request_with_the_etag_gets_not_modified(client):
    PublicItemFactory()
    etag = client.get("/roadmap/")["ETag"]
    again = client.get("/roadmap/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_a_cached_page_costs_no_database_query(client, django_assert_num_queries):
    PublicItemFactory()
    client.get("/roadmap/")
    with django_assert_num_queries(0):
        assert client.get("/roadmap/").status_code == 200


def test_the_page_renders_in_constant_queries_however_many_items(client, django_assert_num_queries):
    for n in range(15):
        item = PublicItemFactory()
        item.ideas.add(SignalFactory(source="reddit_post", url=f"https://reddit.com/r/x/{n}").idea)
    with django_assert_num_queries(3):  # items, vote links, public connectors
        client.get("/roadmap/")


def test_changing_an_item_in_the_admin_updates_the_cached_page(
    client, pm, django_capture_on_commit_callbacks
):
    item = PublicItemFactory(public_title="Old wording")
    assert "Old wording" in client.get("/roadmap/").content.decode()
    client.force_login(pm)
    data = {
        "title": item.title, "visibility": "public", "horizon": "now", "stage": "beta",
        "priority": "P1", "customer_title": "Customer words", "public_title": "New wording",
        "ideas": [], "dependent_teams": [],
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/roadmap/roadmapitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    page = client.get("/roadmap/").content.decode()
    assert "New wording" in page
    assert "Old wording" not in page


def test_moving_an_item_to_another_stage_updates_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    item = PublicItemFactory(public_title="Moving on")
    assert "In development" in client.get("/roadmap/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=item, stage="alpha")
    page = client.get("/roadmap/").content.decode()
    assert "Alpha" in page
    assert "In development" not in page


def test_public_text_is_sanitised(client):
    PublicItemFactory(public_description='<script>alert("x")</script>[link](javascript:alert(1))')
    page = client.get("/roadmap/").content.decode()
    assert "<script>alert" not in page
    assert "javascript:" not in page


def test_the_feed_lists_public_items_as_atom(client):
    PublicItemFactory(public_title="Feed me", stage="shipped", shipped_at=timezone.now())
    CustomerItemFactory(customer_title="Customers only")
    response = client.get("/roadmap/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<title>Shipped: Feed me</title>" in body
    assert "Customers only" not in body
    assert "public" in response["Cache-Control"]


def test_the_public_api_lists_public_items_with_filters(client):
    PublicItemFactory(public_title="Now thing", horizon="now")
    PublicItemFactory(public_title="Later thing", horizon="later")
    data = client.get("/api/public/roadmap/?horizon=now").json()
    assert [row["title"] for row in data["results"]] == ["Now thing"]
    assert client.get("/api/public/roadmap/?horizon=soon").status_code == 400


def test_an_item_saved_anywhere_updates_the_cached_page(client, django_capture_on_commit_callbacks):
    item = PublicItemFactory(public_title="Before import")
    assert "Before import" in client.get("/roadmap/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        item.visibility = RoadmapItem.Visibility.INTERNAL
        item.save()
    assert "Before import" not in client.get("/roadmap/").content.decode()


@pytest.mark.redis
def test_with_redis_the_cached_page_is_shared_and_invalidated(
    client, redis_url, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.delete_many([services.PUBLIC_CACHE_VERSION_KEY, services.public_cache_key("page")])
    item = PublicItemFactory(public_title="Served from Redis")
    assert "Served from Redis" in client.get("/roadmap/").content.decode()
    services._local_pages.clear()  # what another process finds: the copy in Redis
    version, page = services.cached_public_page("page")
    assert b"Served from Redis" in page[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.set_item_stage(item=item, stage="ga")
    assert cache.get(services.PUBLIC_CACHE_VERSION_KEY) > version
    assert services.cached_public_page("page")[1] is None  # the old copy is never served
    assert "GA" in client.get("/roadmap/").content.decode()


PUBLIC_PATHS = ("/roadmap/", "/roadmap/feed/", "/api/public/roadmap/")


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_cdn_may_keep_every_public_answer_and_serve_it_stale_while_it_refreshes(client, path):
    PublicItemFactory()
    cache_control = client.get(path)["Cache-Control"]
    for directive in ("public", "max-age=60", "stale-while-revalidate=300", "stale-if-error=300"):
        assert directive in cache_control, (path, cache_control)


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_answer_is_conditional(client, path):
    PublicItemFactory()
    first = client.get(path)
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    assert "public" in again["Cache-Control"]
    other = client.get(path, HTTP_IF_NONE_MATCH='"an-older-version"')
    assert other.status_code == 200 and other.content == first.content


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_signed_in_visitor_gets_the_same_anonymous_cacheable_answer(client, pm, path):
    PublicItemFactory()
    anonymous = client.get(path)
    client.force_login(pm)
    client.get("/submit/")  # a CSRF cookie and a session, as a real browser would carry
    response = client.get(path)
    assert response.content == anonymous.content
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies, response.cookies
    assert "private" not in response["Cache-Control"]
