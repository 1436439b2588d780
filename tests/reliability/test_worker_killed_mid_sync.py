"""A worker killed with SIGKILL in the middle of a GitHub sync leaves nothing half-done: the
next run starts at once and the database ends as an undisturbed run leaves it.

Real processes throughout: a Celery worker on Redis and PostgreSQL syncs thousands of issues
from the fake GitHub API (slowed down so the run can be killed half-way); the expected state
comes from an undisturbed run of the same connector over the same upstream data.
"""

import os
import signal

import pytest
from django.utils import timezone

from config.celery import app
from connectors import services
from connectors.models import SyncCursor, SyncRun
from intake.models import Signal
from tests.connectors import worker_process
from tests.connectors.conftest import make_connector

from .fake_github import fake_github

ISSUES = 4323
SECONDS_PER_REQUEST = 0.15
WAIT_SECONDS = 120


@pytest.fixture
def slow_github(settings):
    with fake_github(settings) as upstream:
        yield _with_issues(upstream)


def _with_issues(upstream):
    for number in range(1, ISSUES + 1):
        upstream.add_issue(
            "acme/vpn",
            number,
            f"Feature request {number}",
            body=f"Please add feature {number}.",
            labels=("fr",) if number % 7 else ("fr", "security"),
            state="closed" if number % 11 == 0 else "open",
            thumbs_up=number % 50,
            comments=number % 9,
        )
    return upstream


def _state() -> dict:
    """What a sync leaves in the database, minus ids and clock times of our own."""
    signals = {
        (s["source"], s["external_id"]): s
        for s in Signal.objects.values(
            "source", "external_id", "url", "title", "body", "author", "votes", "comment_count",
            "upstream_state", "created_upstream", "updated_upstream", "raw", "idea_id",
            "importance",
        )
    }  # fmt: skip
    cursors = dict(SyncCursor.objects.values_list("target", "state"))
    return {"signals": signals, "cursors": cursors}


def _change_upstream_while_the_worker_is_down(upstream) -> None:
    """Edits to issues already stored and not yet stored, and new issues, during the outage."""
    for number in (1, 2, ISSUES // 2, ISSUES - 1, ISSUES):
        upstream.edit_issue("acme/vpn", number, title=f"Feature request {number} (edited)")
    upstream.edit_issue("acme/vpn", 10, thumbs_up=500, state="closed")
    for number in range(ISSUES + 1, ISSUES + 21):
        upstream.add_issue("acme/vpn", number, f"New while down {number}", labels=("fr",))


def _undisturbed_state(connector) -> dict:
    """The same connector synced from scratch in one uninterrupted run, in this process."""
    Signal.objects.all().delete()
    SyncCursor.objects.all().delete()
    run = services.sync_connector(connector_id=connector.pk)
    assert run.outcome == SyncRun.Outcome.SUCCESS, run.error
    return _state()


def _start_sync(connector, queue: str):
    """Queue a sync for the worker, as beat or "Sync now" does; returns when."""
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        app.send_task(services.SYNC_TASK, args=[connector.pk], queue=queue)
    finally:
        app.conf.task_always_eager = eager
    return timezone.now()


def _finished_runs():
    return SyncRun.objects.exclude(outcome=SyncRun.Outcome.RUNNING)


def _kill_mid_run(worker, *, kill) -> tuple:
    """Wait until a third of the issues are stored, then SIGKILL; (when, how many stored)."""
    worker_process.wait_for(
        lambda: Signal.objects.count() >= ISSUES // 3, timeout=WAIT_SECONDS, what="a third stored"
    )
    kill(worker)
    return timezone.now(), Signal.objects.count()


def _assert_converged(connector, *, asked_at, stored_before, output) -> None:
    """The killed run is interrupted, the next one succeeded, and the database is as an
    undisturbed run leaves it. `asked_at`: when the next run was asked for (or the kill)."""
    killed, resumed = SyncRun.objects.exclude(outcome=SyncRun.Outcome.SKIPPED).order_by(
        "started_at"
    )
    assert killed.outcome == SyncRun.Outcome.INTERRUPTED, output
    assert killed.created == stored_before  # its counts match what it really stored
    assert resumed.outcome == SyncRun.Outcome.SUCCESS, output
    assert 0 < stored_before < ISSUES
    disturbed = _state()
    SyncRun.objects.all().delete()
    expected = _undisturbed_state(connector)
    assert len(expected["signals"]) == ISSUES + 20
    assert disturbed == expected
    next_start = (resumed.started_at - asked_at).total_seconds()
    # Seconds (behind whatever the worker had queued before it), where the old 15-minute lease
    # made the next runs skip the connector.
    assert next_start < WAIT_SECONDS
    print(
        f"\nkilled after {stored_before} of {ISSUES} issues stored; the next run started "
        f"{next_start:.2f}s after it was asked for and created {resumed.created}; "
        f"{len(expected['signals'])} signals and {len(expected['cursors'])} cursor compared"
    )


def _syncing_slowly(redis_url: str, upstream) -> tuple:
    """The GitHub connector, a queue of its own, and a worker environment; upstream slowed."""
    upstream.delay = SECONDS_PER_REQUEST
    queue = worker_process.new_queue()
    # Duplicate matching of each stored page queues on this one-process worker ahead of the
    # redelivered sync; embedding a few thousand arrivals took it past the wait on a busy CI
    # machine. What is measured here is the sync's convergence, so matching stays lexical.
    env = worker_process.worker_env(
        redis_url=redis_url, queue=queue, upstream_url=upstream.url, DUPLICATE_ENGINE="lexical"
    )
    return make_connector(options={"repos": ["acme/vpn"], "labels": ["fr"]}), queue, env


def _wait_for_a_successful_run() -> None:
    worker_process.wait_for(
        lambda: SyncRun.objects.filter(outcome=SyncRun.Outcome.SUCCESS).exists(),
        timeout=WAIT_SECONDS,
        what="a successful run",
    )


def _kill_pool_process(worker) -> None:
    (child,) = worker_process.pool_children(worker)
    os.kill(child, signal.SIGKILL)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_sync_is_run_again_and_converges(
    postgres, redis_url, slow_github
):
    connector, queue, env = _syncing_slowly(redis_url, slow_github)
    worker = worker_process.start_worker(env, pool="prefork")
    try:
        _start_sync(connector, queue)
        killed_at, stored_before = _kill_mid_run(worker, kill=_kill_pool_process)
        _change_upstream_while_the_worker_is_down(slow_github)
        # Nobody asks again: the worker puts the message back (acks late, reject on worker
        # lost) and runs it again, which takes the connector at once and resumes.
        _wait_for_a_successful_run()
    finally:
        output = worker_process.stop(worker)
    slow_github.delay = 0

    # Asked for by nobody: the kill itself brings the run back.
    _assert_converged(connector, asked_at=killed_at, stored_before=stored_before, output=output)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_sync_is_marked_interrupted_and_the_next_run_converges(
    postgres, redis_url, slow_github
):
    connector, queue, env = _syncing_slowly(redis_url, slow_github)
    worker = worker_process.start_worker(env)
    try:
        _start_sync(connector, queue)
        _, stored_before = _kill_mid_run(worker, kill=worker_process.kill_all)
    finally:
        output = worker_process.stop(worker)
    # The dead run's hold went with its process: the periodic check sees it at once.
    detected = worker_process.wait_for(
        lambda: services.mark_interrupted_runs() == 1, timeout=5, what="the run marked interrupted"
    )
    assert SyncRun.objects.get().outcome == SyncRun.Outcome.INTERRUPTED
    _change_upstream_while_the_worker_is_down(slow_github)

    # A new worker and the next tick of the schedule (or "Sync now"): it starts at once.
    worker = worker_process.start_worker(env)
    try:
        worker_process.wait_for(lambda: app.control.ping(timeout=0.5), timeout=WAIT_SECONDS)
        asked_at = _start_sync(connector, queue)
        _wait_for_a_successful_run()
    finally:
        output += worker_process.stop(worker)
    slow_github.delay = 0

    assert not SyncRun.objects.filter(outcome=SyncRun.Outcome.SKIPPED).exists()
    print(f"\nthe dead run was marked interrupted {detected:.2f}s after the kill")
    _assert_converged(connector, asked_at=asked_at, stored_before=stored_before, output=output)
