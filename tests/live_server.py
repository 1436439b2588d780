"""The live server of the browser and SDK tests, on the embedded in-memory SQLite too."""

import threading

from django.core.servers.basehttp import ThreadedWSGIServer


class OneRequestAtATime(ThreadedWSGIServer):
    """On in-memory SQLite every request thread of the live server shares the test's one
    connection, so one transaction: two requests at once (a page and the typeahead it fires)
    would interleave their writes. Each request's view runs one at a time (the app streams
    no response); connections stay threaded, so a browser's kept-alive connections do not
    block one another."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)
