""" "Add your vote" links come only from threads that a connector marked public brought in."""

import pytest

from connectors.models import Connector
from connectors.services import save_connector
from intake.models import Signal
from roadmap import selectors, services
from tests.factories import SignalFactory
from tests.roadmap.factories import PublicItemFactory

pytestmark = pytest.mark.django_db


def _connector(kind: str, options: dict, *, public: bool) -> Connector:
    return save_connector(
        connector=Connector(name=f"{kind} {options}", kind=kind, options=options, public=public)
    )


def _item_with(*signals):
    item = PublicItemFactory()
    for signal in signals:
        item.ideas.add(signal.idea)
    return item


def _links(item) -> list[str]:
    return [link.url for found in selectors.public_items() if found.id == item.pk
            for link in found.vote_links]  # fmt: skip


def test_a_connector_is_private_unless_marked_public():
    assert _connector("github", {"repos": ["acme/vpn"]}, public=False).public is False
    assert Connector._meta.get_field("public").default is False


def test_threads_of_a_private_connector_never_become_vote_links():
    _connector("github", {"repos": ["acme/internal-roadmap"]}, public=False)
    _connector("github", {"repos": ["acme/vpn"]}, public=True)
    private = SignalFactory(source=Signal.Source.GITHUB_ISSUE,
                            url="https://github.com/acme/internal-roadmap/issues/4")  # fmt: skip
    public = SignalFactory(source=Signal.Source.GITHUB_ISSUE,
                           url="https://github.com/Acme/VPN/issues/9")  # fmt: skip
    item = _item_with(private, public)
    assert _links(item) == ["https://github.com/Acme/VPN/issues/9"]


def test_reddit_threads_follow_their_subreddits_connector():
    _connector("reddit", {"subreddits": ["meshvpn"]}, public=True)
    _connector("reddit", {"subreddits": ["acme_staff"]}, public=False)
    public = SignalFactory(
        source=Signal.Source.REDDIT_POST,
        url="https://www.reddit.com/r/MeshVPN/comments/abc/exit_nodes/",
    )
    private = SignalFactory(
        source=Signal.Source.REDDIT_POST,
        url="https://www.reddit.com/r/acme_staff/comments/def/plans/",
    )
    item = _item_with(public, private)  # fmt: skip
    assert _links(item) == ["https://www.reddit.com/r/MeshVPN/comments/abc/exit_nodes/"]


def test_a_thread_no_connector_brought_is_not_linked():
    item = _item_with(SignalFactory(source=Signal.Source.GITHUB_ISSUE,
                                    url="https://github.com/someone/else/issues/1"))  # fmt: skip
    assert _links(item) == []


def test_marking_a_connector_public_shows_its_links_on_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    connector = _connector("github", {"repos": ["acme/vpn"]}, public=False)
    _item_with(SignalFactory(source=Signal.Source.GITHUB_ISSUE,
                             url="https://github.com/acme/vpn/issues/9"))  # fmt: skip
    assert "acme/vpn/issues/9" not in client.get("/roadmap/").content.decode()
    connector.public = True
    with django_capture_on_commit_callbacks(execute=True):
        save_connector(connector=connector)
    services._local_pages.clear()  # this process's one-second copy
    assert "acme/vpn/issues/9" in client.get("/roadmap/").content.decode()
