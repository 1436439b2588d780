import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Lockout tests try many passwords; a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
