"""The OpenFeature Remote Evaluation Protocol (OFREP) for products, and flagd's sync file.

`POST /ofrep/v1/evaluate/flags/{key}` and `POST /ofrep/v1/evaluate/flags` (bulk, with an ETag:
304 when neither the flags nor the context changed); `GET /ofrep/flagd.json` for flagd
replicas. Every request needs `Authorization: Bearer <SDK key>`.
"""

import hashlib
import json
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import evaluation, sdk_keys


def _error(status: int, code: str, details: str, key: str | None = None) -> JsonResponse:
    body = {"errorCode": code, "errorDetails": details}
    if key is not None:
        body = {"key": key, **body}
    return JsonResponse(body, status=status)


def sdk_key_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sdk_keys.is_valid(sdk_keys.bearer_key(request.headers.get("Authorization", ""))):
            response = _error(401, "UNAUTHORIZED", "Send a valid SDK key as a Bearer token.")
            response["WWW-Authenticate"] = 'Bearer realm="ofrep"'
            return response
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def _context(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise evaluation.InvalidContext("The body is not valid JSON.") from None
    return evaluation.context_from(body)


@require_POST
@sdk_key_required
def evaluate_flag(request, key: str):
    try:
        context = _context(request)
    except evaluation.InvalidContext as error:
        return _error(400, "INVALID_CONTEXT", str(error), key)
    compiled = evaluation.current()
    if key not in compiled.resolvers:
        return _error(404, "FLAG_NOT_FOUND", f"No flag {key}.", key)
    answer = evaluation.evaluate(compiled, key, context)
    return JsonResponse(answer, status=400 if "errorCode" in answer else 200)


@require_POST
@sdk_key_required
def evaluate_flags(request):
    try:
        context = _context(request)
    except evaluation.InvalidContext as error:
        return _error(400, "INVALID_CONTEXT", str(error))
    compiled = evaluation.current()
    # The answer depends only on the flags (their revision) and the context sent.
    digest = hashlib.sha256(request.body or b"{}").hexdigest()
    etag = f'"{compiled.revision}-{digest[:20]}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        body = compiled.bulk_answer(digest, context)
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@sdk_key_required
def flagd_json(request):
    compiled = evaluation.current()
    etag = f'"{compiled.revision}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(compiled.definitions)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
