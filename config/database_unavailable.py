"""While the database is unreachable, pages answer a plain 503 with Retry-After, not a 500.

The middleware turns a connection failure raised by a view into the 503; `server_error` (the
project's handler500) does the same for one raised outside a view (a middleware saving the
session), and is Django's own 500 page otherwise. The page is rendered without the request, so
it needs no database (no user, no context processors) and shows no internal text.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from .outages import outage_of

RETRY_AFTER_SECONDS = 30
# Connection refused or dropped, server shutting down, connection already closed.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)

_outage = outage_of("Database")


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The service is briefly unavailable. Try again shortly."}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 503:
            _outage.succeeded()
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE_ERRORS):
            _outage.failed(exception)
            return unavailable_response(request)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE_ERRORS):
        _outage.failed(error)
        return unavailable_response(request)
    return defaults.server_error(request, template_name)
