"""Metamorphic tests on the real corpus: every phrasing of a base question cites the same rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.assistant.metamorphic_cases import BASES

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 12, 2)


def test_the_set_is_large_enough():
    assert len(BASES) >= 30 and all(len(phrasings) >= 5 for phrasings in BASES)


@pytest.mark.parametrize("phrasings", BASES, ids=[b[0][:40] for b in BASES])
def test_every_phrasing_cites_the_same_rows(assistant, phrasings):
    answers = [assistant.ask(p, today=TODAY) for p in phrasings]
    first = answers[0]
    for phrasing, answer in zip(phrasings[1:], answers[1:]):
        assert answer.found == first.found, (phrasing, answer.answer[:300])
        assert {c.id for c in answer.citations} == {c.id for c in first.citations}, (phrasing, answer.answer[:300])
