"""Run calls at the same moment, each in a thread of its own (and so on its own database
connection), the way concurrent requests or workers reach the database."""

import threading
import time

from django.db import connections

WAIT_SECONDS = 120


def at_once(*calls):
    """Start every call together; return their results (an exception where one raised). A call
    still running WAIT_SECONDS after the start fails the test, saying which."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:  # reported to the test as a result
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    running = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not running, f"call(s) {running} still running after {WAIT_SECONDS} s"
    return list(results)
