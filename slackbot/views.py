"""`/slack/events`: the one request URL Slack sends commands, shortcuts and interactions to.

Every request is checked before anything reads it: the signature (HMAC-SHA256 of
`v0:<timestamp>:<body>` keyed by SLACK_SIGNING_SECRET), a timestamp within five minutes, and a
signature not seen before (a captured request sent again is a replay). A refused request gets
401 and one log line without its body (Bolt's own check would log the body).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_sdk.signature import SignatureVerifier

from intake.addresses import client_address

from .bolt import request_handler

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60


def _refusal(request) -> str:
    """Why this request is not from Slack, or "" if it is."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        return "SLACK_SIGNING_SECRET is not set"
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        return "no signature or timestamp"
    if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        return f"timestamp {timestamp} is more than five minutes away (replayed?)"
    if not SignatureVerifier(secret).is_valid(request.body, timestamp, signature):
        return "bad signature"
    # Kept a little longer than a timestamp stays acceptable.
    if not cache.add(f"slackbot:seen:{signature}", 1, MAX_AGE_SECONDS + 60):
        return "replayed: this signature was already used"
    return ""


@csrf_exempt  # Slack signs its requests instead; see _refusal.
@require_POST
def events(request):
    refusal = _refusal(request)
    if refusal:
        logger.warning(
            "Refused a request to /slack/events from %s: %s",
            client_address(request),
            refusal,
        )
        return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    # One transaction per request: a listener that fails half-way leaves nothing behind.
    with transaction.atomic():
        return request_handler().handle(request)
