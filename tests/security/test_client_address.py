"""One function decides who is asking; by default the peer, whatever the headers say."""

import pytest
from django.test import RequestFactory

from intake.addresses import client_address


def _address(forwarded=None, peer="203.0.113.5"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=peer, **extra))


def test_by_default_no_forwarded_header_is_believed(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 0, []
    assert _address("198.51.100.1") == "203.0.113.5"
    assert _address("198.51.100.1, 10.0.0.1") == "203.0.113.5"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.66, 198.51.100.7", "198.51.100.7"),  # the left entry was made up
        (2, "192.0.2.66, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # fewer hops than proxies: the leftmost vouched
        (1, "", "10.0.0.1"),  # the proxy added nothing: the peer
        (1, "not-an-address", "10.0.0.1"),
        (1, "198.51.100.7:51234", "198.51.100.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_a_hop_count_believes_that_many_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = count, []
    assert _address(forwarded, peer="10.0.0.1") == expected


def test_trusted_networks_believe_only_proxies_inside_them(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 0, ["10.0.0.0/8"]
    assert _address("192.0.2.66, 198.51.100.7, 10.1.2.3", peer="10.0.0.1") == "198.51.100.7"
    # A peer outside the networks is the client, whatever it forwards.
    assert _address("198.51.100.7", peer="203.0.113.5") == "203.0.113.5"


def test_a_bad_trusted_network_stops_the_app_at_start():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "TRUSTED_PROXY_NETWORKS": "10.0.0/33",
             "PATH": ""},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRUSTED_PROXY_NETWORKS" in result.stderr


def test_a_peer_that_is_no_address_gives_none(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert _address("198.51.100.7", peer="") is None
