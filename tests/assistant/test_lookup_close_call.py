"""A lookup whose two best rows are a near tie shows both: retrieval cannot tell which one the
official means, and an answer that hides the right row costs more than one extra line."""

from __future__ import annotations

import datetime as dt

from assistant.compose import DeterministicGenerator
from assistant.contract import Intent, Query
from assistant.retrieval import NEAR_TIE_SHARE, Hit, Retrieval
from indexer.records import RowRecord


def _two_tasks(index) -> tuple[RowRecord, RowRecord]:
    rows = [r for r in index.rows if r.document == "hungyen2022" and r.lead]
    first = rows[0]
    second = next(r for r in rows[1:] if (r.activity or r.task) != (first.activity or first.task))
    return first, second


def _answer(index, second_share: float) -> list[str]:
    first, second = _two_tasks(index)
    generator = DeterministicGenerator(index.records, list(index.plans.values()))
    query = Query(question="việc này do ai chủ trì?", today=dt.date(2022, 6, 1), intent=Intent.LOOKUP)
    retrieval = Retrieval(intent=Intent.LOOKUP, hits=[Hit(id=first.id, score=0.1), Hit(id=second.id, score=0.1 * second_share)])
    return generator.generate(query, retrieval).cited


def test_a_near_tie_cites_both_rows(index):
    first, second = _two_tasks(index)
    assert _answer(index, NEAR_TIE_SHARE + 0.01) == [first.id, second.id]


def test_a_clear_winner_is_answered_alone(index):
    first, _ = _two_tasks(index)
    assert _answer(index, NEAR_TIE_SHARE - 0.1) == [first.id]


def test_near_tied_rows_are_led_by_the_one_holding_the_question_words(assistant, index, monkeypatch):
    """Rank fusion cannot order a near tie; the row holding the question's own words («LGSP») leads."""
    holding = next(r for r in index.rows if "LGSP" in r.text)
    other = next(r for r in index.rows if r.document == holding.document and "LGSP" not in r.text)
    tied = Retrieval(intent=Intent.LOOKUP, hits=[Hit(id=other.id, score=0.098), Hit(id=holding.id, score=0.097)])
    monkeypatch.setattr(assistant.search.hybrid, "lookup", lambda query, plans: tied.model_copy(deep=True))
    query = Query(question="LGSP ai chủ trì?", today=dt.date(2022, 6, 1), intent=Intent.LOOKUP, topic_terms=["lgsp"])
    assert [h.id for h in assistant.search.retrieve(query).hits] == [holding.id, other.id]
    apart = Retrieval(intent=Intent.LOOKUP, hits=[Hit(id=other.id, score=0.098), Hit(id=holding.id, score=0.05)])
    monkeypatch.setattr(assistant.search.hybrid, "lookup", lambda query, plans: apart.model_copy(deep=True))
    assert [h.id for h in assistant.search.retrieve(query).hits] == [other.id, holding.id]  # no tie: the ranking stands
