"""The scoring functions on hand-computed cases."""

from __future__ import annotations

import pytest

from eval.metrics import (
    citation_validity,
    decline_correct,
    declined,
    f1,
    fact_accuracy,
    fact_stated,
    first_gold_rank,
    hit_at,
    invalid_citations,
    mean,
    percentile,
    reciprocal_rank,
    row_precision,
    row_recall,
    score_question,
    summarize,
)


def test_row_recall_counts_gold_cited():
    assert row_recall(["a", "b", "x"], ["a", "b", "c", "d"]) == 0.5
    assert row_recall(["a", "a"], ["a", "b"]) == 0.5  # citing twice does not count twice
    assert row_recall([], ["a"]) == 0.0
    assert row_recall(["a"], []) is None


def test_row_precision_accepts_acceptable_rows():
    # cited a, b, x, y; gold a; acceptable b -> 2 right of 4
    assert row_precision(["a", "b", "x", "y"], ["a"], ["b"]) == 0.5
    assert row_precision(["a", "b"], ["a"], []) == 0.5
    assert row_precision(["x", "x"], ["a"], []) == 0.0
    assert row_precision([], ["a"], []) == 0.0  # nothing cited while gold expected
    assert row_precision([], [], []) is None


def test_f1_is_the_harmonic_mean():
    assert f1(0.5, 1.0) == pytest.approx(2 / 3)
    assert f1(0.0, 0.0) == 0.0
    assert f1(None, 1.0) is None


def test_ranks_use_citation_order():
    cited = ["x", "y", "g2", "g1"]
    assert first_gold_rank(cited, ["g1", "g2"]) == 3
    assert hit_at(cited, ["g1", "g2"], 1) == 0.0
    assert hit_at(cited, ["g1", "g2"], 3) == 1.0
    assert hit_at(cited, ["g1", "g2"], 5) == 1.0
    assert reciprocal_rank(cited, ["g1", "g2"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], ["g"]) == 0.0
    assert reciprocal_rank(["x"], []) is None
    # a repeated citation does not push the gold id down
    assert first_gold_rank(["x", "x", "g"], ["g"]) == 2
    with pytest.raises(ValueError):
        hit_at(cited, ["g1"], 0)


def test_facts_are_compared_without_accents_case_or_extra_spaces():
    answer = "Chủ trì: SỞ TƯ PHÁP; thời hạn:  Quý 1-Năm 2022"
    assert fact_stated(answer, "Sở Tư pháp")
    assert fact_stated(answer, "so tu phap")
    assert fact_stated(answer, "quý 1-năm 2022")
    assert not fact_stated(answer, "Sở Nội vụ")
    assert not fact_stated(answer, "")
    assert fact_accuracy(answer, ["Sở Tư pháp", "Sở Nội vụ", "Quý 1"]) == pytest.approx(2 / 3)
    assert fact_accuracy(answer, []) is None
    # đ folds to d on both sides
    assert fact_stated("Đài Phát thanh", "dai phat thanh")
    # spaces do not count: plans print "142 /KH-UBND ngày 24 /12/2020"
    assert fact_stated("Kế hoạch số 142 /KH-UBND ngày 24 /12/2020", "142/KH-UBND")
    assert fact_stated("Kế hoạch số 142 /KH-UBND ngày 24 /12/2020", "24/12/2020")
    assert not fact_stated("Kế hoạch số 142 /KH-UBND", "143/KH-UBND")


def test_declining_means_not_found_and_nothing_cited():
    assert declined(False, [])
    assert not declined(False, ["a"])
    assert not declined(True, [])
    assert decline_correct(True, False, [])
    assert not decline_correct(True, True, ["a"])
    assert not decline_correct(False, False, [])
    assert decline_correct(False, True, ["a"])


def test_citation_validity_needs_known_and_retrieved():
    known = {"a", "b", "c"}
    assert citation_validity(["a", "b", "z"], known, ["a", "z"]) == pytest.approx(1 / 3)
    assert invalid_citations(["a", "b", "z"], known, ["a", "z"]) == ["b", "z"]
    assert citation_validity([], known, []) is None


def test_percentile_interpolates_like_numpy():
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == 2.5
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 95) == pytest.approx(3.85)  # 1 + 0.95 * 3 = 3.85 -> 3 + 0.85
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_mean_skips_what_does_not_apply():
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([None]) is None


def _score(**overrides):
    base = dict(kind="listing", gold=["a", "b"], acceptable=["c"], facts=[], expect_decline=False,
                answer="", found=True, cited=["a", "b", "c"], known={"a", "b", "c", "d"}, retrieved=["a", "b", "c"])
    base.update(overrides)
    return score_question(**base)


def test_listing_that_cites_all_gold_passes_with_acceptable_extras():
    score = _score()
    assert score.passed
    assert (score.recall, score.precision, score.f1) == (1.0, 1.0, 1.0)
    assert score.hit_at_1 is None  # ranks are for lookups and prose


def test_listing_missing_a_gold_row_fails_and_names_it():
    score = _score(cited=["a", "d"], retrieved=["a", "d"])
    assert not score.passed
    assert score.missing_gold == ["b"]
    assert score.recall == 0.5 and score.precision == 0.5 and score.f1 == 0.5


def test_lookup_scores_rank_and_facts():
    score = _score(kind="lookup", gold=["b"], acceptable=[], facts=["Sở Tư pháp", "Quý I"],
                   answer="Chủ trì: Sở Tư pháp", cited=["a", "b"])
    assert score.recall is None
    assert (score.hit_at_1, score.hit_at_5, score.reciprocal_rank) == (0.0, 1.0, 0.5)
    assert score.fact_accuracy == 0.5
    assert score.missing_facts == ["Quý I"]
    assert not score.passed


def test_decline_question_passes_only_when_declined():
    refused = _score(kind="decline", gold=[], acceptable=[], expect_decline=True, found=False, cited=[], retrieved=[])
    assert refused.passed and refused.declined and refused.citation_validity is None
    answered = _score(kind="decline", gold=[], acceptable=[], expect_decline=True, found=True, cited=["a"])
    assert not answered.passed and not answered.decline_correct


def test_wrong_refusal_fails_an_answerable_question():
    score = _score(kind="lookup", gold=[], acceptable=[], facts=[], found=False, cited=[], retrieved=[])
    assert score.declined and not score.decline_correct and not score.passed


def test_summary_averages_only_applicable_questions():
    listing = _score(cited=["a", "d"], retrieved=["a", "d"])  # recall .5, precision .5, fails
    lookup = _score(kind="lookup", gold=["b"], acceptable=[], cited=["b"], retrieved=["b"])  # passes, rr 1
    refusal = _score(kind="decline", gold=[], acceptable=[], expect_decline=True, found=False, cited=[], retrieved=[])
    summary = summarize([listing, lookup, refusal], [0.1, 0.2, 0.3])
    assert summary.questions == 3
    assert summary.pass_rate == pytest.approx(2 / 3)
    assert summary.listing_recall == 0.5 and summary.listing_precision == 0.5
    assert summary.mrr == 1.0 and summary.hit_at_1 == 1.0
    assert summary.decline_accuracy == 1.0
    assert summary.citation_validity == 1.0  # the refusal cites nothing and is left out
    assert summary.fact_accuracy is None
    assert summary.latency_p50 == pytest.approx(0.2)
    assert summary.latency_p95 == pytest.approx(0.29)
