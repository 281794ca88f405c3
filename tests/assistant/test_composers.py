"""Every kind of question gets written: each intent reaches a composer (or the decline text), and
one with nothing retrieved still says, in Vietnamese, what the plans hold."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.compose import DeterministicGenerator
from assistant.contract import Intent, Query
from assistant.retrieval import Retrieval


@pytest.mark.parametrize("intent", list(Intent))
def test_every_intent_is_answered_even_with_nothing_retrieved(index, intent):
    plans = list(index.plans.values())
    generator = DeterministicGenerator(index.records, plans)
    query = Query(question="việc gì?", today=dt.date(2022, 6, 1), intent=intent)
    draft = generator.generate(query, Retrieval(intent=intent))
    assert draft.cited == []
    assert plans[0].short_title in draft.text or plans[0].title in draft.text
