"""Operators configure connectors in the admin, see every run, and can sync now."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connectors import run_lock
from connectors.admin import REPLIES_OFF
from connectors.models import Connector, SyncRun
from intake.models import Signal

from . import fake_api
from .conftest import make_connector, sync


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _post_connector(client, **fields):
    data = {
        "name": "Community",
        "kind": "github",
        "enabled": "on",
        "interval_minutes": "30",
        "options": '{"repos": ["acme/vpn"], "labels": ["fr"]}',
        "cursors-TOTAL_FORMS": "0",
        "cursors-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return client.post(reverse("admin:connectors_connector_add"), data)


def test_adding_a_connector_in_the_admin_schedules_it(admin_client):
    response = _post_connector(admin_client)

    assert response.status_code == 302
    connector = Connector.objects.get(name="Community")
    task = PeriodicTask.objects.get(pk=connector.periodic_task_id)
    assert (task.task, task.args, task.enabled) == (
        "connectors.sync_connector",
        f"[{connector.pk}]",
        True,
    )
    assert (task.interval.every, task.interval.period) == (30, "minutes")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('{"repos": ["not-a-repo"]}', "Write repositories as owner/name"),
        ('{"repos": []}', "List at least one entry in “repos”"),
        ('{"repos": ["a/b"], "labels": "fr"}', "“labels” must be a list of non-empty strings"),
        ('{"repos": ["a/b"], "discussion": true}', "Unknown GitHub option(s): discussion"),
        ('{"repos": ["a/b"]', "Enter a valid JSON"),
    ],
)
def test_bad_github_options_are_refused_with_a_clear_field_error(admin_client, options, message):
    response = _post_connector(admin_client, options=options)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Connector.objects.exists()


def test_bad_reddit_options_are_refused_with_a_clear_field_error(admin_client):
    response = _post_connector(admin_client, kind="reddit", options='{"subreddits": ["r/a b"]}')

    assert response.status_code == 200
    assert "is not a subreddit name" in response.content.decode()


def test_changing_the_interval_or_disabling_updates_the_schedule(admin_client):
    connector = make_connector(name="Community")
    url = reverse("admin:connectors_connector_change", args=[connector.pk])

    admin_client.post(
        url,
        {
            "name": "Community", "kind": "github", "interval_minutes": "5",
            "options": '{"repos": ["acme/vpn"]}', "cursors-TOTAL_FORMS": "0",
            "cursors-INITIAL_FORMS": "0",
        },
    )  # fmt: skip

    task = PeriodicTask.objects.get(pk=connector.periodic_task_id)
    assert (task.interval.every, task.enabled) == (5, False)


def test_deleting_a_connector_removes_its_schedule_and_keeps_its_signals(admin_client, upstream):
    upstream.add_issue("acme/vpn", 1, "Stays")
    connector = make_connector(name="Community")
    sync(connector)

    response = admin_client.post(
        reverse("admin:connectors_connector_delete", args=[connector.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not PeriodicTask.objects.filter(name__startswith="Sync connector").exists()
    assert Signal.objects.filter(title="Stays").exists()


def test_sync_now_action_runs_the_sync_and_records_it(admin_client, upstream):
    upstream.add_issue("acme/vpn", 1, "From the action")
    connector = make_connector(name="Community")

    response = admin_client.post(
        reverse("admin:connectors_connector_changelist"),
        {"action": "sync_now", "_selected_action": [connector.pk]},
        follow=True,
    )

    assert "Community: ran: 1 created, 0 updated of 1 fetched" in response.content.decode()
    assert SyncRun.objects.get().outcome == SyncRun.Outcome.SUCCESS
    assert Signal.objects.filter(title="From the action").exists()


def test_sync_now_says_the_run_was_skipped_while_another_holds_it(admin_client, upstream):
    upstream.add_issue("acme/vpn", 1, "Not yet")
    connector = make_connector(name="Community")
    other_run = run_lock.acquire(connector.pk)
    try:
        response = admin_client.post(
            reverse("admin:connectors_connector_changelist"),
            {"action": "sync_now", "_selected_action": [connector.pk]},
            follow=True,
        )
    finally:
        other_run.release()

    assert "Community: skipped: another run of this connector holds it" in response.content.decode()
    assert SyncRun.objects.get().outcome == SyncRun.Outcome.SKIPPED
    assert upstream.count() == 0


def test_sync_now_says_until_when_it_waits_for_the_rate_limit(admin_client, upstream):
    connector = make_connector(name="Community")
    until = timezone.now() + timedelta(minutes=20)
    Connector.objects.filter(pk=connector.pk).update(rate_limited_until=until)

    response = admin_client.post(
        reverse("admin:connectors_connector_changelist"),
        {"action": "sync_now", "_selected_action": [connector.pk]},
        follow=True,
    )

    expected = (
        f"Community: skipped: waiting for the rate-limit reset until {until:%Y-%m-%d %H:%M:%S} UTC"
    )
    assert expected in response.content.decode()
    assert upstream.count() == 0


def test_sync_runs_are_read_only_in_the_admin(admin_client, upstream):
    upstream.add_issue("acme/vpn", 1, "One")
    run = sync(make_connector(name="Community"))
    url = reverse("admin:connectors_syncrun_change", args=[run.pk])

    page = admin_client.get(url)
    edit = admin_client.post(url, {"outcome": "failed", "created": "0"})
    add = admin_client.get(reverse("admin:connectors_syncrun_add"))

    assert page.status_code == 200
    assert "Fetched:" in page.content.decode() and 'name="_save"' not in page.content.decode()
    assert (edit.status_code, add.status_code) == (403, 403)
    run.refresh_from_db()
    assert (run.outcome, run.created) == (SyncRun.Outcome.SUCCESS, 1)


def test_connector_list_shows_last_run_in_constant_queries(
    admin_client, upstream, django_assert_max_num_queries
):
    upstream.repo("acme/vpn")
    for index in range(5):
        sync(make_connector(name=f"Connector {index}"))

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:connectors_connector_changelist"))

    assert response.content.decode().count("Success") == 5


def test_credentials_never_appear_in_the_admin(admin_client, upstream):
    upstream.add_issue("acme/vpn", 1, "One")
    upstream.add_post("meshvpn", "a", "Post")
    github = make_connector(name="GitHub")
    reddit = make_connector(name="Reddit", kind="reddit")
    runs = [sync(github), sync(reddit)]
    upstream.fail_next("/issues", 401, body={"message": f"Bad credentials {fake_api.GITHUB_TOKEN}"})
    runs.append(sync(github))

    pages = [
        reverse("admin:connectors_connector_changelist"),
        reverse("admin:connectors_connector_change", args=[github.pk]),
        reverse("admin:connectors_connector_change", args=[reddit.pk]),
        reverse("admin:connectors_syncrun_changelist"),
        *[reverse("admin:connectors_syncrun_change", args=[run.pk]) for run in runs],
    ]
    for url in pages:
        html = admin_client.get(url).content.decode()
        for secret in (
            fake_api.GITHUB_TOKEN,
            fake_api.REDDIT_CLIENT_SECRET,
            fake_api.REDDIT_ACCESS_TOKEN,
        ):
            assert secret not in html, url
    assert "[redacted]" in runs[-1].error


# Replying in Reddit threads: opted in per connector.

REDDIT = {"kind": "reddit", "options": '{"subreddits": ["meshvpn"]}'}


def test_replies_are_off_until_ticked(admin_client):
    _post_connector(admin_client, **REDDIT)

    assert Connector.objects.get().reply_in_threads is False


def test_ticking_reply_in_threads_opts_the_connector_in(admin_client):
    response = _post_connector(admin_client, **REDDIT, reply_in_threads="on")

    assert response.status_code == 302
    assert Connector.objects.get().reply_in_threads is True


def test_only_a_reddit_connector_replies_in_threads(admin_client):
    response = _post_connector(admin_client, reply_in_threads="on")

    assert response.status_code == 200
    assert "Only Reddit connectors reply in threads." in response.content.decode()
    assert not Connector.objects.exists()


def test_the_admin_says_replies_are_off_without_a_reddit_account(admin_client):
    page = admin_client.get(reverse("admin:connectors_connector_add")).content.decode()

    assert REPLIES_OFF in page


def test_with_a_reddit_account_the_admin_shows_no_warning_and_no_credentials(
    admin_client, settings
):
    settings.REDDIT_USERNAME = fake_api.REDDIT_USERNAME
    settings.REDDIT_PASSWORD = fake_api.REDDIT_PASSWORD

    page = admin_client.get(reverse("admin:connectors_connector_add")).content.decode()

    assert REPLIES_OFF not in page
    assert fake_api.REDDIT_PASSWORD not in page
