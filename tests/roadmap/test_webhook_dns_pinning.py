"""A webhook connects to the very address that was checked: a DNS answer that changes between
the check and the connection (rebinding) cannot make it reach an internal host.

The resolver here is the test's own: `socket.getaddrinfo` answers from a table the test
controls, and changes its answer after the first lookup, as a rebinding DNS server would.
Receivers listen on loopback addresses; the public address is routed to one of them by the
same resolver (a numeric lookup is how a connection finds its peer)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from intake import services as intake_services
from roadmap.models import WebhookDelivery
from tests.factories import IdeaFactory
from tests.roadmap.factories import WebhookFactory

pytestmark = pytest.mark.django_db
HOST = "hooks.example.test"
PUBLIC = "93.184.216.34"  # a public internet address: passes the check


class Receiver:
    def __init__(self, address: str, port: int = 0):
        self.requests: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.requests.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((address, port), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RebindingResolver:
    """Answers `HOST` with `first`, then with `later` for every lookup after; routes numeric
    lookups of the public address to a loopback receiver standing in for that host."""

    def __init__(self, first: str, later: str, routes: dict[str, str]):
        self.first, self.later, self.routes = first, later, routes
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host == HOST:
            self.lookups.append(host)
            answer = self.first if len(self.lookups) == 1 else self.later
            return self.real(answer, port, *args, **kwargs)
        return self.real(self.routes.get(host, host), port, *args, **kwargs)


@pytest.fixture
def internal():
    receiver = Receiver("127.0.0.1")
    yield receiver
    receiver.close()


@pytest.fixture
def public_host(internal):
    receiver = Receiver("127.0.0.2", internal.port)  # the "public" host, same port
    yield receiver
    receiver.close()


def _deliver(django_capture_on_commit_callbacks, port: int) -> WebhookDelivery:
    WebhookFactory(url=f"http://{HOST}:{port}/hook", events=["idea.status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.set_idea_status(idea=IdeaFactory(), status="planned")
    return WebhookDelivery.objects.get()


def test_a_rebinding_answer_after_the_check_cannot_reach_an_internal_host(
    monkeypatch, settings, internal, public_host, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    resolver = RebindingResolver(PUBLIC, "127.0.0.1", routes={PUBLIC: "127.0.0.2"})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    delivery = _deliver(django_capture_on_commit_callbacks, internal.port)

    assert internal.requests == []
    assert len(public_host.requests) == 1
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert resolver.lookups == [HOST]  # looked up once: the check; the connection used it


def test_the_checked_address_is_the_one_connected_to(
    monkeypatch, settings, internal, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # both receivers are on loopback
    other = Receiver("127.0.0.3", internal.port)
    try:
        monkeypatch.setattr(socket, "getaddrinfo", RebindingResolver("127.0.0.1", "127.0.0.3", {}))
        _deliver(django_capture_on_commit_callbacks, internal.port)
    finally:
        other.close()
    assert (len(internal.requests), len(other.requests)) == (1, 0)


def test_a_host_answering_a_private_address_first_is_refused_without_a_request(
    monkeypatch, settings, internal, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    monkeypatch.setattr(socket, "getaddrinfo", RebindingResolver("127.0.0.1", PUBLIC, {}))
    delivery = _deliver(django_capture_on_commit_callbacks, internal.port)
    assert internal.requests == []
    assert delivery.error.startswith("Refused, no request made")
