"""Each test starts with no compiled flags and no remembered SDK keys in this process, and
sees every change at once (ROLLOUT_REFRESH_SECONDS=0) unless it measures the real delay."""

import pytest
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider

from rollout import evaluation, sdk_keys, services


@pytest.fixture(autouse=True)
def _fresh_rollout_state(settings):
    settings.ROLLOUT_REFRESH_SECONDS = 0
    evaluation.forget()
    sdk_keys.forget()
    yield
    evaluation.forget()
    sdk_keys.forget()


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
