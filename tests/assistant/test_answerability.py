"""The answerability component on its features (issue 18 §3): word weights from general Vietnamese and
the plans, weighted coverage, the fitted model's thresholds, and the bases a decision rests on."""

from __future__ import annotations

import datetime as dt

from assistant.answerability import (
    AnswerabilityModel, Basis, Decision, Evidence, WordWeights, informative, weighted_coverage,
)
from assistant.assess import Answerability
from assistant.contract import Intent, Query
from assistant.retrieval import Hit, Retrieval
from eval.answerability_fit import Sample, fit

RECORDS = [{"xay", "dung", "trung", "tam", "du", "lieu"}, {"so", "hoa", "ho", "so"}, {"ky", "hop", "hdnd"}]


def weights() -> WordWeights:
    return WordWeights.build(RECORDS)


def evidence(coverage: float, lexical: float) -> Evidence:
    return Evidence(coverage=coverage, coverage_top=coverage, unknown=1 - coverage, lexical=lexical, dense=0.8, margin=0.1)


def test_chat_and_grammar_words_weigh_little_and_foreign_terms_a_lot():
    w = weights()
    for said_nothing in ("cùng", "nhưng", "được", "dạ"):
        assert w.weight(said_nothing) < 0.1, said_nothing
    assert w.weight("blockchain") > 0.9
    assert w.weight("blockchain") > 5 * w.weight("cùng")
    # the same word typed without accents weighs the same
    assert abs(w.weight("nhung") - w.weight("nhưng")) < 1e-9
    assert informative(["cùng", "blockchain", "được"], w) == ["blockchain"]


def test_weighted_coverage_counts_what_a_record_holds_by_weight():
    w = weights()
    assert weighted_coverage(["trung", "tam"], w, {"trung", "tam"})[0] == 1.0
    assert weighted_coverage(["blockchain"], w, {"trung"})[0] == 0.0
    # a record holding the foreign term but not the particle covers nearly all of the weight
    share, total = weighted_coverage(["blockchain", "cùng"], w, {"blockchain"})
    assert share > 0.9 and total > 0


def test_the_model_declines_below_its_threshold_and_cautions_in_between():
    model = AnswerabilityModel(features=["coverage", "lexical"], mean=[0.5, 0.5], scale=[0.25, 0.25],
                               coefficients=[2.0, 2.0], intercept=0.0, decline_below=0.2, caveat_below=0.6,
                               fitted_on="2026-12-02", data="test")
    assert model.decide(evidence(0.05, 0.05)).decision is Decision.DECLINE
    assert model.decide(evidence(0.5, 0.5)).decision is Decision.CAVEAT
    assert model.decide(evidence(0.95, 0.9)).decision is Decision.ANSWER


def test_fitting_keeps_false_declines_within_the_allowed_share():
    samples = [Sample(f"a{i}", True, evidence(0.5 + i / 200, 0.5 + i / 250)) for i in range(100)]
    samples += [Sample(f"u{i}", False, evidence(0.05 + i / 400, 0.1)) for i in range(40)]
    model = fit(samples, max_false_declines=0.02, features=["coverage", "lexical"])
    assert model.confusion["answerable"]["declined"] <= 2
    assert model.confusion["unanswerable"]["declined"] >= 38
    assert model.decline_below <= model.caveat_below


def test_structured_questions_rest_on_their_slots_and_pinned_rows_on_themselves():
    model = AnswerabilityModel.load("no-such-model")  # falls back to the fit without dense features
    judge = Answerability(model, weights(), lambda _: set())
    listing = Query(question="Sở Nội vụ chủ trì gì?", today=dt.date(2022, 1, 1), intent=Intent.LISTING)
    assert judge.assess(listing, Retrieval(intent=Intent.LISTING)).basis is Basis.SLOTS
    lookup = Query(question="việc đó hạn khi nào?", today=dt.date(2022, 1, 1), intent=Intent.LOOKUP)
    pinned = Retrieval(intent=Intent.LOOKUP, hits=[Hit(id="r1", score=1.0, pinned=True)])
    assert judge.assess(lookup, pinned).basis is Basis.PINNED
    nothing = judge.assess(lookup, Retrieval(intent=Intent.LOOKUP))
    assert nothing.decision is Decision.DECLINE and nothing.basis is Basis.NOTHING


def test_the_decline_threshold_sits_between_the_two_classes_within_the_allowed_false_declines():
    import numpy as np

    from eval.answerability_fit import thresholds

    answerable = np.sort(np.linspace(0.6, 0.99, 100))
    decline_below, caveat_below = thresholds(answerable, [0.05, 0.2, 0.3], max_false_declines=0.02)
    assert 0.3 < decline_below < answerable[2]  # halfway: no answerable question declined, every unanswerable one
    assert (answerable < decline_below).sum() <= 2
    assert caveat_below >= decline_below


def test_in_a_near_tie_the_record_holding_the_words_gives_the_evidence_and_only_unheld_words_are_named():
    """The lexical ranking ties two records; the one holding «lgsp» is the evidence, so the question is
    not judged on the other; a decline names only words no best record holds."""
    from assistant.assess import evidence as evidence_of

    keys = {"r1": {"trien", "khai", "trung", "tam"}, "r2": {"trien", "khai", "lgsp"}}
    query = Query(question="triển khai LGSP blockchain", today=dt.date(2022, 1, 1), intent=Intent.LOOKUP,
                  topic_terms=["triển", "khai", "lgsp", "blockchain"])
    hits = [Hit(id="r1", score=0.098, lexical_score=10.0), Hit(id="r2", score=0.097, lexical_score=9.9)]
    found = evidence_of(query, Retrieval(intent=Intent.LOOKUP, hits=hits), weights(), lambda i: keys[i])
    apart = evidence_of(query, Retrieval(intent=Intent.LOOKUP, hits=[hits[0], Hit(id="r2", score=0.05, lexical_score=5.0)]),
                        weights(), lambda i: keys[i])
    assert found.coverage > apart.coverage
    assert found.words == ["blockchain"]


def test_a_follow_up_is_tied_to_the_plans_by_what_it_took_from_the_conversation():
    from assistant.assess import evidence as evidence_of

    query = Query(question="Còn chỉ số SIPAS?", today=dt.date(2022, 1, 1), intent=Intent.SEARCH, topic_terms=["sipas"])
    alone = evidence_of(query, Retrieval(intent=Intent.SEARCH), weights(), lambda _: set())
    query.inherited = ["provinces", "year"]
    followed = evidence_of(query, Retrieval(intent=Intent.SEARCH), weights(), lambda _: set())
    assert alone.slots == 0 and followed.slots == 2 / 3


def test_a_question_typed_without_diacritics_is_judged_by_the_fit_without_dense_features():
    """The embedding model reads «khanh hoa … giam diem it nhat» as another language: its low dense
    similarity says nothing about the plans, so the fit that reads no dense feature judges it."""
    from assistant.retrieval.hybrid import dense_weight

    assert dense_weight("han chot danh gia can bo o nam dinh la khi nao") < 1.0
    assert dense_weight("Hạn chót đánh giá cán bộ ở Nam Định là khi nào?") == 1.0
    strict = AnswerabilityModel(features=["dense"], mean=[0.9], scale=[0.01], coefficients=[5.0], intercept=0.0,
                                decline_below=0.5, caveat_below=0.6, fitted_on="2026-12-03", data="test")
    lenient = AnswerabilityModel(features=["coverage"], mean=[0.5], scale=[0.25], coefficients=[2.0], intercept=0.0,
                                 decline_below=0.5, caveat_below=0.6, fitted_on="2026-12-03", data="test")
    judge = Answerability(strict, weights(), lambda _: {"trung", "tam"}, without_dense=lenient)
    hits = [Hit(id="r1", score=0.1, lexical_score=5.0, dense_similarity=0.8)]
    for question, declined in (("trung tâm dữ liệu ai làm?", True), ("trung tam du lieu ai lam?", False)):
        query = Query(question=question, today=dt.date(2022, 1, 1), intent=Intent.LOOKUP, topic_terms=["trung", "tam"])
        assert (judge.assess(query, Retrieval(intent=Intent.LOOKUP, hits=hits)).decision is Decision.DECLINE) is declined
