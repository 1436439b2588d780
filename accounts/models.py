"""API tokens: only a hash is stored (django-rest-knox), with a name, an expiry and last use."""

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A token for `Authorization: Token <token>`. Revoking one deletes it."""

    name = models.CharField(max_length=100, help_text="What uses it, e.g. “CRM bot”.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name or 'Token'} ({self.token_key}…) of {self.user}"
