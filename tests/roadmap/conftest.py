import pytest

from tests.factories import OrganizationFactory, UserFactory
from tests.roadmap.factories import CustomerAccountFactory


@pytest.fixture
def customer_org(db):
    return OrganizationFactory(name="Acme Robotics")


@pytest.fixture
def customer(customer_org):
    """A customer user of Acme Robotics: no group, a customer account."""
    user = UserFactory(username="carla")
    CustomerAccountFactory(user=user, organization=customer_org)
    return user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Role tests create every kind of user per test; a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_public_pages():
    """The process keeps the public page for a second; no test may see another's."""
    from roadmap import services

    services._local_pages.clear()
    yield
    services._local_pages.clear()
