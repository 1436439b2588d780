"""Login lockout (django-axes) for logins that come over the network."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a login while its account or address is locked out. A login without a request
    (a management command, a shell) has no address and nobody guessing: it is let through to
    the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
