"""`cchc feedback`: the review queue between 👍/👎 and the question set.

Feedback enters as `pending`; a person reads it and accepts or rejects it. Only accepted feedback
becomes evaluation questions (`cchc eval --add-feedback`), so a forged or careless vote cannot
turn into gold rows on its own.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from bots.feedback import FeedbackStore, ReviewStatus

_STATUS_LABELS = {"pending": "chờ duyệt", "accepted": "đã nhận", "rejected": "đã loại"}


def _store(ctx: click.Context) -> FeedbackStore:
    return FeedbackStore.for_settings(ctx.obj["settings"])


@click.group("feedback")
def feedback_command() -> None:
    """Duyệt các góp ý 👍/👎 trước khi đưa vào bộ câu hỏi đánh giá."""


@feedback_command.command("list")
@click.option("--status", type=click.Choice(list(_STATUS_LABELS)), default="pending", show_default=True)
@click.pass_context
def list_command(ctx: click.Context, status: ReviewStatus) -> None:
    """Liệt kê góp ý theo trạng thái."""
    items = _store(ctx).all(status=status)
    table = Table(show_lines=True)
    for column in ("Mã", "Kênh", "Đánh giá", "Câu hỏi", "Bình luận", "Số nguồn"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(str(item.id), item.channel, "👍" if item.rating == "up" else "👎", item.question,
                      item.comment or "", str(len(item.citations)))
    Console().print(table)
    click.echo(f"{len(items)} góp ý {_STATUS_LABELS[status]}.")


def _review(ctx: click.Context, ids: tuple[int, ...], status: ReviewStatus) -> None:
    store = _store(ctx)
    missing = [str(i) for i in ids if not store.review(i, status)]
    done = len(ids) - len(missing)
    click.echo(f"Đã chuyển {done} góp ý sang «{_STATUS_LABELS[status]}».")
    if missing:
        raise click.ClickException(f"Không có góp ý mang mã {', '.join(missing)}.")


@feedback_command.command("accept")
@click.argument("ids", type=int, nargs=-1, required=True)
@click.pass_context
def accept_command(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Nhận các góp ý này vào bộ câu hỏi (lần chạy `cchc eval --add-feedback` sau)."""
    _review(ctx, ids, "accepted")


@feedback_command.command("reject")
@click.argument("ids", type=int, nargs=-1, required=True)
@click.pass_context
def reject_command(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Loại các góp ý này."""
    _review(ctx, ids, "rejected")
