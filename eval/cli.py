"""`cchc eval` and `cchc bench` (registered by cchc/cli.py). Heavy imports happen inside."""

from __future__ import annotations

import click


@click.command("eval")
@click.pass_context
def eval_command(ctx: click.Context) -> None:
    """Chấm điểm trợ lý trên bộ câu hỏi chuẩn."""
    raise click.ClickException("Chưa cài đặt.")


@click.command("bench")
@click.pass_context
def bench_command(ctx: click.Context) -> None:
    """Đo độ trễ, thời gian xây chỉ mục và khả năng mở rộng."""
    raise click.ClickException("Chưa cài đặt.")
