"""The outside view in every report: the external question set (../shared/external-eval), scored by its
own scorer, with its false declines, and the decline confusion tables of dev and external.

The set is only asked and scored here; its questions never enter eval/questions (its README says why).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel, Field

from eval.harness import EvalRun

DEFAULT_EXTERNAL = Path("../shared/external-eval")
Confusion = dict[str, dict[str, int]]


class ExternalResult(BaseModel):
    questions: int
    passed: int
    false_declines: list[str] = Field(default_factory=list, description="answerable questions declined")
    confusion: Confusion
    failures: list[str] = Field(default_factory=list, description="id (type): why")

    @property
    def pass_rate(self) -> float:
        return self.passed / self.questions if self.questions else 0.0


def _scorer(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("external_score", folder / "score.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(folder / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _empty() -> Confusion:
    return {"answerable": {"answered": 0, "declined": 0}, "unanswerable": {"answered": 0, "declined": 0}}


def run_external(assistant: Any, folder: Path = DEFAULT_EXTERNAL) -> ExternalResult | None:
    """Ask every external question through the assistant (sessions and dates as the set gives them)."""
    if not (folder / "questions.jsonl").is_file():
        return None
    scorer = _scorer(folder)
    questions = [json.loads(line) for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    result = ExternalResult(questions=len(questions), passed=0, confusion=_empty())
    for q in questions:
        today = dt.date.fromisoformat(q["today"]) if q.get("today") else None
        session = f"external:{q['session']}" if q.get("session") else None
        answer = assistant.ask(q["question"], today=today, session=session)
        response = {"answer": answer.answer, "found": answer.found, "citations": [c.model_dump() for c in answer.citations]}
        scored = scorer.score_one(q, response)
        declined = not answer.found or not answer.citations
        if q["type"] in ("meta", "outofrange"):
            declined = not answer.found
        result.confusion["unanswerable" if q["abstain"] else "answerable"]["declined" if declined else "answered"] += 1
        if not q["abstain"] and declined:
            result.false_declines.append(q["id"])
        if scored["passed"]:
            result.passed += 1
        else:
            # Ids only: the set's wording stays out of this repository (its README asks not to copy it).
            result.failures.append(f"{q['id']} ({q['type']}): missing {len(scored['missing'])} rows, "
                                   f"facts {'ok' if scored['facts_ok'] else 'missing'}{', declined' if declined else ''}")
    return result


def split_confusion(run: EvalRun, system: str, split: str) -> Confusion:
    table = _empty()
    for r in run.results:
        if r.system == system and split in r.tags:
            declined = not r.found
            table["unanswerable" if r.expect_decline else "answerable"]["declined" if declined else "answered"] += 1
    return table


def _confusion_rows(name: str, table: Confusion) -> list[str]:
    return [f"| {name} | answerable | {table['answerable']['answered']} | {table['answerable']['declined']} |",
            f"| {name} | unanswerable | {table['unanswerable']['answered']} | {table['unanswerable']['declined']} |"]


def section(run: EvalRun, external: ExternalResult | None, system: str = "full") -> str:
    """Markdown: the external pass rate and false declines, and the decline confusion tables."""
    out = ["## Outside view", ""]
    if external is None:
        out += [f"The external set was not found at `{DEFAULT_EXTERNAL}`.", ""]
    else:
        out += [f"External set (`{DEFAULT_EXTERNAL}`, its own scorer): **{external.pass_rate:.1%}** "
                f"({external.passed}/{external.questions}); answerable questions declined: "
                f"**{len(external.false_declines)}**" + (f" ({', '.join(external.false_declines)})" if external.false_declines else ""), ""]
    out += ["Decline confusion (`full`): rows are what the question is, columns what the assistant did.", "",
            "| set | question | answered | declined |", "| --- | --- | --- | --- |"]
    for split in ("dev", "test", "sealed"):
        if any(split in r.tags for r in run.results):
            out += _confusion_rows(split, split_confusion(run, system, split))
    if external is not None:
        out += _confusion_rows("external", external.confusion)
        out += ["", "External failures, for classes only (never a rule for one question):", ""]
        out += [f"- {line}" for line in external.failures]
    return "\n".join(out + [""])
