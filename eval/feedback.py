"""Turns 👍/👎 feedback (bots.feedback.FeedbackStore) into evaluation questions.

👍: gold = the rows the liked answer cited (a liked refusal becomes a decline question).
👎: no gold yet, notes say "cần gán gold"; the harness skips it until someone labels it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bots.feedback import FeedbackStore, StoredFeedback
from eval.questions import NEEDS_GOLD_NOTE, EvalQuestion, dump_question, parse_questions, question_files

FEEDBACK_FILE = "90-feedback.jsonl"
Classify = Callable[[str, dt.date], str]  # question, today -> kind (listing, lookup, prose, decline)


@dataclass
class FeedbackImport:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the question files
    target: Path | None = None


def feedback_id(item: StoredFeedback) -> str:
    return f"feedback-{item.id:05d}"


def question_from_feedback(item: StoredFeedback, classify: Classify) -> EvalQuestion:
    today = item.today or item.created_at.date()
    when = f"{item.channel}, {item.created_at:%Y-%m-%d}"
    comment = f"; bình luận: {item.comment}" if item.comment else ""
    if item.rating == "up":
        if not item.citations:
            return EvalQuestion(id=feedback_id(item), kind="decline", question=item.question, today=today,
                                expect_decline=True,
                                notes=f"Từ phản hồi 👍 ({when}) cho một câu từ chối{comment}.")
        return EvalQuestion(id=feedback_id(item), kind=classify(item.question, today), question=item.question,
                            today=today, gold_rows=list(dict.fromkeys(item.citations)),
                            notes=f"Từ phản hồi 👍 ({when}): gold = các dòng câu trả lời đã trích dẫn; nên rà lại{comment}.")
    kind = classify(item.question, today)
    return EvalQuestion(id=feedback_id(item), kind="prose" if kind == "decline" else kind, question=item.question,
                        today=today,
                        notes=f"{NEEDS_GOLD_NOTE}: phản hồi 👎 ({when}){comment}.")


def existing_ids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for path in question_files(folder):
        ids |= {q.id for q in parse_questions(path.read_text(encoding="utf-8"), path.name)}
    return ids


def add_feedback(feedback_db: Path, questions_dir: Path, classify: Classify) -> FeedbackImport:
    """Append every accepted feedback not yet imported to questions_dir/90-feedback.jsonl."""
    # Feedback questions are dev questions: code may be changed to pass them.
    folder = questions_dir / "dev" if (questions_dir / "dev").is_dir() else questions_dir
    result = FeedbackImport(target=folder / FEEDBACK_FILE)
    if not feedback_db.exists():
        return result
    questions_dir.mkdir(parents=True, exist_ok=True)
    known = existing_ids(questions_dir)
    lines = []
    for item in FeedbackStore(feedback_db).all(status="accepted"):  # reviewed by a person first
        identifier = feedback_id(item)
        if identifier in known:
            result.skipped.append(identifier)
            continue
        lines.append(dump_question(question_from_feedback(item, classify)))
        result.added.append(identifier)
        known.add(identifier)
    if lines:
        target = result.target
        before = target.read_text(encoding="utf-8") if target.exists() else ""
        prefix = "\n" if before and not before.endswith("\n") else ""
        with target.open("a", encoding="utf-8") as handle:
            handle.write(prefix + "\n".join(lines) + "\n")
    return result


def classifier(parser) -> Classify:  # noqa: ANN001 - assistant.understand.QuestionParser
    """Kind of a question as the assistant's own parser understands it."""
    kinds = {"listing": "listing", "lookup": "lookup", "search": "prose", "decline": "decline"}

    def classify(question: str, today: dt.date) -> str:
        try:
            return kinds[parser.parse(question, today=today).intent.value]
        except Exception:  # noqa: BLE001 - an over-long or odd question still becomes a question to label
            return "prose"

    return classify
