"""How `cchc check` prints a Preview: what was read, which column is which and why, the first
rows, and what was not understood. Cell text is printed as text, never as console markup."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from indexer.preview import Preview

_FIELDS = {
    "province": "Tỉnh", "doc_number": "Số", "place": "Nơi ban hành", "doc_date": "Ngày", "title": "Tiêu đề",
    "year": "Năm kế hoạch", "signer": "Người ký", "signer_title": "Chức vụ", "amends_number": "Sửa đổi, bổ sung KH số",
    "replaces_number": "Thay thế KH số",
}


def print_preview(console: Console, result: Preview) -> None:
    console.print(f"[bold]{escape(result.file)}[/bold] — dạng {result.layout.value if result.layout else '?'}, "
                  f"mã kế hoạch «{escape(result.plan_id)}»")
    if result.error:
        console.print(f"[red]Không lập chỉ mục được:[/red] {escape(result.error)}")
        return
    read = Table(title="Thông tin đọc từ văn bản", show_header=False)
    for field, label in _FIELDS.items():
        value = getattr(result.metadata, field)
        read.add_row(label, escape(str(value)) if value is not None else "[dim]—[/dim]")
    console.print(read)
    for number, columns in enumerate(result.tables, start=1):
        table = Table(title=f"Bảng nhiệm vụ {number}: vai trò các cột")
        for name in ("Tiêu đề cột", "Vai trò", "Căn cứ", "Lý do"):
            table.add_column(name, overflow="fold")
        for column in columns:
            table.add_row(escape(column.heading) or "[dim](trống)[/dim]", column.role, column.source, escape(column.why))
        console.print(table)
    console.print(f"{result.rows} dòng nhiệm vụ, {result.sections} đoạn văn.")
    console.print(_rows_table(result))
    for period in result.periods_not_understood:
        console.print(f"[yellow]Thời hạn chưa hiểu:[/yellow] {escape(period)}")
    for message in result.agencies_not_understood:
        console.print(f"[yellow]Cơ quan chưa rõ:[/yellow] {escape(message)}")
    if result.missing:
        names = ", ".join(result.missing)
        console.print(f"[red]Văn bản không ghi rõ {names}:[/red] hãy khai báo trong corpus/manifest.toml khi thêm kế hoạch.")


_UNCERTAIN = "black on yellow"  # a cell OCR read with low confidence: check it against the scan


def _rows_table(result: Preview) -> Table:
    """The first rows; with the page each starts on (PDF), and OCR cells to check highlighted."""
    pages = any(row.page for row in result.first_rows)
    uncertain = any(row.uncertain for row in result.first_rows)
    rows = Table(title=f"{len(result.first_rows)} dòng đầu", show_lines=True,
                 caption="Ô tô vàng: OCR đọc chưa chắc, hãy đối chiếu với bản quét." if uncertain else None)
    for name in ("Trang",) * pages + ("Địa chỉ", "Nhiệm vụ", "Chủ trì", "Thời hạn") + ("Cần kiểm tra",) * uncertain:
        rows.add_column(name, overflow="fold")
    for row in result.first_rows:
        shown = {"task": row.task[:160], "lead": row.lead, "period": row.period}
        cells = [Text(text, style=_UNCERTAIN if name in row.uncertain_fields else "") for name, text in shown.items()]
        check = "; ".join(f"{heading} ({confidence:.0f}%)" for heading, confidence in row.uncertain.items())
        rows.add_row(*([str(row.page or "")] if pages else []), Text(row.label), *cells, *([Text(check)] if uncertain else []))
    return rows
