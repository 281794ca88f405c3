"""Writes an evaluation run to disk: report.md, results.json and the plots."""

from __future__ import annotations

import shutil
from pathlib import Path

from eval.harness import ALL, EvalRun, QuestionResult
from eval.metrics import Summary
from eval.questions import KINDS, SPLITS

REPORT_FILE = "report.md"
RESULTS_FILE = "results.json"
PASS_RATE_PLOT = "pass_rate.png"
LATENCY_PLOT = "latency.png"

# (column heading, Summary field, format)
HEADLINE: list[tuple[str, str, str]] = [
    ("n", "questions", "int"),
    ("Pass rate", "pass_rate", "pct"),
    ("Listing recall", "listing_recall", "pct"),
    ("Listing precision", "listing_precision", "pct"),
    ("Listing F1", "listing_f1", "pct"),
    ("Hit@1", "hit_at_1", "pct"),
    ("Hit@5", "hit_at_5", "pct"),
    ("MRR", "mrr", "num"),
    ("Fact acc.", "fact_accuracy", "pct"),
    ("Decline acc.", "decline_accuracy", "pct"),
    ("Citation validity", "citation_validity", "pct"),
    ("p50 ms", "latency_p50", "ms"),
    ("p95 ms", "latency_p95", "ms"),
]
KIND_COLUMNS: dict[str, list[str]] = {
    "listing": ["questions", "pass_rate", "listing_recall", "listing_precision", "listing_f1", "fact_accuracy",
                "decline_accuracy", "citation_validity", "latency_p50", "latency_p95"],
    "lookup": ["questions", "pass_rate", "hit_at_1", "hit_at_5", "mrr", "fact_accuracy", "decline_accuracy",
               "citation_validity", "latency_p50", "latency_p95"],
    "prose": ["questions", "pass_rate", "hit_at_1", "hit_at_5", "mrr", "fact_accuracy", "decline_accuracy",
              "citation_validity", "latency_p50", "latency_p95"],
    "decline": ["questions", "pass_rate", "decline_accuracy", "citation_validity", "latency_p50", "latency_p95"],
}


def fmt(value: float | int | None, style: str) -> str:
    if value is None:
        return "—"
    if style == "int":
        return str(int(value))
    if style == "pct":
        return f"{value:.1%}"
    if style == "ms":
        return f"{value * 1000:.1f}" if value < 0.01 else f"{value * 1000:.0f}"
    return f"{value:.3f}"


def _style(field: str) -> str:
    return next(style for _, name, style in HEADLINE if name == field)


def _heading(field: str) -> str:
    return next(title for title, name, _ in HEADLINE if name == field)


def table(headings: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headings) + " |", "|" + "|".join(" --- " for _ in headings) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(run: EvalRun, slice_: str, fields: list[str]) -> str:
    rows = []
    for system in run.systems:
        summary = run.summary(system.name, slice_)
        if summary is None:
            continue
        rows.append([f"`{system.name}`", *(fmt(getattr(summary, f), _style(f)) for f in fields)])
    return table(["Configuration", *(_heading(f) for f in fields)], rows)


def tag_table(run: EvalRun) -> str:
    tags = sorted({k.removeprefix("tag:") for s in run.summaries.values() for k in s if k.startswith("tag:")})
    rows = []
    for tag in tags:
        row = [tag]
        count = None
        for system in run.systems:
            summary: Summary | None = run.summary(system.name, f"tag:{tag}")
            count = count or (summary.questions if summary else None)
            row.append(fmt(summary.pass_rate if summary else None, "pct"))
        rows.append([row[0], fmt(count, "int"), *row[1:]])
    return table(["Tag", "n", *(f"`{s.name}` pass" for s in run.systems)], rows)


def tag_metric_table(run: EvalRun) -> str:
    """Per tag, the metric of each question kind that matters most: listing recall, lookup MRR."""
    tags = sorted({k.removeprefix("tag:") for s in run.summaries.values() for k in s if k.startswith("tag:")})
    rows = []
    for tag in tags:
        row = [tag]
        for system in run.systems:
            summary = run.summary(system.name, f"tag:{tag}")
            row.append(fmt(summary.listing_recall if summary else None, "pct"))
            row.append(fmt(summary.mrr if summary else None, "num"))
        rows.append(row)
    headings = ["Tag"]
    for system in run.systems:
        headings += [f"`{system.name}` recall", f"`{system.name}` MRR"]
    return table(headings, rows)


def split_table(run: EvalRun) -> str:
    """Each split (dev, test, sealed) side by side: dev may be tuned on, the others are held out.
    Empty when the questions come from no split folder."""
    rows = []
    for split in SPLITS:
        summaries = [run.summary(s.name, f"tag:{split}") for s in run.systems]
        present = [s for s in summaries if s is not None]
        if not present:
            continue
        cells = [f"{fmt(s.pass_rate, 'pct')} / {fmt(s.decline_accuracy, 'pct')}" if s else "—" for s in summaries]
        rows.append([split, fmt(present[0].questions, "int"), *cells])
    if not rows:
        return ""
    return table(["Split", "n", *(f"`{s.name}` pass / decline acc." for s in run.systems)], rows)


def describe_failure(result: QuestionResult) -> list[str]:
    problems = []
    if result.error:
        problems.append(f"lỗi: {result.error}")
    if result.score.missing_gold:
        labels = result.missing_gold_labels or result.score.missing_gold
        retrieved = set(result.retrieved)
        marked = [
            label + (" — đã truy xuất nhưng không trích dẫn" if record_id in retrieved else " — không được truy xuất")
            for record_id, label in zip(result.score.missing_gold, labels)
        ]
        problems.append(f"thiếu {len(labels)} dòng gold: " + "; ".join(marked))
    if result.score.missing_facts:
        problems.append("thiếu dữ kiện: " + "; ".join(f"«{f}»" for f in result.score.missing_facts))
    if not result.score.decline_correct:
        problems.append(
            "đã từ chối nhưng lẽ ra phải trả lời" if result.score.declined else "lẽ ra phải từ chối nhưng đã trả lời"
        )
    return problems


def failures_section(run: EvalRun, system: str) -> str:
    failing = [r for r in run.results_of(system) if not r.score.passed]
    if not failing:
        return f"Every question passes for `{system}`."
    parts = [f"{len(failing)} of {len(run.results_of(system))} questions fail for `{system}`.", ""]
    for result in failing:
        tags = f" [{', '.join(result.tags)}]" if result.tags else ""
        parts.append(f"- **{result.id}** ({result.kind}{tags}): {result.question}")
        for problem in describe_failure(result):
            parts.append(f"  - {problem}")
        if result.score.invalid_citations:
            parts.append(f"  - trích dẫn không hợp lệ: {', '.join(result.score.invalid_citations)}")
    return "\n".join(parts)


def render(run: EvalRun, plots: list[str], gate_message: str = "", focus: str = "full") -> str:
    duration = (run.finished_at - run.started_at).total_seconds()
    out = [
        "# Evaluation report — Trợ lý CCHC",
        "",
        f"Run `{run.run_id}`, {run.started_at:%Y-%m-%d %H:%M} UTC, {duration:.0f} s. "
        f"{run.questions} questions from `{run.questions_source}`"
        + (f"; {len(run.skipped)} feedback questions wait for gold labels and were not scored." if run.skipped else "."),
        "",
        "Configurations:",
        "",
        *(f"- `{s.name}` — {s.description}" for s in run.systems),
        "",
    ]
    if gate_message:
        out += [f"**Deployment gate:** {gate_message}", ""]
    out += [
        "## Headline",
        "",
        summary_table(run, ALL, [name for _, name, _ in HEADLINE]),
        "",
        "Pass = every gold row cited, every fact stated, declined exactly when it should. Listing metrics "
        "average over listing questions, Hit@k/MRR over lookup and prose questions; latency is the wall time "
        "of one answer with warm models. See docs/eval.md.",
        "",
    ]
    splits = split_table(run)
    if splits:
        out += ["## Per split", "", "`dev` may be tuned on; `test` (frozen) and `sealed` are held out.", "", splits, ""]
    for plot in plots:
        out += [f"![{plot}]({plot})", ""]
    out += ["## Per kind", ""]
    for kind in KINDS:
        if not any(run.summary(s.name, f"kind:{kind}") for s in run.systems):
            continue
        out += [f"### {kind}", "", summary_table(run, f"kind:{kind}", KIND_COLUMNS[kind]), ""]
    if any(k.startswith("tag:") for s in run.summaries.values() for k in s):
        out += ["## Per tag", "", "Pass rate:", "", tag_table(run), "",
                "Listing recall and lookup/prose MRR:", "", tag_metric_table(run), ""]
    errors = [r for r in run.results if r.error]
    if errors:
        out += ["## Errors", ""]
        out += [f"- `{r.system}` {r.id}: {r.error}" for r in errors]
        out += [""]
    if any(s.name == focus for s in run.systems):
        out += [f"## Failing questions — `{focus}`", "", failures_section(run, focus), ""]
    if run.skipped:
        out += ["## Waiting for gold labels", "", ", ".join(run.skipped), ""]
    return "\n".join(out)


def write_report(run: EvalRun, out_dir: Path, gate_message: str = "", latest: Path | None = None,
                 extra: str = "") -> Path:
    """report.md, results.json and PNG plots in out_dir; a copy in `latest` (replaced) if given."""
    from eval.plots import latency_plot, pass_rate_plot

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / RESULTS_FILE).write_text(run.model_dump_json(indent=2), encoding="utf-8")
    pass_rate_plot(run, out_dir / PASS_RATE_PLOT)
    latency_plot(run, out_dir / LATENCY_PLOT)
    report = render(run, [PASS_RATE_PLOT, LATENCY_PLOT], gate_message)
    (out_dir / REPORT_FILE).write_text(report + ("\n" + extra if extra else ""), encoding="utf-8")
    if latest is not None and latest.resolve() != out_dir.resolve():
        copy_as_latest(out_dir, latest)
    return out_dir / REPORT_FILE


def copy_as_latest(source: Path, latest: Path) -> None:
    if latest.exists():
        shutil.rmtree(latest)
    shutil.copytree(source, latest)
