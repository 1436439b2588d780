"""Rollout tests see every change at once (ROLLOUT_REFRESH_SECONDS=0) unless they measure the
real delay; tests/conftest.py drops compiled flags and remembered SDK keys between tests."""

import pytest
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider

from rollout import services


@pytest.fixture(autouse=True)
def _see_changes_at_once(settings):
    settings.ROLLOUT_REFRESH_SECONDS = 0


@pytest.fixture
def sdk_key(db) -> str:
    return services.create_sdk_key(name="tests")[1]


@pytest.fixture
def ofrep_client(live_server, sdk_key):
    """The real OpenFeature Python SDK with its OFREP provider, pointed at the live server."""
    api.set_provider(
        OFREPProvider(
            live_server.url, headers_factory=lambda: {"Authorization": f"Bearer {sdk_key}"}
        )
    )
    yield api.get_client()
    api.clear_providers()
