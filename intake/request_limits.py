"""Bodies larger than anyone needs are refused with 413 before they are read."""

from django.conf import settings
from django.shortcuts import render


def refuse_large_bodies(get_response):
    """413 when the declared body exceeds `DATA_UPLOAD_MAX_MEMORY_SIZE` (forms and JSON) or,
    for file uploads, `MAX_UPLOAD_BYTES`."""

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        limit = settings.MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            response = render(request, "413.html", {"limit_mb": limit / 1_000_000}, status=413)
            response["Connection"] = "close"
            return response
        return get_response(request)

    return middleware
