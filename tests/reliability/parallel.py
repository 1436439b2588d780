"""Run calls at the same moment, each in a thread of its own (and so on its own database
connection), the way concurrent requests or workers reach the database."""

import threading

from django.db import connections

WAIT_SECONDS = 120


def at_once(*calls):
    """Start every call together; return their results (an exception where one raised, a
    TimeoutError where one had not returned within WAIT_SECONDS)."""
    barrier = threading.Barrier(len(calls))
    results: list = [TimeoutError(f"still running after {WAIT_SECONDS} s")] * len(calls)

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
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    return results
