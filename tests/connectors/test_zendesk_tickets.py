"""Zendesk tickets tagged as feature requests become signals, through the real zenpy."""

from connectors.models import SyncCursor, SyncRun
from intake.models import Organization, OrganizationDomain, Signal

from .conftest import make_connector, sync


def _customer(upstream, name="Globex", domains=("globex.example",)):
    organization = upstream.add_zendesk_organization(name, domains=domains)
    person = upstream.add_zendesk_user(
        "Hank Scorpio", f"hank@{domains[0] if domains else 'mail.example'}",
        organization=organization,
    )  # fmt: skip
    return person, organization


def test_tagged_tickets_become_signals_with_subject_first_comment_and_ticket_link(db, upstream):
    person, organization = _customer(upstream)
    ticket = upstream.add_ticket(
        "Can we get SCIM provisioning from Entra?",
        description="We onboard 40 people a month and add each one by hand.",
        requester=person,
        organization=organization,
    )
    upstream.add_ticket("Password reset does not arrive", tags=("login",), requester=person)

    run = sync(make_connector(kind="zendesk"))

    assert run.outcome == SyncRun.Outcome.SUCCESS
    signal = Signal.objects.get()
    assert signal.source == Signal.Source.ZENDESK
    assert signal.title == "Can we get SCIM provisioning from Entra?"
    assert signal.body == "We onboard 40 people a month and add each one by hand."
    assert signal.author == "Hank Scorpio"
    assert signal.url == f"{upstream.url}/agent/tickets/{ticket['id']}"
    assert signal.external_id == str(ticket["id"])


def test_the_requesters_organization_is_matched_by_name(db, upstream):
    globex = Organization.objects.create(name="GLOBEX")
    person, organization = _customer(upstream, "Globex", domains=())
    upstream.add_ticket("Exit nodes by country", requester=person, organization=organization)

    sync(make_connector(kind="zendesk"))

    assert Signal.objects.get().organization == globex


def test_the_requesters_organization_is_matched_by_e_mail_domain(db, upstream):
    initech = Organization.objects.create(name="Initech Corporation")
    OrganizationDomain.objects.create(organization=initech, domain="Initech.example")
    person = upstream.add_zendesk_user("Peter Gibbons", "peter@initech.example")
    upstream.add_ticket("Dark mode for the admin console", requester=person)

    sync(make_connector(kind="zendesk"))

    assert Signal.objects.get().organization == initech


def test_an_unknown_organization_leaves_the_signal_without_one(db, upstream):
    person, organization = _customer(upstream, "Nobody We Know", domains=("nobody.example",))
    upstream.add_ticket("Split DNS per group", requester=person, organization=organization)

    sync(make_connector(kind="zendesk"))

    assert Signal.objects.get().organization is None


def test_pages_are_followed_and_a_resync_with_nothing_new_costs_one_request(db, upstream):
    person, organization = _customer(upstream)
    for number in range(1, 1206):
        upstream.add_ticket(f"Request number {number}", requester=person, organization=organization)
    connector = make_connector(kind="zendesk")

    first = sync(connector)
    assert first.outcome == SyncRun.Outcome.SUCCESS
    assert (first.created, first.requests) == (1205, 2)

    again = sync(connector)
    assert (again.created, again.updated, again.requests) == (0, 0, 1)


def test_a_changed_ticket_updates_its_signal_and_a_new_one_arrives(db, upstream):
    person, organization = _customer(upstream)
    ticket = upstream.add_ticket("Reconnect after sleep", requester=person)
    connector = make_connector(kind="zendesk")
    sync(connector)

    upstream.edit_ticket(ticket["id"], status="solved", subject="Reconnect after laptop sleep")
    upstream.add_ticket("Audit log export to Splunk", requester=person)
    run = sync(connector)

    assert (run.created, run.updated) == (1, 1)
    solved = Signal.objects.get(external_id=str(ticket["id"]))
    assert (solved.title, solved.upstream_state) == ("Reconnect after laptop sleep", "closed")
    assert Signal.objects.count() == 2


def test_a_malformed_ticket_is_recorded_and_the_others_are_stored(db, upstream):
    person, _ = _customer(upstream)
    upstream.add_ticket("Good one", requester=person)
    bad = upstream.add_ticket("", requester=person, raw_overrides={"raw_subject": None})
    upstream.add_ticket("No time", raw_overrides={"created_at": "yesterday"})
    upstream.add_ticket("Another good one", requester=person)

    run = sync(make_connector(kind="zendesk"))

    assert run.outcome == SyncRun.Outcome.PARTIAL
    titles = sorted(Signal.objects.values_list("title", flat=True))
    assert titles == ["Another good one", "Good one"]
    problems = {e["item"]: e["error"] for e in run.item_errors}
    assert problems[f"Zendesk ticket {bad['id']}"] == "subject is empty"
    assert any("created_at" in error for error in problems.values())


def test_a_short_rate_limit_is_waited_out_with_retry_after(db, upstream):
    person, _ = _customer(upstream)
    upstream.add_ticket("One", requester=person)
    upstream.fail_next(
        "/incremental/tickets",
        429,
        body={"error": "APIRateLimitExceeded", "description": "Rate limit exceeded"},
        headers={"Retry-After": "1"},
    )

    run = sync(make_connector(kind="zendesk"))

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert (run.created, run.requests) == (1, 2)


def test_a_long_rate_limit_stops_the_run_keeping_what_was_stored(db, upstream):
    person, _ = _customer(upstream)
    for number in range(1, 1003):
        upstream.add_ticket(f"Request {number}", requester=person)
    connector = make_connector(kind="zendesk")
    # The first page goes through; the second is refused for an hour.
    upstream.fail_next("cursor=", 429, headers={"Retry-After": "3600"})

    run = sync(connector)

    assert run.outcome == SyncRun.Outcome.RATE_LIMITED
    assert Signal.objects.count() == 1000
    connector.refresh_from_db()
    assert connector.rate_limited_until is not None

    connector.rate_limited_until = None
    connector.save(update_fields=["rate_limited_until"])
    rerun = sync(connector)
    assert rerun.outcome == SyncRun.Outcome.SUCCESS
    assert (rerun.created, Signal.objects.count()) == (2, 1002)


def test_a_server_error_is_retried(db, upstream):
    person, _ = _customer(upstream)
    upstream.add_ticket("One", requester=person)
    upstream.fail_next("/incremental/tickets", 503, body="<html>unavailable</html>")

    run = sync(make_connector(kind="zendesk"))

    assert run.outcome == SyncRun.Outcome.SUCCESS
    assert run.requests == 2


def test_bad_credentials_fail_the_target_without_leaking_the_token(db, upstream, settings):
    settings.ZENDESK_API_TOKEN = "not-the-right-token-42"
    upstream.add_ticket("One")

    run = sync(make_connector(kind="zendesk"))

    assert run.outcome == SyncRun.Outcome.FAILED
    assert "HTTP 401" in run.error
    assert "not-the-right-token-42" not in run.error
    assert SyncCursor.objects.get().state == {}


def test_missing_settings_are_named(db, upstream, settings):
    settings.ZENDESK_URL = ""
    settings.ZENDESK_SUBDOMAIN = ""

    run = sync(make_connector(kind="zendesk"))

    assert run.outcome == SyncRun.Outcome.FAILED
    assert "ZENDESK_SUBDOMAIN" in run.error


def test_options_need_a_tag(db):
    from django.core.exceptions import ValidationError

    from connectors.registry import validate_options

    try:
        validate_options("zendesk", {"tags": []})
    except ValidationError as error:
        assert "tags" in " ".join(error.messages)
    else:
        raise AssertionError("empty tags were accepted")
    assert validate_options("zendesk", {"tags": [" feature-request "]}) == {
        "tags": ["feature-request"]
    }


def test_matching_organizations_costs_the_same_queries_for_any_page_size(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connectors.services import store_items
    from connectors.sources import Item

    Organization.objects.create(name="Globex")

    def page(start, size):
        return [
            Item(
                source="zendesk",
                external_id=str(n),
                url=f"https://x.zendesk.com/agent/tickets/{n}",
                title=f"Ticket {n}",
                body="",
                author="Hank",
                votes=0,
                comment_count=0,
                upstream_state="open",
                created_upstream=None,
                updated_upstream=None,
                raw={},
                organization_name="Globex",
                organization_domains=(f"d{n}.example",),
            )  # fmt: skip
            for n in range(start, start + size)
        ]

    counts = []
    for start, size in ((0, 5), (100, 200)):
        with CaptureQueriesContext(connection) as queries:
            store_items(page(start, size))
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Signal.objects.filter(organization__name="Globex").count() == 205
