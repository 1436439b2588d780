"""`manage.py sync_connectors` syncs by hand, one summary line per connector."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from connectors import run_lock
from intake.models import Signal

from .conftest import make_connector


def _run(*args) -> str:
    out = StringIO()
    call_command("sync_connectors", *args, stdout=out)
    return out.getvalue()


def test_command_syncs_every_enabled_connector_with_a_summary_line_each(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    upstream.add_post("meshvpn", "a", "A post")
    make_connector(name="GitHub")
    make_connector(name="Reddit", kind="reddit")
    make_connector(name="Paused", kind="reddit", enabled=False)

    output = _run()

    lines = output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("GitHub: success — fetched 1, created 1, updated 0, 1 API requests")
    assert lines[1].startswith("Reddit: success — fetched 1, created 1")
    assert Signal.objects.count() == 2


def test_command_with_a_name_syncs_only_that_connector(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    upstream.add_post("meshvpn", "a", "A post")
    make_connector(name="GitHub")
    make_connector(name="Reddit", kind="reddit")

    output = _run("--name", "Reddit")

    assert output.startswith("Reddit: success")
    assert list(Signal.objects.values_list("source", flat=True)) == ["reddit_post"]


def test_command_with_an_unknown_name_says_so(db):
    with pytest.raises(CommandError, match="No connector named “Nope”"):
        _run("--name", "Nope")


def test_command_fails_when_a_connector_fails(db, upstream):
    make_connector(name="GitHub", options={"repos": ["acme/missing"]})

    with pytest.raises(CommandError, match="failed"):
        _run()


def test_command_says_a_connector_was_skipped_while_another_run_holds_it(db, upstream):
    upstream.add_issue("acme/vpn", 1, "An issue")
    connector = make_connector(name="GitHub")
    other_run = run_lock.acquire(connector.pk)
    try:
        output = _run()
    finally:
        other_run.release()

    assert output.strip() == "GitHub: skipped: another run of this connector holds it"
    assert upstream.count() == 0
