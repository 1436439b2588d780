"""The hybrid engine's order: the lexical side counts by how much of the query a candidate
matches compared with the best candidate, whatever the query's length."""

from intake.duplicates.engines import LEXICAL_WEIGHT, combine, hybrid_order


def test_a_long_arrival_ranks_the_idea_that_shares_its_words_first():
    # A templated connector arrival: every lexical cosine is small, the best one (0.05) is the
    # idea that names what the request asks for; the other is worded a little closer.
    found = {1: (0.85, 0.0), 2: (0.83, 0.05)}
    assert [pk for pk, _ in hybrid_order(found)] == [2, 1]


def test_a_short_title_is_ranked_the_same_way_on_its_own_scale():
    long_query = {1: (0.85, 0.0), 2: (0.83, 0.05)}
    short_query = {1: (0.85, 0.0), 2: (0.83, 0.5)}
    assert [pk for pk, _ in hybrid_order(short_query)] == [pk for pk, _ in hybrid_order(long_query)]


def test_the_order_never_changes_the_similarity_thresholds_judge():
    found = {1: (0.85, 0.0), 2: (0.83, 0.05), 3: (0.60, None), 4: (None, 0.02)}
    ranked = dict(hybrid_order(found))
    assert ranked == {pk: combine(*found[pk], LEXICAL_WEIGHT) for pk in found}


def test_no_lexical_evidence_at_all_ranks_by_meaning():
    found = {1: (0.70, 0.0), 2: (0.90, None), 3: (0.80, 0.0)}
    assert [pk for pk, _ in hybrid_order(found)] == [2, 3, 1]
