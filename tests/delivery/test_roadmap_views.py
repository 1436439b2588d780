"""Linked work and progress on the internal roadmap and /api/roadmap/, and nowhere else."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import api_token
from tests.roadmap.factories import PublicItemFactory

from .factories import ItemDeliveryFactory, WorkLinkFactory


def _item_with_work(done: int, total: int, **fields):
    item = PublicItemFactory(**fields)
    for n in range(total):
        WorkLinkFactory(item=item, state="closed" if n < done else "open", done=n < done)
    ItemDeliveryFactory(item=item, done_count=done, total_count=total)
    return item


def _queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured.captured_queries)


def test_internal_roadmap_shows_progress_and_each_link(client, employee):
    item = _item_with_work(3, 5)
    client.force_login(employee)

    page = client.get("/roadmap/internal/").content.decode()

    assert "3 of 5 done" in page
    for link in item.work_links.all():
        assert link.url in page


def test_api_roadmap_shows_linked_work_progress_and_release(client, employee):
    item = _item_with_work(1, 2, surface="client", min_client_version="1.66.0")
    item.delivery.release_tag = "v1.66.0"
    item.delivery.save()
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}

    data = client.get("/api/roadmap/", **auth).json()["results"][0]

    assert data["min_client_version"] == "1.66.0"
    assert data["delivery"]["progress"] == {"done": 1, "total": 2}
    assert data["delivery"]["release"] == "v1.66.0"
    assert data["delivery"]["shipped_in"] == "1.66"
    assert [(w["url"], w["state"]) for w in data["delivery"]["linked_work"]] == [
        (link.url, link.state) for link in item.work_links.order_by("pk")
    ]


def test_internal_page_and_api_cost_the_same_queries_however_many_links(client, employee):
    _item_with_work(1, 2)
    client.force_login(employee)
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(employee)}"}
    client.get("/roadmap/internal/")
    client.get("/api/roadmap/", **auth)
    few = (_queries(client, "/roadmap/internal/"), _queries(client, "/api/roadmap/", **auth))

    for _ in range(5):
        _item_with_work(4, 9)

    many = (_queries(client, "/roadmap/internal/"), _queries(client, "/api/roadmap/", **auth))
    assert few == many


def test_public_and_customer_views_show_no_tracker_data(client, customer):
    item = _item_with_work(1, 2, visibility="public")
    url = item.work_links.first().url
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(customer)}"}

    public = client.get("/api/public/roadmap/").content.decode()
    public_page = client.get("/roadmap/").content.decode()
    customer_api = client.get("/api/customer/roadmap/", **auth).content.decode()
    client.force_login(customer)
    customer_page = client.get("/roadmap/customer/").content.decode()

    for body in (public, public_page, customer_api, customer_page):
        assert item.public_title in body or item.customer_title in body
        assert url not in body
        assert "of 2 done" not in body
        assert "linked_work" not in body
        assert "Last sync failed" not in body
