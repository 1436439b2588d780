"""A PM searches the Ideas, Signals and Inbox lists: full-text search on either database."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.urls import reverse

from intake import search
from intake.models import Idea, Signal
from tests.factories import IdeaFactory, SignalFactory
from tests.security.hostile import STRINGS

pytestmark = pytest.mark.django_db

IDEAS = reverse("admin:intake_idea_changelist")
SIGNALS = reverse("admin:intake_signal_changelist")
INBOX = reverse("admin:intake_inboxsignal_changelist")

# What FTS5 or websearch_to_tsquery would read as syntax, or choke on, if passed as it is.
HOSTILE = [
    '"', '""', '"unbalanced quote', "*", "exit*", "NEAR(", "NEAR(exit nodes, 2)", "OR", "exit OR",
    "AND", "NOT", "exit NOT", "-", "--exit", "- -", ") AND (", "((((", "title:exit", "^exit",
    "{title description}: exit", "!!!", "?", "'", "\\", "%", "_", "\x00", "exit\x00nodes",
    "a" * 5000, " ".join(["exit"] * 500), "'; DROP TABLE intake_idea; --",
]  # fmt: skip


def _found(client, changelist: str, text: str) -> list[str]:
    response = client.get(changelist, {"q": text})
    assert response.status_code == 200
    return sorted(row.title for row in response.context["cl"].result_list)


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


def test_pm_finds_an_idea_by_a_word_of_its_title(pm_client):
    IdeaFactory(title="Exit nodes fail over without dropping connections")
    IdeaFactory(title="Audit log export")
    assert _found(pm_client, IDEAS, "exit") == ["Exit nodes fail over without dropping connections"]


def test_pm_finds_an_idea_by_words_only_in_its_description(pm_client):
    IdeaFactory(title="Keep sessions up", description="When an exit node restarts, nobody notices.")
    IdeaFactory(title="Exit the wizard early", description="Skip the tour.")
    assert _found(pm_client, IDEAS, "exit node restarts") == ["Keep sessions up"]


def test_pm_finds_an_idea_by_its_product_area(pm_client):
    IdeaFactory(title="Faster invoices", product_area="Billing")
    IdeaFactory(title="Faster handshakes", product_area="Networking")
    assert _found(pm_client, IDEAS, "billing") == ["Faster invoices"]


def test_a_plural_finds_the_singular_and_other_forms(pm_client):
    IdeaFactory(title="Exit node failover", description="It fails when the node is restarted.")
    assert _found(pm_client, IDEAS, "exit nodes") == ["Exit node failover"]
    assert _found(pm_client, IDEAS, "failing restarts") == ["Exit node failover"]


def test_every_word_must_appear(pm_client):
    IdeaFactory(title="Exit nodes per region")
    IdeaFactory(title="Subnet routes per region")
    assert _found(pm_client, IDEAS, "exit region") == ["Exit nodes per region"]
    assert _found(pm_client, IDEAS, "exit kubernetes") == []


def test_a_word_inside_another_word_is_not_a_match(pm_client):
    # LIKE '%node%' found "anodes"; a word search does not.
    IdeaFactory(title="Anodes and cathodes")
    assert _found(pm_client, IDEAS, "node") == []


def test_quotes_or_and_minus_work_as_in_a_web_search(pm_client):
    IdeaFactory(title="Exit node in every region")
    IdeaFactory(title="Node for exit traffic")
    IdeaFactory(title="Audit log export")
    assert _found(pm_client, IDEAS, '"exit node"') == ["Exit node in every region"]
    assert _found(pm_client, IDEAS, "audit or region") == [
        "Audit log export", "Exit node in every region",
    ]  # fmt: skip
    assert _found(pm_client, IDEAS, "node -region") == ["Node for exit traffic"]
    assert _found(pm_client, IDEAS, "exit -audit -traffic") == ["Exit node in every region"]


def test_common_words_do_not_narrow_a_search(pm_client):
    IdeaFactory(title="Exit node failover", description="Our team needs it.")
    assert _found(pm_client, IDEAS, "the exit node for a team") == ["Exit node failover"]


def test_the_last_word_may_be_the_start_of_a_word(pm_client):
    IdeaFactory(title="Exit node failover")
    IdeaFactory(title="Exit the wizard early")
    assert _found(pm_client, IDEAS, "exit nod") == ["Exit node failover"]
    assert _found(pm_client, IDEAS, "nod exit") == []


def test_the_roadmap_item_form_finds_ideas_as_the_pm_types(pm_client):
    IdeaFactory(title="Exit node failover")
    IdeaFactory(title="Audit log export")
    response = pm_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "roadmap", "model_name": "roadmapitem", "field_name": "ideas", "term": "exi"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Exit node failover"]


def test_an_edited_title_is_found_by_its_new_words_only(pm_client):
    idea = IdeaFactory(title="Exit node failover")
    idea.title = "Subnet router failover"
    idea.save()
    assert _found(pm_client, IDEAS, "subnet") == ["Subnet router failover"]
    assert _found(pm_client, IDEAS, "exit") == []


def test_a_deleted_idea_is_not_found(pm_client):
    IdeaFactory(title="Exit node failover").delete()
    IdeaFactory(title="Exit node metrics")
    assert _found(pm_client, IDEAS, "exit") == ["Exit node metrics"]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("changelist", [IDEAS, SIGNALS, INBOX])
def test_hostile_search_text_shows_the_list(pm_client, changelist, text):
    IdeaFactory(title="Exit node failover")
    SignalFactory(title="Exit nodes please", idea=None)
    response = pm_client.get(changelist, {"q": text})
    assert response.status_code == 200


def test_no_hostile_string_breaks_a_search(db):
    IdeaFactory(title="Exit node failover")
    SignalFactory(title="Exit nodes please")
    for text in STRINGS:
        search.search_ideas(Idea.objects.all(), text).count()
        search.search_signals(Signal.objects.all(), text).count()


def test_pm_finds_a_signal_by_a_word_of_its_body(pm_client):
    SignalFactory(title="From Reddit", body="Our exit nodes drop every connection at midnight.")
    SignalFactory(title="From GitHub", body="Please add SCIM groups.")
    assert _found(pm_client, SIGNALS, "midnight connections") == ["From Reddit"]


def test_pm_finds_a_signal_by_its_author(pm_client):
    SignalFactory(title="From Reddit", author="Grace Hopper")
    SignalFactory(title="From GitHub", author="Ada Lovelace")
    assert _found(pm_client, SIGNALS, "hopper") == ["From Reddit"]


def test_pm_finds_a_signal_by_its_exact_url(pm_client):
    url = "https://github.com/example/client/issues/4242"
    SignalFactory(title="The issue", url=url)
    SignalFactory(title="Another issue", url="https://github.com/example/client/issues/42")
    assert _found(pm_client, SIGNALS, url) == ["The issue"]
    assert _found(pm_client, SIGNALS, f"  {url} ") == ["The issue"]


def test_pm_finds_a_signal_by_its_author_email_or_external_id(pm_client):
    SignalFactory(title="Grace asked", author_email="grace@example.com", external_id="gh-1")
    SignalFactory(title="Ada asked", author_email="ada@example.com", external_id="gh-2")
    assert _found(pm_client, SIGNALS, "grace@example.com") == ["Grace asked"]
    assert _found(pm_client, SIGNALS, "gh-2") == ["Ada asked"]


def test_the_inbox_search_finds_untriaged_signals_only(pm_client):
    SignalFactory(title="Untriaged", idea=None, body="Exit nodes in Brazil, please.")
    SignalFactory(title="Triaged", body="Exit nodes in Brazil, please.")
    SignalFactory(title="Other untriaged", idea=None, body="Billing in euros.")
    assert _found(pm_client, INBOX, "exit node brazil") == ["Untriaged"]
    assert _found(pm_client, SIGNALS, "exit node brazil") == ["Triaged", "Untriaged"]


def test_the_search_box_says_what_it_searches(pm_client):
    assert "in any form" in pm_client.get(IDEAS).content.decode()


# --- what keeps each database's index ------------------------------------------------------


@pytest.fixture
def sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 tables exist on SQLite only")


def test_the_sqlite_index_stays_consistent_through_inserts_updates_and_deletes(sqlite):
    ideas = IdeaFactory.create_batch(3)
    ideas[0].description = "Changed"
    ideas[0].save()
    Idea.objects.filter(pk=ideas[1].pk).update(score=4.5)  # not a searched column
    ideas[2].delete()
    SignalFactory(body="Some words").delete()
    with connection.cursor() as cursor:
        for table in ("intake_idea_fts", "intake_signal_fts"):
            # Raises (SQLITE_CORRUPT_VTAB) if the index disagrees with the table.
            cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


def test_migrate_gives_the_sqlite_index_its_triggers_back_when_a_table_was_rebuilt(sqlite):
    # On SQLite, a migration that alters a column of ideas rebuilds the table, and dropping the
    # old one drops its triggers: the index would silently fall behind.
    IdeaFactory(title="Exit node failover")
    with connection.cursor() as cursor:
        for trigger in search.IDEAS.trigger_names:
            cursor.execute(f"DROP TRIGGER {trigger}")
    IdeaFactory(title="Exit node metrics")  # written while the triggers were missing
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    IdeaFactory(title="Exit node alerts")
    found = search.search_ideas(Idea.objects.order_by("title"), "exit")
    assert [idea.title for idea in found] == [
        "Exit node alerts", "Exit node failover", "Exit node metrics",
    ]  # fmt: skip


def test_the_postgresql_search_reads_its_gin_index(postgres):
    IdeaFactory(title="Exit node failover")
    SignalFactory(title="Exit nodes please")
    plans = []
    with connection.cursor() as cursor:
        # A handful of rows is quicker to scan; what is asked here is whether the index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for queryset in (
            search.search_ideas(Idea.objects.all(), "exit nodes"),
            search.search_signals(Signal.objects.all(), "exit nodes"),
        ):
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "idea_search_idx" in plans[0]
    assert "signal_search_idx" in plans[1]
