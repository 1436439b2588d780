"""The public roadmap and its feed, answered before the session, CSRF, authentication and
messages middleware run.

Those pages are the same for everyone and served from the cache (roadmap/public_http.py); the
middleware below them would only read a session, look up a user and prepare cookies that the
answer must not carry. Skipping them is what lets the app answer a spike, or a stream of 304s,
at close to the cost of a static file. Security headers still apply: this sits after
SecurityMiddleware and the CSP middleware, and sets X-Frame-Options itself.
"""

from django.conf import settings
from django.urls import reverse


class PublicPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._views = None

    def _public_views(self) -> dict:
        if self._views is None:  # not at start-up: the URLconf imports every app's views
            from .feeds import feed
            from .views import public

            self._views = {reverse("roadmap:public"): public, reverse("roadmap:feed"): feed}
        return self._views

    def __call__(self, request):
        view = self._public_views().get(request.path_info)
        if view is None:
            return self.get_response(request)
        response = view(request)
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
