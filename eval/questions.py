"""Loads the evaluation questions (eval/questions/*.jsonl, format in docs/eval-format.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from cchc.errors import CchcError

Kind = Literal["listing", "lookup", "prose", "decline"]
KINDS: tuple[str, ...] = ("listing", "lookup", "prose", "decline")
NEEDS_GOLD_NOTE = "cần gán gold"  # feedback questions that wait for a person to label them


class QuestionFileError(CchcError):
    """A question file that cannot be read; the message names the file and line."""


class EvalQuestion(BaseModel):
    id: str = Field(min_length=1)
    kind: Kind
    tags: list[str] = Field(default_factory=list)
    question: str = Field(min_length=1)
    today: dt.date | None = None
    session: str | None = None
    gold_rows: list[str] = Field(default_factory=list)
    acceptable_rows: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    expect_decline: bool = False
    notes: str = ""
    source: str = Field("", description="file:line the question was read from (not part of the format)")

    @model_validator(mode="after")
    def _decline_has_no_gold(self) -> "EvalQuestion":
        if self.expect_decline and self.gold_rows:
            raise ValueError("expect_decline is true but gold_rows is not empty")
        return self

    @property
    def needs_gold(self) -> bool:
        """Imported from 👎 feedback and not labelled yet: nothing to score against."""
        return (
            NEEDS_GOLD_NOTE in self.notes
            and not self.gold_rows
            and not self.facts
            and not self.expect_decline
        )


def parse_questions(text: str, source: str) -> list[EvalQuestion]:
    """Questions of one JSONL text, in line order; a bad line raises naming source and line."""
    questions: list[EvalQuestion] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(f"{where}: không phải JSON hợp lệ ({exc.msg})") from exc
        if not isinstance(data, dict):
            raise QuestionFileError(f"{where}: mỗi dòng phải là một đối tượng JSON")
        try:
            questions.append(EvalQuestion.model_validate({**data, "source": where}))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'dòng'}: {e['msg']}" for e in exc.errors())
            raise QuestionFileError(f"{where}: {problems}") from exc
    return questions


# dev: rules may be tuned on it; test: written before the system answered it (frozen);
# sealed: written apart from the rules (issue 18), never to be tuned on (tests/eval/test_sealed.py)
SPLITS = ("dev", "test", "sealed")


def question_files(folder: Path) -> list[Path]:
    """*.jsonl of the folder and of its split folders (dev/, test/, sealed/), in path order."""
    return sorted((p for p in folder.rglob("*.jsonl") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def load_questions(folder: Path) -> list[EvalQuestion]:
    """Every question of folder/*.jsonl: files in name order, lines in order. Ids must be unique."""
    if not folder.is_dir():
        raise QuestionFileError(f"Không tìm thấy thư mục câu hỏi {folder}")
    questions: list[EvalQuestion] = []
    seen: dict[str, str] = {}
    for path in question_files(folder):
        split = path.parent.name if path.parent.name in SPLITS else None
        for question in parse_questions(path.read_text(encoding="utf-8"), path.relative_to(folder).as_posix()):
            if split and split not in question.tags:
                question.tags.append(split)  # the report shows each split apart
            if question.id in seen:
                raise QuestionFileError(f"{question.source}: mã câu hỏi «{question.id}» đã có ở {seen[question.id]}")
            seen[question.id] = question.source
            questions.append(question)
    if not questions:
        raise QuestionFileError(f"Thư mục {folder} không có câu hỏi nào (*.jsonl)")
    return questions


def dump_question(question: EvalQuestion) -> str:
    """One JSONL line in the documented format (without the loader's `source`)."""
    data = question.model_dump(mode="json", exclude={"source"})
    return json.dumps(data, ensure_ascii=False)
