"""Which source module serves which connector kind. Adding a source: one module, one line here."""

from typing import Any

from .github import GitHubSource
from .models import Connector
from .reddit import RedditSource
from .retry import RetryPolicy
from .sources import Source
from .zendesk import ZendeskSource

SOURCES: dict[str, type[Source]] = {
    Connector.Kind.GITHUB: GitHubSource,
    Connector.Kind.REDDIT: RedditSource,
    Connector.Kind.ZENDESK: ZendeskSource,
}


def source_class(kind: str) -> type[Source]:
    try:
        return SOURCES[kind]
    except KeyError:
        raise ValueError(f"No source for connector kind {kind!r}") from None


def validate_options(kind: str, options: Any) -> dict[str, Any]:
    """The options normalised for `kind`, or a ValidationError on `options` saying what to fix."""
    return source_class(kind).validate_options(options)


def source_for(connector: Connector, *, policy: RetryPolicy | None = None) -> Source:
    cls = source_class(connector.kind)
    options = cls.validate_options(connector.options)
    return cls(options, policy=policy or RetryPolicy.from_settings())
