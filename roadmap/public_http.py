"""HTTP caching of the public roadmap, feed and public API: what lets a CDN or an nginx cache in
front take a front-page spike.

Each answer names its version (an ETag of its body), answers a conditional request with a 304
and no body, and may be kept by shared caches for `PUBLIC_ROADMAP_MAX_AGE` seconds and served
stale for `PUBLIC_ROADMAP_STALE_SECONDS` more while the cache fetches a fresh copy (or while the
app is down). Nothing here reads the session or the user, so no cookie and no `Vary: Cookie`
ever makes these answers personal or uncacheable.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def make_public(response):
    """Mark an answer that is the same for everyone as cacheable by anyone."""
    stale = settings.PUBLIC_ROADMAP_STALE_SECONDS
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_ROADMAP_MAX_AGE,
        stale_while_revalidate=stale,
        stale_if_error=stale,
    )
    return response


def not_modified_or(request, response, etag: str):
    """`response` with its ETag, or a 304 when the client already holds that version."""
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None and conditional.status_code == HttpResponseNotModified.status_code:
        response = HttpResponseNotModified()
    response["ETag"] = etag
    return make_public(response)
