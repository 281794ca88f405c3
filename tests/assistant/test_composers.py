"""Every kind of question gets written: each intent reaches a composer (or the decline text), and
one with nothing retrieved still says, in Vietnamese, what the plans hold."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.compose import DeterministicGenerator
from assistant.contract import Intent, Query
from assistant.retrieval import Hit, Retrieval


@pytest.mark.parametrize("intent", list(Intent))
def test_every_intent_is_answered_even_with_nothing_retrieved(index, intent):
    plans = list(index.plans.values())
    generator = DeterministicGenerator(index.records, plans)
    query = Query(question="việc gì?", today=dt.date(2022, 6, 1), intent=intent)
    draft = generator.generate(query, Retrieval(intent=intent))
    assert draft.cited == []
    assert plans[0].short_title in draft.text or plans[0].title in draft.text


@pytest.mark.parametrize("fields, says", [(["lead", "coordinating"], "phối hợp: "), (["budget"], "kinh phí: "), ([], None)])
def test_rows_in_a_search_answer_carry_the_fields_the_question_asked(index, fields, says):
    """«… đơn vị nào làm, phối hợp với ai?» answered from search hits: each row shows who coordinates."""
    row = next(r for r in index.rows if r.coordinating_text and r.budget)
    generator = DeterministicGenerator(index.records, list(index.plans.values()))
    query = Query(question="việc đó ai làm?", today=dt.date(2022, 6, 1), intent=Intent.SEARCH, fields=fields)
    text = generator.generate(query, Retrieval(intent=Intent.SEARCH, hits=[Hit(id=row.id, score=0.1)])).text
    if says:
        assert says in text
    else:
        assert "phối hợp: " not in text and "kinh phí: " not in text


def test_a_superlative_is_answered_from_the_passage_stating_it_even_ranked_below_others(index):
    """«lĩnh vực nào giảm điểm ít nhất»: the passage listing the decreases may rank fourth."""
    sections = [s for s in index.sections if s.document == "khanhhoa2022"]
    stating = next(s for s in sections if "giảm 0,47%" in s.text)
    others = [s for s in sections if "giảm" not in s.text][:3]
    hits = [Hit(id=s.id, score=0.09 - i / 1000) for i, s in enumerate([*others, stating])]
    generator = DeterministicGenerator(index.records, list(index.plans.values()))
    query = Query(question="lĩnh vực nào của PAR INDEX giảm điểm ít nhất?", today=dt.date(2022, 6, 1), intent=Intent.SEARCH)
    draft = generator.generate(query, Retrieval(intent=Intent.SEARCH, hits=hits))
    assert draft.cited[0] == stating.id and "0,47%" in draft.text
