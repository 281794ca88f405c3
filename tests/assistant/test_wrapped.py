"""Questions wrapped the way people write to a colleague keep their answer (issue 18).

Forty answered dev questions, each wrapped five ways (a greeting, a politeness particle, a context
sentence, a hedge, chat filler): every wrapped question must cite exactly the rows of its base. The
wrappers are the test's own; the answerability model was fitted with other ones
(eval/answerability/wrappers.txt)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eval.questions import load_questions

pytestmark = pytest.mark.slow
WRAPPERS = [
    "Chào chị, {q}",
    "{q} ạ",
    "Em mới chuyển công tác về, chưa nắm hết kế hoạch nên hỏi hơi kỹ. {q}",
    "Không biết em hiểu có đúng không, {q}",
    "Ừm, vậy thì {q} nha",
]
MIN_AGREEMENT = 0.98
BASES = 40


def _bases(assistant) -> list[tuple[str, dt.date, frozenset[str]]]:
    chosen = []
    for q in load_questions(Path("eval/questions")):
        if "dev" not in q.tags or q.session or q.expect_decline or q.kind not in ("listing", "lookup", "prose"):
            continue
        today = q.today or dt.date(2022, 6, 1)
        answer = assistant.ask(q.question, today=today)
        if answer.found and answer.citations:
            chosen.append((q.question, today, frozenset(c.id for c in answer.citations)))
        if len(chosen) == BASES:
            break
    return chosen


def test_wrapped_questions_cite_the_rows_of_their_base(assistant):
    bases = _bases(assistant)
    assert len(bases) == BASES
    differing, total = [], 0
    for question, today, cited in bases:
        lowered = question[0].lower() + question[1:]
        for wrapper in WRAPPERS:
            wrapped = wrapper.format(q=lowered)
            answer = assistant.ask(wrapped, today=today)
            total += 1
            if frozenset(c.id for c in answer.citations) != cited:
                differing.append(f"{wrapped!r}: {answer.query.rule} / {answer.answer[:120]!r}")
    agreement = 1 - len(differing) / total
    assert agreement >= MIN_AGREEMENT, f"{agreement:.1%} agree\n" + "\n".join(differing)
