"""Learning from the PM: each attach, merge and new idea made in triage is recorded with the
candidates the engine ranked, and enough of them retune this instance's engine."""

import pytest
from django.urls import reverse

from intake import duplicates, services
from intake.duplicates import decisions
from intake.duplicates.engines import (
    LEXICAL_WEIGHT,
    HybridEngine,
    combine,
    get_engine,
    hybrid_order,
    ranking_weight,
)
from intake.duplicates.semantic import SemanticEngine, model_name
from intake.models import DuplicateDecision, Idea
from tests.factories import DuplicateDecisionFactory, IdeaFactory, SignalFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("admin:intake_inboxsignal_changelist")
IDEAS = reverse("admin:intake_idea_changelist")


@pytest.fixture(autouse=True)
def hybrid(settings):
    settings.DUPLICATE_ENGINE = "hybrid"
    SemanticEngine.reset()
    yield
    SemanticEngine.reset()


def _backlog():
    ideas = [
        IdeaFactory(title="SCIM provisioning", description="Create users from our IdP."),
        IdeaFactory(title="Dark mode for the admin console"),
        IdeaFactory(title="Export audit logs to Splunk"),
    ]
    duplicates.index_ideas(ideas)
    return ideas


def test_a_pm_attaching_a_signal_records_what_the_engine_ranked(client, pm):
    scim, dark, _ = _backlog()
    signal = SignalFactory(idea=None, title="Sync users from Okta automatically")
    client.force_login(pm)
    client.post(INBOX, {"action": "attach_to_idea", "_selected_action": [signal.pk],
                        "apply": "1", "idea": scim.pk, "importance": "1"})  # fmt: skip
    decision = DuplicateDecision.objects.get()
    assert decision.kind == "attached" and decision.chosen_idea_id == scim.pk
    ranked = {pk: (sem, lex) for pk, sem, lex in decision.candidates}
    assert scim.pk in ranked and dark.pk in ranked  # every idea the search weighed
    assert all(sem is not None for sem, _ in ranked.values())


def test_a_new_idea_and_a_merge_are_decisions_too(client, pm):
    scim, *_ = _backlog()
    signal = SignalFactory(idea=None, title="Terraform provider for ACLs")
    client.force_login(pm)
    client.post(INBOX, {"action": "make_idea", "_selected_action": [signal.pk]})
    made = DuplicateDecision.objects.get()
    assert made.kind == "new_idea" and made.chosen_idea_id is None
    okta = IdeaFactory(title="Okta user sync")
    duplicates.index_ideas([okta])
    services.merge_ideas(merged=okta, survivor=scim, user=pm)
    merge = DuplicateDecision.objects.get(kind="merged")
    assert merge.chosen_idea_id == scim.pk
    assert okta.pk not in {pk for pk, _, _ in merge.candidates}  # not its own duplicate


def test_signals_attached_without_a_pm_teach_nothing():
    scim, *_ = _backlog()
    signal = SignalFactory(idea=None, title="Early access request")
    services.attach_signals(signal_ids=[signal.pk], idea=scim)
    assert not DuplicateDecision.objects.exists()


def _decide(n: int, *, chosen_lexical: bool, **fields) -> None:
    """n decisions where meaning ranks idea 1 first but the PM chose idea 2, which shared more
    of the request's exact words (or, with chosen_lexical=False, chose idea 1); idea 2 ranks
    first only with a lexical weight above the model's own."""
    DuplicateDecisionFactory.create_batch(
        n,
        chosen_idea_id=2 if chosen_lexical else 1,
        candidates=[[1, 0.92, 0.3], [2, 0.80, 0.35], [3, 0.7, 0.1]],
        **fields,
    )


def test_twenty_decisions_that_chose_by_exact_words_raise_the_lexical_weight():
    _decide(decisions.MIN_FOR_WEIGHT - 1, chosen_lexical=True)
    assert decisions.learn().weight == ranking_weight()  # too few to learn from
    _decide(1, chosen_lexical=True)
    weight = decisions.learn().weight
    assert weight > ranking_weight()
    found = {1: (0.92, 0.3), 2: (0.80, 0.35)}
    assert hybrid_order(found, ranking_weight())[0][0] == 1
    assert hybrid_order(found, weight)[0][0] == 2  # the PM's choice now ranks first
    assert get_engine().weight == weight  # the engine in use takes it (cache forgotten)


def test_a_decision_made_while_another_process_learns_is_not_hidden_by_its_older_answer(
    monkeypatch,
):
    """Process A reads the decisions and learns; meanwhile a PM's decision lands (and forgets
    what was learned); A then stores its answer, learned without that decision. The next
    reader must not be given that older answer for the next five minutes."""
    _decide(decisions.MIN_FOR_WEIGHT - 1, chosen_lexical=True)
    learn = decisions.learn

    def learn_while_a_pm_decides(*args, **kwargs):
        tuning = learn(*args, **kwargs)
        if not DuplicateDecision.objects.filter(kind="new_idea").exists():
            DuplicateDecisionFactory(kind="new_idea", chosen_idea_id=2)  # the PM, meanwhile
        return tuning

    monkeypatch.setattr(decisions, "learn", learn_while_a_pm_decides)
    assert decisions.learned().decisions == decisions.MIN_FOR_WEIGHT - 1
    decisions._memo.clear()  # another process, or this one a little later
    assert decisions.learned().decisions == decisions.MIN_FOR_WEIGHT


def test_decisions_for_meaning_keep_the_lexical_weight_low():
    _decide(decisions.MIN_FOR_WEIGHT, chosen_lexical=False)
    assert decisions.learn().weight <= ranking_weight()


def _arrivals(n: int, *, wrong_at: float, right_at: float = 0.99) -> None:
    """n decisions on arrivals: every other one the best candidate (at `right_at`) was the
    PM's choice; the others it scored `wrong_at` and the PM made a new idea."""
    for i in range(n):
        right = i % 2 == 0
        score = right_at if right else wrong_at
        DuplicateDecisionFactory(
            kind="attached" if right else "new_idea",
            chosen_idea_id=1 if right else None,
            candidates=[[1, score, score]],
        )


@pytest.fixture
def calibrated(settings) -> dict:
    """The semantic engine alone, whose "likely" the development set calibrates with MiniLM."""
    settings.DUPLICATE_ENGINE = "semantic"
    engine = SemanticEngine()
    return {name: getattr(engine, name) for name in ("likely_similarity", "auto_attach_similarity")}


def test_fifty_wrong_calls_near_the_threshold_make_likely_duplicates_stricter(settings, calibrated):
    likely = calibrated["likely_similarity"]
    _arrivals(decisions.MIN_FOR_THRESHOLDS - 1, wrong_at=likely + 0.03)
    assert duplicates.threshold("likely_similarity") == likely  # too few to learn from
    _arrivals(1, wrong_at=likely + 0.03)
    learned = duplicates.threshold("likely_similarity")
    assert likely + 0.03 < learned <= 0.99  # the engine's near misses are no longer likely
    settings.DUPLICATE_LIKELY_SIMILARITY = 0.995  # an operator's setting still wins
    assert duplicates.threshold("likely_similarity") == 0.995


def test_lucky_decisions_never_make_the_engine_laxer_than_calibrated(calibrated):
    """Fifty decisions where even weak candidates were right would teach a low threshold:
    attaching without a person must not become easier than what was measured held out."""
    _arrivals(decisions.MIN_FOR_THRESHOLDS, wrong_at=0.1, right_at=0.75)
    assert decisions.learn().thresholds["likely_similarity"] < 0.8
    assert duplicates.threshold("likely_similarity") == calibrated["likely_similarity"]
    assert duplicates.threshold("auto_attach_similarity") == calibrated["auto_attach_similarity"]


def test_typed_titles_do_not_calibrate_what_judges_arrivals(calibrated):
    """The same fifty near misses as typed titles (no body) would make arrivals stricter if
    they were learned from; the thresholds judge arrivals, so they are not."""
    likely = calibrated["likely_similarity"]
    for i in range(decisions.MIN_FOR_THRESHOLDS):
        right = i % 2 == 0
        score = 0.99 if right else likely + 0.03
        DuplicateDecisionFactory(
            arrival=False,
            kind="attached" if right else "new_idea",
            chosen_idea_id=1 if right else None,
            candidates=[[1, score, score]],
        )
    assert decisions.learn().thresholds == {}
    assert duplicates.threshold("likely_similarity") == likely


def test_the_default_flags_no_likely_duplicate_until_an_operator_sets_where(settings):
    """MiniLM's hybrid has no similarity at which "likely" was right 95% of the time on the 17
    trackers, and thresholds learned from 50 decisions were right for half their flags held
    out: a word-for-word repeat still tops the suggestions, but is neither flagged nor
    attached, whatever the decisions say, until DUPLICATE_LIKELY_SIMILARITY is set."""
    assert model_name() == "minilm"
    _backlog()
    text = {"title": "Export audit logs to Splunk", "body": "We need audit logs in Splunk."}
    (best,) = duplicates.find_similar_to(**text, limit=1)
    assert best.idea.title == "Export audit logs to Splunk"
    _arrivals(decisions.MIN_FOR_THRESHOLDS, wrong_at=0.1, right_at=0.75)
    assert decisions.learn().thresholds["likely_similarity"] < 0.8
    assert not duplicates.is_likely_duplicate(best)
    assert not duplicates.is_certain_duplicate(best)
    assert duplicates.auto_attach_idea(**text) is None
    settings.DUPLICATE_LIKELY_SIMILARITY = best.similarity
    assert duplicates.is_likely_duplicate(best)


def test_decisions_ranked_by_another_engine_or_model_are_not_learned_from():
    _decide(decisions.MIN_FOR_WEIGHT, chosen_lexical=True, engine="hybrid:e5-small")
    assert decisions.learn().weight == ranking_weight()
    assert decisions.learn().decisions == 0


def test_the_learned_weight_reorders_but_never_rescales():
    """A weight learned for ranking leaves the similarity every threshold judges unchanged."""
    _decide(decisions.MIN_FOR_WEIGHT, chosen_lexical=True)
    engine = get_engine()
    assert engine.weight > ranking_weight()
    found = {1: (0.92, 0.3), 2: (0.80, 0.35)}
    ranked = hybrid_order(found, engine.weight)
    assert [pk for pk, _ in ranked] == [2, 1]
    assert dict(ranked) == {pk: combine(*found[pk], LEXICAL_WEIGHT) for pk in found}


def test_a_failed_recording_never_blocks_the_pm(monkeypatch, caplog):
    scim, *_ = _backlog()
    signal = SignalFactory(idea=None, title="Sync users from Okta automatically")

    def broken(*args, **kwargs):
        raise RuntimeError("the model ran out of memory")

    monkeypatch.setattr(HybridEngine, "components", broken)
    services.attach_signals(signal_ids=[signal.pk], idea=scim, triage=True)
    signal.refresh_from_db()
    assert signal.idea == scim
    assert not DuplicateDecision.objects.exists()
    assert "could not be recorded" in caplog.text


def test_the_learned_weight_reorders_real_suggestions(django_capture_on_commit_callbacks):
    """End to end: ideas really ranked, decisions really recorded through the service."""
    ideas = _backlog()
    wanted = IdeaFactory(title="Splunk HEC token rotation", description="Rotate the HEC token.")
    duplicates.index_ideas([wanted])
    for n in range(decisions.MIN_FOR_WEIGHT):
        signal = SignalFactory(idea=None, title=f"Splunk HEC token {n}")
        services.attach_signals(signal_ids=[signal.pk], idea=wanted, triage=True)
    assert DuplicateDecision.objects.filter(chosen_idea_id=wanted.pk).count() == 20
    tuning = decisions.learned()
    assert tuning.decisions == 20
    assert Idea.objects.filter(pk__in=[i.pk for i in ideas]).count() == 3
    found = duplicates.find_similar("Splunk HEC token", limit=1)
    assert found[0].idea == wanted
