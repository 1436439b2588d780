"""The worst bug this product can have: internal text reaching a customer or the public.

Every internal field of items, ideas, signals and organizations holds a unique sentinel; every
customer and public page, the feed and every public or customer API endpoint must show none,
nor may any page or e-mail of following an item by e-mail.
"""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.models import Idea, Signal
from roadmap import following, services
from roadmap.models import Follower, RoadmapItem
from tests.factories import (
    IdeaFactory,
    OrganizationFactory,
    SignalFactory,
    TeamFactory,
    UserFactory,
    api_token,
)
from tests.roadmap.factories import RoadmapItemFactory

pytestmark = pytest.mark.django_db


class Sentinels:
    """Hands out unique markers and remembers which field each one sits in."""

    def __init__(self, prefix: str = "SENTINEL"):
        self.prefix = prefix
        self.where: dict[str, str] = {}

    def __call__(self, field: str) -> str:
        marker = f"{self.prefix}{len(self.where):03d}Z"
        self.where[marker] = field
        return marker

    def found_in(self, text: str) -> list[str]:
        return [f"{marker} ({field})" for marker, field in self.where.items() if marker in text]


def _idea(s: Sentinels, label: str, **extra) -> Idea:
    return IdeaFactory(
        title=s(f"{label} idea title"),
        description=s(f"{label} idea description"),
        internal_notes=s(f"{label} idea internal_notes"),
        decline_reason=s(f"{label} idea decline_reason")
        if extra.get("status") == "declined"
        else "",
        revisit_when=s(f"{label} idea revisit_when"),
        score_breakdown={"note": s(f"{label} idea score_breakdown")},
        product_area=s(f"{label} idea product_area"),
        team=TeamFactory(name=s(f"{label} idea team")),
        pm=UserFactory(username=s(f"{label} idea pm").lower(), first_name=s(f"{label} pm name")),
        **extra,
    )


def _signals(s: Sentinels, idea: Idea, org, label: str) -> None:
    SignalFactory(
        idea=idea,
        source=Signal.Source.SALES,
        organization=org,
        title=s(f"{label} sales signal title"),
        body=s(f"{label} sales signal body"),
        author=s(f"{label} sales signal author"),
        author_email=f"{s(f'{label} sales signal email').lower()}@example.com",
        external_id=s(f"{label} sales signal external_id"),
        competitor=s(f"{label} sales signal competitor"),
        raw={"note": s(f"{label} sales signal raw")},
        arr_at_stake=Decimal("9876543.21"),
        deal_stage=Signal.DealStage.OPEN,
        urgency=Signal.Urgency.BLOCKER,
    )
    SignalFactory(
        idea=idea,
        source=Signal.Source.GITHUB_ISSUE,
        url="https://github.com/example-mesh/mesh/issues/42",
        votes=12,
        title=s(f"{label} github signal title"),
        body=s(f"{label} github signal body"),
        author=s(f"{label} github signal author"),
        external_id=s(f"{label} github signal external_id"),
    )


def _item(s: Sentinels, label: str, visibility: str, ideas: list[Idea], **extra) -> RoadmapItem:
    item = RoadmapItemFactory(
        title=s(f"{label} item title"),
        internal_notes=s(f"{label} item internal_notes"),
        quarter=s(f"{label} item quarter"),
        key=s(f"{label} item key"),
        problem_doc=s(f"{label} item problem_doc"),
        one_pager=s(f"{label} item one_pager"),
        project_doc=s(f"{label} item project_doc"),
        team=TeamFactory(name=s(f"{label} item team")),
        pm=UserFactory(username=s(f"{label} item pm").lower(), first_name=s(f"{label} item pm")),
        visibility=visibility,
        ideas=ideas,
        **extra,
    )
    item.dependent_teams.set([TeamFactory(name=s(f"{label} item dependent team"))])
    return item


@pytest.fixture
def world():
    """Three items (internal, customer, public) and two customers who asked for them."""
    s = Sentinels()
    mine = OrganizationFactory(name="Acme Robotics", arr=Decimal("7654321.00"))
    other = OrganizationFactory(name=s("other organization name"), arr=Decimal("7654321.00"))
    customer_only_text = Sentinels(
        "CUSTOMERTEXT"
    )  # customer text: fine for customers, never for the public

    ideas = {label: _idea(s, label) for label in ("internal", "customer", "public")}
    declined = _idea(s, "declined", status=Idea.Status.DECLINED)
    for label, idea in [*ideas.items(), ("declined", declined)]:
        _signals(s, idea, other, f"{label} other-org")
        _signals(s, idea, mine, f"{label} my-org")
    ideas["customer"].customer_summary = customer_only_text("customer idea customer_summary")
    ideas["customer"].public_summary = s("customer idea public_summary (unused)")
    ideas["customer"].save()

    internal = _item(s, "internal", RoadmapItem.Visibility.INTERNAL, [ideas["internal"]])
    # Even text written for outsiders stays hidden while the item is internal.
    internal.customer_title = s("internal item's customer_title")
    internal.public_title = s("internal item's public_title")
    internal.save()
    customer_item = _item(
        s,
        "customer",
        RoadmapItem.Visibility.CUSTOMER,
        [ideas["customer"]],
        customer_title=customer_only_text("customer item customer_title"),
        customer_description=customer_only_text("customer item customer_description"),
        public_title=s("customer item's public_title"),
        public_description=s("customer item's public_description"),
    )
    public_item = _item(
        s,
        "public",
        RoadmapItem.Visibility.PUBLIC,
        [ideas["public"]],
        customer_title="Faster relays",
        customer_description="Customers read this.",
        public_title="Faster relays for everyone",
        public_description="Everyone reads this.",
        stage=RoadmapItem.Stage.SHIPPED,
        shipped_at=timezone.now(),
        changelog="Relays are faster.",
    )
    customer_user = UserFactory(username="carla")
    from roadmap.models import CustomerAccount

    CustomerAccount.objects.create(user=customer_user, organization=mine)
    link = services.create_share_link(organization=mine, user=None, days=7)
    return {
        "s": s,
        "customer_text": customer_only_text,
        "customer": customer_user,
        "link": link,
        "items": (internal, customer_item, public_item),
        "other": other,
    }


def _fetch(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _assert_clean(text: str, *sentinel_sets, url: str) -> None:
    leaks = [leak for sentinels in sentinel_sets for leak in sentinels.found_in(text)]
    assert not leaks, f"{url} leaks {leaks}"
    for secret_number in ("9876543", "9,876,543", "7654321", "7,654,321"):
        assert secret_number not in text, f"{url} shows ARR"


PUBLIC_URLS = ["/roadmap/", "/roadmap/feed/", "/api/public/roadmap/", "/api/schema/"]


def test_public_pages_feed_and_api_show_no_internal_or_customer_text(client, world):
    for url in PUBLIC_URLS:
        text = _fetch(client, url)
        _assert_clean(text, world["s"], world["customer_text"], url=url)
    assert "Faster relays for everyone" in _fetch(client, "/roadmap/")
    assert "Faster relays for everyone" in _fetch(client, "/roadmap/feed/")


def test_public_pages_name_no_organization(client, world):
    for url in PUBLIC_URLS:
        assert "Acme Robotics" not in _fetch(client, url), url


def test_customer_pages_and_api_show_no_internal_text(client, world):
    client.force_login(world["customer"])
    token = api_token(world["customer"])
    pages = {
        "/roadmap/customer/": {},
        f"/roadmap/c/{world['link'].token}/": {},
        "/api/customer/roadmap/": {"HTTP_AUTHORIZATION": f"Token {token}"},
        "/api/customer/ideas/": {"HTTP_AUTHORIZATION": f"Token {token}"},
    }
    for url, headers in pages.items():
        text = _fetch(client, url, **headers)
        _assert_clean(text, world["s"], url=url)
    page = _fetch(client, "/roadmap/customer/")
    assert world["customer_text"].found_in(page), "the customer's own text is shown"


def test_share_link_shows_no_internal_text_to_an_anonymous_holder(client, world):
    url = f"/roadmap/c/{world['link'].token}/"
    _assert_clean(_fetch(client, url), world["s"], url=url)


def test_another_customers_organization_never_appears_on_a_customers_page(client, world):
    client.force_login(world["customer"])
    for url in ("/roadmap/customer/", f"/roadmap/c/{world['link'].token}/"):
        page = _fetch(client, url)
        assert world["other"].name not in page
        assert "Acme Robotics" in page


def test_customer_pages_show_no_flag_details_percentage_or_other_organization(client, world):
    """Feature flags: a customer sees "Enabled for your organization" and nothing more."""
    from rollout import services as rollout_services
    from tests.rollout.factories import FlagFactory

    s = world["s"]
    _, customer_item, public_item = world["items"]
    mine = world["customer"].customer_account.organization
    customer_item.stage = RoadmapItem.Stage.BETA
    customer_item.save()
    beta = FlagFactory(
        key="leakcheck-beta",
        item=customer_item,
        state="percentage",
        percentage=37,
        description=s("flag description"),
    )
    beta.allow.add(mine)
    beta.opted_in.add(world["other"])
    killed = FlagFactory(
        key="leakcheck-killed",
        item=public_item,
        state="everyone",
        description=s("killed flag description"),
    )
    rollout_services.kill_flag(flag=killed, reason=s("kill reason"))
    rollout_services.bump_revision()
    client.force_login(world["customer"])
    pages = ["/roadmap/customer/", f"/roadmap/c/{world['link'].token}/", "/roadmap/"]
    for url in pages:
        text = _fetch(client, url)
        _assert_clean(text, s, url=url)
        for secret in ("leakcheck", "37 %", "37%", "percentage", "killed", world["other"].name):
            assert secret.lower() not in text.lower(), (url, secret)
    assert "Enabled for your organization" in _fetch(client, "/roadmap/customer/")


def test_the_customer_portal_shows_no_internal_text_nor_another_customers_request(
    client, world, settings, django_capture_on_commit_callbacks
):
    """ "This matters to us", "ask for something new" (its page with errors too) and the
    suggestions as the customer types: every word of every sentinel finds nothing internal."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS)  # hundreds of lookups here
    s = world["s"]
    internal, customer_item, _ = world["items"]
    other_request = IdeaFactory(
        title=s("other customer's idea title"),
        customer_summary=s("other customer's idea customer_summary"),
    )
    SignalFactory(idea=other_request, organization=world["other"], title=s("other signal"))
    # Even on an item Acme can see, another customer's request is not offered to Acme.
    customer_item.ideas.add(other_request)
    client.force_login(world["customer"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/roadmap/customer/matters/", {"item": customer_item.pk, "level": "blocker"})
        client.post(
            "/roadmap/customer/ask/", {"title": "Per-team audit export", "words": "For our SOC"}
        )
    pages = {
        "/roadmap/customer/": _fetch(client, "/roadmap/customer/"),
        "matters, refused": client.post(
            "/roadmap/customer/matters/", {"item": internal.pk, "level": "blocker"}
        ).content.decode(),
        "ask, refused": client.post("/roadmap/customer/ask/", {"title": ""}).content.decode(),
    }
    for marker in s.where:
        # An internal word never decides what is offered, even in customer words.
        answer = client.get("/roadmap/customer/similar/", {"q": marker}).json()
        assert answer == {"results": []}, (marker, s.where[marker], answer)
    for marker in world["customer_text"].where:
        pages[f"similar {marker}"] = _fetch(client, f"/roadmap/customer/similar/?q={marker}")
    for field in [*s.where.values(), "idea title", "item title", "notes"]:
        pages[f"similar {field}"] = _fetch(client, f"/roadmap/customer/similar/?q={field}")
    for url, text in pages.items():
        _assert_clean(text, s, url=url)
        assert world["other"].name not in text, url
    found = _fetch(client, "/roadmap/customer/similar/?q=" + customer_item.customer_title)
    assert customer_item.customer_title in found, "the customer's own items are offered"


def _follow_pages_and_mails(client, capture, item_ids, email: str, **post) -> list[tuple[str, str]]:
    """Follow each item, confirm, open and press unsubscribe: every page and e-mail met on the
    way, as (where, text)."""
    seen = []
    for item_id in item_ids:
        with capture(execute=True):
            response = client.post("/roadmap/follow/", {"item": item_id, "email": email, **post})
        seen.append((f"follow {item_id} ({response.status_code})", response.content.decode()))
    for message in mail.outbox:
        seen.append((f"mail {message.subject}", message.subject + message.body))
        for url in re.findall(r"https?://\S+/roadmap/follow/confirm/\S+", message.body):
            seen.append((url, _fetch(client, urlsplit(url).path)))
    mail.outbox.clear()
    for follower in Follower.objects.filter(email=email):
        for kind in ("now", "shipped"):
            RoadmapItem.objects.filter(pk=follower.item_id).update(
                horizon="now", stage="shipped" if kind == "shipped" else "beta"
            )
            following.notify_followers(item_id=follower.item_id, kind=kind)
    for message in mail.outbox:
        headers = " ".join(message.extra_headers.values())
        seen.append((f"mail {message.subject}", message.subject + message.body + headers))
        path = urlsplit(message.extra_headers["List-Unsubscribe"].strip("<>")).path
        seen.append((f"GET {path}", _fetch(client, path)))
        seen.append((f"POST {path}", client.post(path).content.decode()))
    mail.outbox.clear()
    return seen


def test_following_by_email_shows_the_public_no_internal_or_customer_text(
    client, world, django_capture_on_commit_callbacks
):
    internal, customer_item, public_item = world["items"]
    RoadmapItem.objects.filter(pk=public_item.pk).update(stage="beta", horizon="next")
    seen = _follow_pages_and_mails(
        client,
        django_capture_on_commit_callbacks,
        [internal.pk, customer_item.pk, public_item.pk],
        "visitor@example.net",
    )
    assert any("Faster relays for everyone" in text for where, text in seen if "mail" in where)
    assert sum(1 for where, _ in seen if where.startswith("mail")) == 3  # confirm, now, shipped
    for where, text in seen:
        _assert_clean(text, world["s"], world["customer_text"], url=where)
        assert "Acme Robotics" not in text, where


def test_following_by_email_shows_a_customer_no_internal_text(
    world, django_capture_on_commit_callbacks
):
    internal, customer_item, public_item = world["items"]
    RoadmapItem.objects.filter(pk=public_item.pk).update(stage="beta", horizon="next")
    customer = world["customer"]
    customer.email = "carla@acme.example"
    customer.save()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    page = _fetch(browser, "/roadmap/customer/")
    _assert_clean(page, world["s"], url="/roadmap/customer/ with follow forms")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    seen = _follow_pages_and_mails(
        browser,
        django_capture_on_commit_callbacks,
        [internal.pk, customer_item.pk, public_item.pk],
        "carla@acme.example",
        csrfmiddlewaretoken=token,
    )
    mails = [text for where, text in seen if where.startswith("mail")]
    assert len(mails) == 6  # two confirmations, then Now and shipped for each item
    assert any(world["customer_text"].found_in(text) for text in mails)
    for where, text in seen:
        _assert_clean(text, world["s"], url=where)
