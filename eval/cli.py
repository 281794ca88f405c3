"""`cchc eval` and `cchc bench` (registered by cchc/cli.py). Heavy imports happen inside."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

DEFAULT_QUESTIONS = Path("eval/questions")
DEFAULT_REPORTS = Path("eval/reports")


def _stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%SZ")


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.command("eval")
@click.option("--questions", "questions_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_QUESTIONS,
              show_default=True, help="Thư mục bộ câu hỏi (*.jsonl).")
@click.option("--systems", default="", help="Các cấu hình, phân cách bằng dấu phẩy: full, full-minilm, naive-rag, "
              "lexical, dense (mặc định: tất cả).")
@click.option("--model", "models", multiple=True, help="Thêm một cấu hình đầy đủ với thư mục mô hình nhúng này (lặp lại được).")
@click.option("--min-pass-rate", type=click.FloatRange(0, 1), default=None,
              help="Thoát với mã lỗi khi tỷ lệ đạt của cấu hình full thấp hơn ngưỡng này (0–1).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Thư mục báo cáo (mặc định: eval/reports/<thời điểm UTC>/).")
@click.option("--external", "external_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("../shared/external-eval"),
              show_default=True, help="Bộ câu hỏi bên ngoài (questions.jsonl + score.py) chấm kèm trong báo cáo; bỏ qua nếu không có.")
@click.option("--add-feedback", is_flag=True, help="Trước khi chấm, thêm câu hỏi từ các phản hồi 👍/👎 đã duyệt (cchc feedback) vào 90-feedback.jsonl.")
@click.pass_context
def eval_command(ctx: click.Context, questions_dir: Path, systems: str, models: tuple[str, ...],
                 min_pass_rate: float | None, out: Path | None, add_feedback: bool, external_dir: Path | None) -> None:
    """Chấm điểm trợ lý trên bộ câu hỏi chuẩn."""
    from eval.external import run_external
    from eval.external import section as outside_view
    from eval.harness import gate, run_eval
    from eval.questions import load_questions
    from eval.report import fmt, write_report
    from eval.systems import SYSTEM_NAMES, FullSystem, build_systems

    settings = ctx.obj["settings"]
    names = [n.strip() for n in systems.split(",") if n.strip()] or list(SYSTEM_NAMES)
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown:
        raise click.UsageError(f"Không có cấu hình {', '.join(unknown)}; chọn trong: {', '.join(SYSTEM_NAMES)}.")
    if min_pass_rate is not None and "full" not in names:
        raise click.UsageError("--min-pass-rate chấm cấu hình full; hãy giữ full trong --systems.")

    built = build_systems(settings, names, list(models), progress=_say)
    if add_feedback:
        from eval.feedback import add_feedback as import_feedback
        from eval.feedback import classifier

        parser = next((s.parser for s in built if isinstance(s, FullSystem)), None)
        if parser is None:
            from service.wiring import agency_table
            from assistant.understand import QuestionParser

            parser = QuestionParser(agency_table(), [])
        imported = import_feedback(settings.feedback_db, questions_dir, classifier(parser))
        _say(f"Phản hồi: thêm {len(imported.added)} câu vào {imported.target}, bỏ qua {len(imported.skipped)} câu đã có.")

    questions = load_questions(questions_dir)
    _say(f"{len(questions)} câu hỏi, {len(built)} cấu hình: {', '.join(s.name for s in built)}")

    def progress(system: str, done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            _say(f"  {system}: {done}/{total}")

    run = run_eval(questions, built, questions_source=str(questions_dir), progress=progress)
    ok, message = gate(run, min_pass_rate)
    out = out or DEFAULT_REPORTS / _stamp()
    full = next((s for s in built if isinstance(s, FullSystem)), None)
    external = run_external(full.assistant, external_dir) if full and external_dir else None
    if external is not None:
        _say(f"Bộ câu hỏi bên ngoài: đạt {external.pass_rate:.1%}, từ chối nhầm {len(external.false_declines)} câu.")
    report = write_report(run, out, gate_message=message, latest=out.parent / "latest",
                          extra=outside_view(run, external) if full else "")
    for system in run.systems:
        summary = run.summary(system.name)
        if summary is None:
            continue
        click.echo(f"{system.name:<14} đạt {fmt(summary.pass_rate, 'pct'):>6}  recall {fmt(summary.listing_recall, 'pct'):>6}  "
                   f"precision {fmt(summary.listing_precision, 'pct'):>6}  MRR {fmt(summary.mrr, 'num'):>5}  "
                   f"từ chối đúng {fmt(summary.decline_accuracy, 'pct'):>6}  "
                   f"p50 {fmt(summary.latency_p50, 'ms')} ms  p95 {fmt(summary.latency_p95, 'ms')} ms")
    click.echo(f"Báo cáo: {report}")
    if message:
        click.echo(message)
    if not ok:
        ctx.exit(1)


@click.command("bench")
@click.option("--questions", "questions_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_QUESTIONS,
              show_default=True, help="Thư mục bộ câu hỏi (*.jsonl).")
@click.option("--scales", default="1,10", show_default=True,
              help="Các cỡ corpus, bội số của corpus gốc, ví dụ 1,10,100 (100× rất lâu trên 2 nhân).")
@click.option("--repetitions", type=click.IntRange(1), default=3, show_default=True,
              help="Số lần lặp bộ câu hỏi khi đo độ trễ ở cỡ 1×.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Chỉ dùng N câu hỏi đầu (để thử nhanh).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Thư mục kết quả (mặc định: eval/reports/bench-<thời điểm UTC>/).")
@click.pass_context
def bench_command(ctx: click.Context, questions_dir: Path, scales: str, repetitions: int, limit: int | None,
                  out: Path | None) -> None:
    """Đo độ trễ, thời gian xây chỉ mục và khả năng mở rộng."""
    from eval.bench import run_bench, write_bench
    from eval.questions import load_questions

    try:
        wanted = sorted({int(part) for part in scales.split(",") if part.strip()})
    except ValueError:
        raise click.UsageError(f"--scales phải là các số nguyên, ví dụ 1,10 (nhận «{scales}»).") from None
    if not wanted or min(wanted) < 1:
        raise click.UsageError("--scales cần ít nhất một cỡ ≥ 1.")
    settings = ctx.obj["settings"]
    questions = load_questions(questions_dir)
    if limit:
        questions = questions[:limit]
    result = run_bench(settings, questions, scales=wanted, repetitions=repetitions, say=_say)
    out = out or DEFAULT_REPORTS / f"bench-{_stamp()}"
    report = write_bench(result, out, latest=out.parent / "bench-latest")
    click.echo(f"Kết quả đo: {report}")


@click.command("fit-answerability")
@click.option("--questions", "questions_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_QUESTIONS,
              show_default=True, help="Thư mục bộ câu hỏi; chỉ dùng phần dev.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=Path("assistant/data/answerability.json"),
              show_default=True, help="Tệp ghi hệ số của mô hình.")
@click.option("--max-false-declines", type=click.FloatRange(0, 0.5), default=0.02, show_default=True,
              help="Tỷ lệ tối đa câu hỏi trả lời được mà bị từ chối.")
@click.pass_context
def fit_answerability_command(ctx: click.Context, questions_dir: Path, out: Path, max_false_declines: float) -> None:
    """Khớp mô hình quyết định trả lời hay từ chối trên câu hỏi dev có nhãn."""
    from assistant.answerability import ANY_MODEL, AnswerabilityFits
    from assistant.retrieval.hybrid import dense_weight
    from eval.answerability_fit import PORTABLE_FEATURES, collect, fit, labelled_questions
    from eval.questions import load_questions
    from service.wiring import build_assistant

    settings = ctx.obj["settings"]
    labelled = labelled_questions(load_questions(questions_dir))
    assistant = build_assistant(settings)
    samples = collect(assistant, labelled)
    answerable = sum(s.answerable for s in samples)
    data = (f"{answerable} answerable (dev lookups and prose, plain and wrapped) and {len(samples) - answerable} "
            f"unanswerable (dev content declines, eval/answerability/unanswerable.txt) questions, "
            f"model {settings.embedding_model}")
    # Questions typed without diacritics are judged without dense features (assistant.assess), so the
    # fit that reads them learns only from the questions it will judge.
    accented = [s for s in samples if dense_weight(s.question) == 1.0]
    fits = AnswerabilityFits(models={
        assistant.search.index.meta.embedding: fit(accented, max_false_declines, data + "; typed with diacritics"),
        ANY_MODEL: fit(samples, max_false_declines, data + " (no dense feature)", features=PORTABLE_FEATURES),
    })
    out.write_text(fits.model_dump_json(indent=1) + "\n", encoding="utf-8")
    _say(f"Đã ghi {out}: {data}.")
    for name, model in fits.models.items():
        _say(f"{name}: ngưỡng từ chối {model.decline_below:.3f}, ngưỡng lưu ý {model.caveat_below:.3f}; "
             f"bảng nhầm lẫn: {model.confusion}")
