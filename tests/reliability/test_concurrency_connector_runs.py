"""The same GitHub issues arriving from two overlapping runs (two connectors watching the same
repository, syncing at the same moment on PostgreSQL): one signal each, both runs succeed."""

import pytest

from connectors import services
from connectors.models import SyncRun
from intake.models import Signal
from tests.connectors.conftest import make_connector

from .fake_github import fake_github
from .parallel import at_once

ISSUES = 2000


@pytest.fixture
def github(settings):
    with fake_github(settings) as upstream:
        yield upstream


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_store_each_issue_once(postgres, github, settings):
    # Tasks run eagerly here, so each stored page's duplicate matching runs inside the run's
    # thread; embedding a thousand arrivals took a run past the wait on a busy CI machine. What
    # is measured is the two runs' overlap, so matching stays lexical.
    settings.DUPLICATE_ENGINE = "lexical"
    for number in range(1, ISSUES + 1):
        github.add_issue("acme/vpn", number, f"Issue {number}", labels=("fr",), thumbs_up=number)
    everything = make_connector(name="Everything", options={"repos": ["acme/vpn"]})
    requests = make_connector(
        name="Feature requests", options={"repos": ["acme/vpn"], "labels": ["fr"]}
    )

    runs = at_once(
        lambda: services.sync_connector(connector_id=everything.pk),
        lambda: services.sync_connector(connector_id=requests.pk),
    )

    assert [run.outcome for run in runs] == [SyncRun.Outcome.SUCCESS] * 2, [
        run.error if isinstance(run, SyncRun) else run for run in runs
    ]
    assert Signal.objects.count() == ISSUES
    assert sum(run.created for run in runs) == ISSUES
    assert set(Signal.objects.values_list("votes", flat=True)) == set(range(1, ISSUES + 1))
