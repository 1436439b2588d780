"""Whatever GitHub does (5xx, rate limits, bad JSON), nothing is lost or duplicated."""

import time

from django.utils import timezone

from connectors.models import Connector, SyncCursor, SyncRun
from intake.models import Signal

from . import fake_api
from .conftest import make_connector, sync


def _issues(upstream, count, repo="acme/vpn"):
    for number in range(1, count + 1):
        upstream.add_issue(repo, number, f"Idea {number}")


def test_a_502_is_retried_and_the_sync_succeeds(db, upstream):
    _issues(upstream, 3)
    upstream.fail_next("/issues", 502, body="<html>Bad gateway</html>")

    run = sync(make_connector())

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.created == 3
    assert run.requests == 2


def test_an_outage_that_outlasts_the_retries_stops_the_target_and_keeps_its_cursor(db, upstream):
    _issues(upstream, 3)
    upstream.add_issue("acme/relay", 1, "Other repo")
    upstream.fail_next("/repos/acme/vpn/issues", 503, times=3)
    connector = make_connector(options={"repos": ["acme/vpn", "acme/relay"]})

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.PARTIAL
    assert "acme/vpn issues" in run.error and "HTTP 503" in run.error
    assert list(Signal.objects.values_list("title", flat=True)) == ["Other repo"]
    assert SyncCursor.objects.get(target="acme/vpn issues").state == {}

    rerun = sync(connector)
    assert rerun.outcome == SyncRun.Outcome.SUCCESS
    assert Signal.objects.count() == 4


def test_a_short_rate_limit_is_waited_out(db, upstream):
    _issues(upstream, 3)
    upstream.fail_next(
        "/issues",
        403,
        body={"message": "API rate limit exceeded for user ID 1."},
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()))},
    )

    run = sync(make_connector())

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.created == 3


def test_a_long_rate_limit_stops_the_run_and_it_resumes_after_the_reset(db, upstream):
    _issues(upstream, 250)
    connector = make_connector()
    # Page 1 succeeds, page 2 hits the limit with an hour to wait.
    upstream.fail_next(
        "page=2", 429, body={"message": "slow down"}, headers={"Retry-After": "3600"}
    )

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.RATE_LIMITED
    assert run.created == 100  # page 1 is kept
    assert run.retry_after > timezone.now()
    connector.refresh_from_db()
    assert connector.rate_limited_until == run.retry_after
    state = SyncCursor.objects.get(connector=connector).state
    assert state["since"] is None and "page=2" in state["pass"]["next"]

    # Before the reset, no request is made at all.
    upstream.reset_counts()
    skipped = sync(connector)
    assert skipped.outcome == SyncRun.Outcome.SKIPPED
    assert skipped.reason.startswith("waiting for the rate-limit reset until ")
    assert upstream.count() == 0

    Connector.objects.update(rate_limited_until=timezone.now())
    resumed = sync(connector)
    assert resumed.outcome == SyncRun.Outcome.SUCCESS
    # Picks up at page 2 (two pages), then one catch-up request for what changed meanwhile.
    assert (resumed.created, resumed.requests) == (150, 3)
    assert Signal.objects.count() == 250


def test_malformed_json_is_recorded_on_the_run_and_other_targets_go_on(db, upstream):
    _issues(upstream, 2)
    upstream.add_issue("acme/relay", 1, "Other repo")
    upstream.fail_next("/repos/acme/vpn/issues", 200, body='[{"id": 1, "title": "trunc', times=3)
    connector = make_connector(options={"repos": ["acme/vpn", "acme/relay"]})

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.PARTIAL
    assert "acme/vpn issues" in run.error and "malformed" in run.error
    assert list(Signal.objects.values_list("title", flat=True)) == ["Other repo"]
    assert sync(connector).created == 2


def test_an_issue_missing_fields_is_recorded_with_the_item_and_the_rest_stored(db, upstream):
    upstream.add_issue("acme/vpn", 1, "Fine")
    upstream.add_issue("acme/vpn", 2, "Broken", raw_overrides={"title": None})
    upstream.add_issue("acme/vpn", 3, "No times", raw_overrides={"created_at": fake_api.DELETE})
    upstream.add_issue("acme/vpn", 4, "Also fine")

    run = sync(make_connector())

    assert run.outcome == SyncRun.Outcome.PARTIAL
    assert run.created == 2
    assert {(e["item"], e["error"]) for e in run.item_errors} == {
        ("acme/vpn#2", "title is empty"),
        ("acme/vpn#3", "missing field 'created_at'"),
    }


def test_a_run_failing_half_way_keeps_what_it_stored_and_the_next_converges(db, upstream):
    _issues(upstream, 250)
    connector = make_connector()
    upstream.fail_next("page=3", 500, times=3)

    first = sync(connector)
    assert first.outcome == SyncRun.Outcome.FAILED
    assert Signal.objects.count() == 200
    assert SyncCursor.objects.get().state["since"] is None  # the cursor did not move

    upstream.edit_issue("acme/vpn", 5, title="Edited meanwhile")
    second = sync(connector)

    assert second.outcome == SyncRun.Outcome.SUCCESS
    assert Signal.objects.count() == 250
    assert Signal.objects.filter(title="Edited meanwhile").count() == 1
    assert Signal.objects.values("external_id").distinct().count() == 250
    third = sync(connector)
    assert (third.created, third.updated) == (0, 0)


def test_an_unreachable_api_fails_the_run_with_a_clear_error(db, settings):
    settings.GITHUB_API_URL = "http://127.0.0.1:9"  # the discard port: nothing listens

    run = sync(make_connector())

    assert run.outcome == SyncRun.Outcome.FAILED
    assert "network error" in run.error and "gave up after 3 attempts" in run.error
    assert run.requests == 3
