"""Delivery tests: local fake GitHub and Jira APIs, and settings pointing the real clients there."""

import pytest

from delivery.models import DeliveryTracker, ItemDelivery
from delivery.services import save_tracker
from tests.factories import OrganizationFactory, UserFactory
from tests.roadmap.factories import CustomerAccountFactory

from . import fake_trackers


@pytest.fixture
def customer(db):
    """A customer user of Acme Robotics: no group, a customer account."""
    user = UserFactory(username="carla")
    CustomerAccountFactory(user=user, organization=OrganizationFactory(name="Acme Robotics"))
    return user


@pytest.fixture
def trackers():
    fake = fake_trackers.FakeTrackers().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _tracker_settings(settings, request):
    if "trackers" in request.fixturenames:
        url = request.getfixturevalue("trackers").url
        settings.GITHUB_API_URL = url
        settings.JIRA_URL = url
    settings.GITHUB_TOKEN = fake_trackers.GITHUB_TOKEN
    settings.JIRA_EMAIL = fake_trackers.JIRA_EMAIL
    settings.JIRA_API_TOKEN = fake_trackers.JIRA_API_TOKEN
    settings.CONNECTORS_RETRY_ATTEMPTS = 2
    settings.CONNECTORS_BACKOFF_BASE_SECONDS = 0.01
    settings.CONNECTORS_BACKOFF_MAX_SECONDS = 0.02
    settings.CONNECTORS_MAX_RATE_LIMIT_WAIT_SECONDS = 0.5
    settings.CONNECTORS_HTTP_TIMEOUT_SECONDS = 5


def github_tracker(*repos: str) -> DeliveryTracker:
    return save_tracker(
        tracker=DeliveryTracker(kind="github", scope=list(repos or ["meshvpn/client"]))
    )


def jira_tracker(*projects: str) -> DeliveryTracker:
    return save_tracker(tracker=DeliveryTracker(kind="jira", scope=list(projects or ["NET"])))


def opt_in_to_auto_ship(item) -> None:
    """What the PM does in the item delivery admin."""
    ItemDelivery.objects.update_or_create(item=item, defaults={"auto_ship": True})
