"""Asks every configuration every question, scores the answers, aggregates per kind and tag."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from eval.metrics import QuestionScore, Summary, score_question, summarize
from eval.questions import KINDS, EvalQuestion
from eval.systems import System

ALL = "all"
WARM_UP_QUESTION = "Sở Nội vụ chủ trì những nhiệm vụ gì?"
WARM_UP_DAY = dt.date(2022, 6, 15)


class QuestionResult(BaseModel):
    system: str
    id: str
    kind: str
    tags: list[str]
    question: str
    today: dt.date | None
    session: str | None = Field(None, description="the session id actually used (fresh per run)")
    expect_decline: bool
    answer: str
    found: bool
    cited: list[str]
    retrieved: list[str] = Field(default_factory=list, description="ids the system retrieved before answering")
    latency: float
    error: str | None = None
    score: QuestionScore
    missing_gold_labels: list[str] = Field(default_factory=list)


class SystemInfo(BaseModel):
    name: str
    description: str


class EvalRun(BaseModel):
    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    questions_source: str = ""
    questions: int
    skipped: list[str] = Field(default_factory=list, description="questions waiting for gold labels")
    systems: list[SystemInfo]
    results: list[QuestionResult]
    summaries: dict[str, dict[str, Summary]] = Field(
        default_factory=dict, description='system -> slice ("all", "kind:listing", "tag:lead") -> summary'
    )

    def summary(self, system: str, slice_: str = ALL) -> Summary | None:
        return self.summaries.get(system, {}).get(slice_)

    def pass_rate(self, system: str) -> float | None:
        summary = self.summary(system)
        return summary.pass_rate if summary else None

    def results_of(self, system: str) -> list[QuestionResult]:
        return [r for r in self.results if r.system == system]


def slices(question_kinds: Sequence[str], question_tags: Sequence[Sequence[str]]) -> list[str]:
    """The slices a run reports: all, each kind present (in KINDS order), each tag present."""
    kinds = [k for k in KINDS if k in set(question_kinds)]
    tags = sorted({t for tags in question_tags for t in tags})
    return [ALL, *(f"kind:{k}" for k in kinds), *(f"tag:{t}" for t in tags)]


def in_slice(result: QuestionResult, slice_: str) -> bool:
    if slice_ == ALL:
        return True
    what, _, value = slice_.partition(":")
    return result.kind == value if what == "kind" else value in result.tags


def aggregate(results: Sequence[QuestionResult], slice_names: Sequence[str]) -> dict[str, Summary]:
    summaries: dict[str, Summary] = {}
    for name in slice_names:
        chosen = [r for r in results if in_slice(r, name)]
        if chosen:
            summaries[name] = summarize([r.score for r in chosen], [r.latency for r in chosen],
                                        errors=sum(r.error is not None for r in chosen))
    return summaries


def _label_of(system: System, record_id: str) -> str:
    index = getattr(system, "index", None)
    record = index.records.get(record_id) if index is not None else None
    return f"{record.label} ({record_id})" if record is not None else f"{record_id} (không có trong chỉ mục)"


def run_eval(
    questions: Sequence[EvalQuestion],
    systems: Sequence[System],
    run_id: str | None = None,
    questions_source: str = "",
    progress: Callable[[str, int, int], None] | None = None,
    warm_up: bool = True,
) -> EvalRun:
    """Every system answers every question in file order. Questions sharing a `session` are asked
    with one session id per run and system, so follow-ups see their own conversation only."""
    run_id = run_id or uuid.uuid4().hex[:12]
    progress = progress or (lambda system, done, total: None)
    started = dt.datetime.now(dt.timezone.utc)
    scored = [q for q in questions if not q.needs_gold]
    skipped = [q.id for q in questions if q.needs_gold]
    results: list[QuestionResult] = []
    for system in systems:
        if warm_up:  # load models, open stores: first-call costs stay out of the latencies
            system.answer(WARM_UP_QUESTION, WARM_UP_DAY, None)
        for done, question in enumerate(scored):
            progress(system.name, done, len(scored))
            session = f"eval-{run_id}-{system.name}-{question.session}" if question.session else None
            said = system.answer(question.question, question.today, session)
            score = score_question(
                kind=question.kind,
                gold=question.gold_rows,
                acceptable=question.acceptable_rows,
                facts=question.facts,
                expect_decline=question.expect_decline,
                answer=said.text,
                found=said.found,
                cited=said.cited,
                known=system.known_ids,
                retrieved=said.retrieved,
            )
            results.append(QuestionResult(
                system=system.name, id=question.id, kind=question.kind, tags=question.tags,
                question=question.question, today=question.today, session=session,
                expect_decline=question.expect_decline, answer=said.text, found=said.found,
                cited=said.cited, retrieved=said.retrieved, latency=said.latency, error=said.error, score=score,
                missing_gold_labels=[_label_of(system, i) for i in score.missing_gold],
            ))
        progress(system.name, len(scored), len(scored))
    slice_names = slices([q.kind for q in scored], [q.tags for q in scored])
    return EvalRun(
        run_id=run_id,
        started_at=started,
        finished_at=dt.datetime.now(dt.timezone.utc),
        questions_source=questions_source,
        questions=len(scored),
        skipped=skipped,
        systems=[SystemInfo(name=s.name, description=s.description) for s in systems],
        results=results,
        summaries={s.name: aggregate([r for r in results if r.system == s.name], slice_names) for s in systems},
    )


def gate(run: EvalRun, min_pass_rate: float | None, system: str = "full") -> tuple[bool, str]:
    """(ok, message) for a deployment gate on one system's overall pass rate."""
    if min_pass_rate is None:
        return True, ""
    rate = run.pass_rate(system)
    if rate is None:
        return False, f"Không có kết quả của cấu hình «{system}» để so với ngưỡng {min_pass_rate:.1%}."
    if rate < min_pass_rate:
        return False, f"Tỷ lệ đạt của «{system}» là {rate:.1%}, dưới ngưỡng {min_pass_rate:.1%}."
    return True, f"Tỷ lệ đạt của «{system}» là {rate:.1%}, đạt ngưỡng {min_pass_rate:.1%}."
