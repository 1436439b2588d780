"""Following a roadmap item by e-mail, without an account: double opt-in, one notice when the
item moves to Now and one when it ships, in the follower's audience's words, each with a
one-click unsubscribe that deletes the address."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from roadmap import following, handlers, services
from roadmap.models import Follower, FollowNotice, RoadmapItem
from tests.factories import UserFactory
from tests.roadmap.factories import (
    CustomerAccountFactory,
    CustomerItemFactory,
    FollowerFactory,
    PublicItemFactory,
    RoadmapItemFactory,
)

pytestmark = pytest.mark.django_db

FOLLOW = "/roadmap/follow/"


@pytest.fixture
def item():
    return PublicItemFactory(
        title="Internal: DERP rewrite, Globex pays for it",
        internal_notes="Two engineers, Q3.",
        customer_title="Faster relays (customers)",
        customer_description="Customers read this.",
        public_title="Faster relays",
        public_description="Everyone reads this.",
        horizon=RoadmapItem.Horizon.NEXT,
    )


@pytest.fixture
def follow(django_capture_on_commit_callbacks):
    """POST /roadmap/follow/ as a browser would; the confirmation e-mail goes out once the
    request's transaction commits (the outbox), so run what commits."""

    def post(client: Client, data: dict, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(FOLLOW, data, **extra)

    return post


def _link(message, kind: str) -> str:
    """The path of the confirm or unsubscribe link in an e-mail's body."""
    (url,) = re.findall(rf"https?://\S+/roadmap/follow/{kind}/\S+", message.body)
    return urlsplit(url).path


def _move_to_now(client: Client, pm, item: RoadmapItem, capture) -> None:
    """What a PM does in the admin: the item's horizon becomes Now."""
    client.force_login(pm)
    data = {
        "title": item.title, "visibility": item.visibility, "horizon": "now",
        "stage": item.stage, "priority": item.priority, "customer_title": item.customer_title,
        "customer_description": item.customer_description, "public_title": item.public_title,
        "public_description": item.public_description, "ideas": [], "dependent_teams": [],
    }  # fmt: skip
    with capture(execute=True):
        response = client.post(f"/admin/roadmap/roadmapitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()


def _ship(item: RoadmapItem, capture) -> None:
    with capture(execute=True):
        services.set_item_stage(item=item, stage=RoadmapItem.Stage.SHIPPED)


def test_a_visitor_follows_confirms_hears_once_at_now_and_unsubscribes_in_one_click(
    client, item, pm, django_capture_on_commit_callbacks, follow
):
    response = follow(client, {"item": item.pk, "email": " Ada@Example.NET "})
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ada@example.net"]
    assert "Faster relays" in confirmation.subject

    confirmed = client.get(_link(confirmation, "confirm"))
    assert confirmed.status_code == 200
    assert "You follow “Faster relays”" in confirmed.content.decode()
    assert confirmed["Referrer-Policy"] == "no-referrer"

    mail.outbox.clear()
    _move_to_now(Client(), pm, item, django_capture_on_commit_callbacks)
    (notice,) = mail.outbox
    assert notice.to == ["ada@example.net"]
    assert "is now being built" in notice.subject
    assert "Everyone reads this." in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = re.fullmatch(r"<(https?://\S+)>", notice.extra_headers["List-Unsubscribe"])[1]
    assert urlsplit(header_url).path == _link(notice, "unsubscribe")

    # What a mail client does (RFC 8058): a cookie-less POST of List-Unsubscribe=One-Click.
    one_click = Client(enforce_csrf_checks=True).post(
        urlsplit(header_url).path, {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    assert "You are unsubscribed" in one_click.content.decode()
    assert not Follower.objects.exists()

    mail.outbox.clear()
    _ship(item, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_an_unconfirmed_address_gets_nothing_but_the_confirmation(
    client, item, pm, django_capture_on_commit_callbacks, follow
):
    follow(client, {"item": item.pk, "email": "bob@example.net"})
    mail.outbox.clear()
    _move_to_now(Client(), pm, item, django_capture_on_commit_callbacks)
    _ship(item, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_shipped_item_tells_its_followers_once(item, django_capture_on_commit_callbacks):
    FollowerFactory(item=item, email="cy@example.net")
    _ship(item, django_capture_on_commit_callbacks)
    (notice,) = mail.outbox
    assert notice.subject == "“Faster relays” has shipped"
    assert "List-Unsubscribe" in notice.extra_headers


def test_following_again_keeps_one_row_and_gives_the_same_answer(client, item, follow):
    first = follow(client, {"item": item.pk, "email": "dee@example.net"})
    again = follow(client, {"item": item.pk, "email": "DEE@example.net"})
    assert Follower.objects.count() == 1
    assert len(mail.outbox) == 2  # unconfirmed: a fresh confirmation link
    client.get(_link(mail.outbox[-1], "confirm"))
    mail.outbox.clear()
    confirmed_again = follow(client, {"item": item.pk, "email": "dee@example.net"})
    assert first.content == again.content == confirmed_again.content
    assert mail.outbox == []  # already confirmed: nothing more is sent
    assert Follower.objects.count() == 1


def test_confirming_twice_is_harmless(client, item, follow):
    follow(client, {"item": item.pk, "email": "eve@example.net"})
    link = _link(mail.outbox[0], "confirm")
    assert client.get(link).status_code == 200
    when = Follower.objects.get().confirmed_at
    assert client.get(link).status_code == 200
    assert Follower.objects.get().confirmed_at == when


def test_opening_the_unsubscribe_link_only_shows_the_button(client, item):
    follower = FollowerFactory(item=item)
    page = client.get(urlsplit(following.unsubscribe_url(follower)).path)
    assert page.status_code == 200
    assert '<button type="submit">Unsubscribe</button>' in page.content.decode()
    assert Follower.objects.filter(pk=follower.pk).exists()


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe"])
def test_a_tampered_link_gets_a_clear_400(client, item, kind):
    follower = FollowerFactory(item=item)
    url = (
        following.confirm_url(follower)
        if kind == "confirm"
        else following.unsubscribe_url(follower)
    )
    path = urlsplit(url).path
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for method in ("get", "post") if kind == "unsubscribe" else ("get",):
        response = getattr(client, method)(tampered)
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert client.get(f"/roadmap/follow/{kind}/{'x' * 400}/").status_code == 400
    assert Follower.objects.filter(pk=follower.pk).exists()


def test_an_expired_confirmation_link_gets_410(client, item, settings, follow):
    follow(client, {"item": item.pk, "email": "fay@example.net"})
    link = _link(mail.outbox[0], "confirm")
    settings.FOLLOW_CONFIRM_DAYS = 0
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Follower.objects.get().confirmed_at is None


def test_an_unsubscribed_link_confirms_nothing_and_unsubscribes_harmlessly_again(
    client, item, follow
):
    follow(client, {"item": item.pk, "email": "gus@example.net"})
    follower = Follower.objects.get()
    confirm, unsubscribe = following.confirm_url(follower), following.unsubscribe_url(follower)
    assert client.post(urlsplit(unsubscribe).path).status_code == 200
    assert client.post(urlsplit(unsubscribe).path).status_code == 200
    assert client.get(urlsplit(confirm).path).status_code == 410
    assert not Follower.objects.exists()


def test_unconfirmed_addresses_are_forgotten_after_the_confirmation_days(item):
    stale = FollowerFactory(item=item, confirmed_at=None)
    Follower.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))
    fresh = FollowerFactory(item=item, confirmed_at=None)
    old_but_confirmed = FollowerFactory(item=item)
    Follower.objects.filter(pk=old_but_confirmed.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    from roadmap.tasks import purge_unconfirmed_followers

    assert purge_unconfirmed_followers() == 1
    assert set(Follower.objects.values_list("pk", flat=True)) == {fresh.pk, old_but_confirmed.pk}


# Customers -------------------------------------------------------------------------------------


@pytest.fixture
def carla(customer_org):
    user = UserFactory(username="carla", email="Carla@Acme.example")
    CustomerAccountFactory(user=user, organization=customer_org)
    return user


def _csrf_client(user) -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get("/roadmap/customer/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    return browser, token


def test_a_customer_follows_from_their_roadmap_and_hears_customer_wording(
    carla, item, django_capture_on_commit_callbacks, follow
):
    browser, token = _csrf_client(carla)
    page = browser.get("/roadmap/customer/").content.decode()
    assert 'value="Carla@Acme.example"' in page  # the form is filled with their address
    response = follow(
        browser, {"item": item.pk, "email": "carla@acme.example", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    follower = Follower.objects.get()
    assert (follower.audience, follower.organization) == (
        "customer",
        carla.customer_account.organization,
    )
    (confirmation,) = mail.outbox
    assert "Faster relays (customers)" in confirmation.subject
    browser.get(_link(confirmation, "confirm"))
    mail.outbox.clear()
    _ship(item, django_capture_on_commit_callbacks)
    (notice,) = mail.outbox
    assert "Faster relays (customers)" in notice.subject
    assert "Customers read this." in notice.body
    assert "Everyone reads this." not in notice.body
    assert "/roadmap/customer/" in notice.body


def test_a_customer_may_follow_a_customer_only_item(carla, follow):
    only_customers = CustomerItemFactory(customer_title="SCIM for Okta")
    browser, token = _csrf_client(carla)
    response = follow(
        browser,
        {"item": only_customers.pk, "email": "carla@acme.example", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert "SCIM for Okta" in mail.outbox[0].subject


def test_a_cross_site_request_from_a_logged_in_customer_is_treated_as_public(carla, item, follow):
    only_customers = CustomerItemFactory(customer_title="SCIM for Okta")
    browser, _ = _csrf_client(carla)
    # Another site's form: the customer's cookies ride along, the CSRF token does not.
    forged = follow(browser, {"item": item.pk, "email": "carla@acme.example"})
    assert forged.status_code == 200
    assert Follower.objects.get().audience == "public"
    assert "Faster relays" in mail.outbox[0].subject
    assert "customers" not in mail.outbox[0].subject
    hidden = follow(browser, {"item": only_customers.pk, "email": "carla@acme.example"})
    assert hidden.status_code == 400
    assert Follower.objects.count() == 1


def test_a_customer_following_for_another_address_gets_public_wording(carla, item, follow):
    browser, token = _csrf_client(carla)
    follow(browser, {"item": item.pk, "email": "boss@acme.example", "csrfmiddlewaretoken": token})
    assert Follower.objects.get().audience == "public"


def test_a_public_request_never_turns_a_customer_follower_public(carla, item, client, follow):
    browser, token = _csrf_client(carla)
    follow(browser, {"item": item.pk, "email": "carla@acme.example", "csrfmiddlewaretoken": token})
    follow(client, {"item": item.pk, "email": "carla@acme.example"})
    assert Follower.objects.get().audience == "customer"


# Bad input and limits --------------------------------------------------------------------------


def test_the_public_may_not_follow_what_it_cannot_see(client, follow):
    hidden = [RoadmapItemFactory(), CustomerItemFactory()]
    for item_id in [hidden[0].pk, hidden[1].pk, 987654, 10**30, -1, "abc", ""]:
        response = follow(client, {"item": item_id, "email": "ian@example.net"})
        assert response.status_code == 400
        assert "Could not follow" in response.content.decode()
    assert not Follower.objects.exists()
    assert mail.outbox == []


def test_an_invalid_address_gets_a_400_and_json_clients_get_json(client, item, follow):
    response = follow(client, {"item": item.pk, "email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.content.decode()
    as_json = follow(client, {"item": item.pk, "email": "nope"}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 400
    assert as_json.json() == {"errors": {"email": ["Enter a valid e-mail address."]}}
    ok = follow(
        client, {"item": item.pk, "email": "jo@example.net"}, HTTP_ACCEPT="application/json"
    )
    assert ok.json() == {"status": "confirmation_pending"}
    assert Follower.objects.count() == 1


def test_a_get_is_not_a_follow(client, item):
    assert client.get(FOLLOW, {"item": item.pk, "email": "kim@example.net"}).status_code == 405


@pytest.fixture
def follow_limits(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "follow": "3/hour",
        "follow_per_email": "2/hour",
    }


def test_follows_are_limited_per_client_address(client, follow_limits, follow):
    items = PublicItemFactory.create_batch(4)
    codes = [
        follow(client, {"item": i.pk, "email": f"p{n}@example.net"}).status_code
        for n, i in enumerate(items)
    ]
    assert codes == [200, 200, 200, 429]
    assert Follower.objects.count() == 3
    # Another client is not refused.
    other = follow(client, {"item": items[3].pk, "email": "q@example.net"}, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


def test_follows_are_limited_per_email_address_from_any_client(client, follow_limits, follow):
    items = PublicItemFactory.create_batch(3)
    codes = [
        follow(
            client, {"item": i.pk, "email": "victim@example.net"}, REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n, i in enumerate(items)
    ]
    assert codes == [200, 200, 429]
    assert len(mail.outbox) == 2


def test_behind_a_proxy_the_client_address_counts(client, follow_limits, settings, follow):
    settings.TRUSTED_PROXY_COUNT = 1
    items = PublicItemFactory.create_batch(4)

    def via_proxy(n, forwarded):
        data = {"item": items[n].pk, "email": f"r{n}@example.net"}
        return follow(
            client, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [via_proxy(n, "198.51.100.7") for n in range(3)] == [200, 200, 200]
    assert via_proxy(3, "198.51.100.7") == 429
    assert via_proxy(3, "198.51.100.8") == 200  # another visitor behind the same proxy


# Notices ---------------------------------------------------------------------------------------


def test_a_retried_handler_sends_nothing_twice(item):
    FollowerFactory.create_batch(2, item=item)
    RoadmapItem.objects.filter(pk=item.pk).update(horizon=RoadmapItem.Horizon.NOW)
    handlers.tell_followers_now({"item_id": item.pk})
    handlers.tell_followers_now({"item_id": item.pk})
    assert len(mail.outbox) == 2
    assert FollowNotice.objects.filter(sent_at__isnull=False).count() == 2


def test_a_failed_send_is_retried_and_the_others_are_not_sent_again(item, settings):
    FollowerFactory(item=item, email="ok@example.net")
    FollowerFactory(item=item, email="fails@example.net")
    RoadmapItem.objects.filter(pk=item.pk).update(horizon=RoadmapItem.Horizon.NOW)
    settings.EMAIL_BACKEND = "tests.roadmap.failing_mail.FailsForSomeBackend"
    with pytest.raises(OSError):
        handlers.tell_followers_now({"item_id": item.pk})
    assert [m.to for m in mail.outbox] == [["ok@example.net"]]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handlers.tell_followers_now({"item_id": item.pk})
    assert [m.to for m in mail.outbox] == [["ok@example.net"], ["fails@example.net"]]


def test_a_follower_whose_audience_no_longer_sees_the_item_hears_nothing(item):
    FollowerFactory(item=item)
    RoadmapItem.objects.filter(pk=item.pk).update(
        horizon=RoadmapItem.Horizon.NOW, visibility=RoadmapItem.Visibility.CUSTOMER
    )
    handlers.tell_followers_now({"item_id": item.pk})
    assert mail.outbox == []


def test_a_stale_move_to_now_says_nothing(item):
    FollowerFactory(item=item)
    # Moved to Now, then back to Next before the handler ran.
    handlers.tell_followers_now({"item_id": item.pk})
    assert mail.outbox == []


def test_moving_between_next_and_later_tells_no_one(item, pm, django_capture_on_commit_callbacks):
    FollowerFactory(item=item)
    with django_capture_on_commit_callbacks(execute=True):
        item.horizon = RoadmapItem.Horizon.LATER
        item.save()
        services.item_changed(item=item, previous_stage=item.stage, previous_horizon="next")
    assert mail.outbox == []


def test_telling_followers_costs_the_same_queries_for_3_or_30(item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RoadmapItem.objects.filter(pk=item.pk).update(horizon=RoadmapItem.Horizon.NOW)
    counts = []
    for size in (3, 30):
        Follower.objects.all().delete()
        FollowerFactory.create_batch(size, item=item)
        with CaptureQueriesContext(connection) as queries:
            assert following.notify_followers(item_id=item.pk, kind="now") == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_public_page_offers_the_follow_form_without_a_csrf_token(client, item):
    page = client.get("/roadmap/").content.decode()
    assert f'<input type="hidden" name="item" value="{item.pk}">' in page
    assert 'action="/roadmap/follow/"' in page
    assert "csrfmiddlewaretoken" not in page


def test_the_admin_shows_how_many_follow_but_no_address(client, superuser, item):
    FollowerFactory(item=item, email="secret-follower@example.net")
    FollowerFactory(item=item, confirmed_at=None)
    client.force_login(superuser)
    page = client.get(f"/admin/roadmap/roadmapitem/{item.pk}/change/").content.decode()
    assert "1 confirmed, 1 awaiting confirmation" in page
    assert "secret-follower" not in page


def test_the_confirmation_goes_once_even_if_its_handler_runs_twice(client, item, follow):
    follow(client, {"item": item.pk, "email": "lee@example.net"})
    follower = Follower.objects.get()
    handlers.send_follow_confirmation(
        {"follower_id": follower.pk, "event_key": follower.confirmation_key}
    )
    assert len(mail.outbox) == 1


def test_a_confirmation_the_mail_server_refused_is_sent_when_tried_again(item, settings):
    follower = FollowerFactory(item=item, email="fails@example.net", confirmed_at=None)
    payload = {"follower_id": follower.pk, "event_key": "a" * 32}
    settings.EMAIL_BACKEND = "tests.roadmap.failing_mail.FailsForSomeBackend"
    with pytest.raises(OSError):
        handlers.send_follow_confirmation(payload)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handlers.send_follow_confirmation(payload)
    (confirmation,) = mail.outbox
    assert confirmation.to == ["fails@example.net"]


def test_someone_who_left_the_customer_hears_nothing_more_in_its_words(
    carla, item, follow, django_capture_on_commit_callbacks
):
    browser, token = _csrf_client(carla)
    follow(browser, {"item": item.pk, "email": carla.email, "csrfmiddlewaretoken": token})
    browser.get(_link(mail.outbox[0], "confirm"))
    mail.outbox.clear()
    carla.is_active = False
    carla.save()
    _ship(item, django_capture_on_commit_callbacks)
    assert mail.outbox == []
