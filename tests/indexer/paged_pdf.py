"""A seed plan printed the way long plans come out of Word: a landscape PDF whose table runs over
many pages, its header and a column-number row («1 2 3 …») repeated on every page, and rows that
do not fit split across the page break, the rest continuing at the top of the next page with an
empty number cell, some of them in the middle of a word. Headings and column order are not the
seeds'. Also rasterised as a scanner gives it (grey JPEG page images, a slight skew)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF

from tests.indexer.seed_layouts import PrintedRow, SeedTable, printed_rows

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"  # ships with matplotlib
# Headings none of the seeds print, in an order none of them uses (deadline last).
HEADINGS = {
    "stt": "TT",
    "target": "Chỉ tiêu",
    "task": "Nội dung nhiệm vụ",
    "activity": "Hoạt động triển khai",
    "lead": "Cơ quan chủ trì",
    "coordinating": "Cơ quan phối hợp",
    "product": "Sản phẩm đầu ra",
    "budget": "Dự toán kinh phí",
    "period": "Thời hạn",
}
WIDTHS = {"stt": 9, "target": 40, "task": 62, "activity": 66, "lead": 34, "coordinating": 34, "product": 32,
          "budget": 24, "period": 22}
LINE = 3.6  # mm per text line
PAD = 1.0  # mm above and below a cell's text
TOP, BOTTOM = 12.0, 200.0  # the table's room on a landscape A4 page (210 mm high)


@dataclass
class PagedPdf:
    path: Path
    pages: int
    split_rows: int  # rows whose rest continues on the next page
    mid_word: int  # of those, rows broken inside a word


class _Writer:
    def __init__(self, table: SeedTable):
        self.table = table
        self.roles = [role for role in HEADINGS if role in table.roles]
        scale = 277 / sum(WIDTHS[r] for r in self.roles)
        self.widths = [WIDTHS[r] * scale for r in self.roles]
        self.pdf = FPDF(orientation="L", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.add_font("DejaVu", fname=str(FONT))
        self.pdf.set_font("DejaVu", size=7)
        self.splits = 0
        self.mid_word = 0

    def lines(self, text: str, width: float) -> list[str]:
        # multi_cell wraps inside its 1 mm margins, where draw() writes the lines.
        return self.pdf.multi_cell(width, LINE, text, dry_run=True, output="LINES") if text else []

    def wrapped(self, text: str, width: float) -> list[tuple[int, str]]:
        """The cell's lines, each with the number of the paragraph it belongs to."""
        return [(number, line) for number, paragraph in enumerate(text.split("\n")) for line in self.lines(paragraph, width)]

    def draw(self, spans: list[tuple[float, list[str]]]) -> None:
        """One printed row: (width, lines) per cell, boxed."""
        height = max(len(lines) for _, lines in spans) * LINE + 2 * PAD
        x, y = 10.0, self.pdf.get_y()
        for width, lines in spans:
            self.pdf.rect(x, y, width, height)
            for index, line in enumerate(lines):
                self.pdf.text(x + 1, y + PAD + (index + 0.8) * LINE, line)
            x += width
        self.pdf.set_y(y + height)

    def new_page(self) -> None:
        self.pdf.add_page()
        self.pdf.set_y(TOP)
        self.draw([(w, self.lines(HEADINGS[r], w)) for r, w in zip(self.roles, self.widths)])
        self.draw([(w, [str(i + 1)]) for i, w in enumerate(self.widths)])

    def room(self) -> int:
        return int((BOTTOM - self.pdf.get_y() - 2 * PAD) // LINE)

    def row(self, row: PrintedRow) -> None:
        if row.section:
            spans = [(self.widths[0], [row.cells["stt"]]), (sum(self.widths[1:]), self.lines(row.cells["task"], sum(self.widths[1:])))]
            if self.room() < len(spans[1][1]) + 1:  # a section heading is kept with the row below it
                self.new_page()
            self.draw(spans)
            return
        cells = [self.wrapped("" if r in row.merged_up else row.cells.get(r, ""), w) for r, w in zip(self.roles, self.widths)]
        while max(map(len, cells)) > self.room():
            if self.room() < 1:
                self.new_page()
                continue
            cells = self.split(cells, self.room())
        self.draw([(w, [line for _, line in c]) for w, c in zip(self.widths, cells)])

    def split(self, cells: list[list[tuple[int, str]]], room: int) -> list[list[tuple[int, str]]]:
        """Print what fits, return what goes on the next page; two splits in three break a word."""
        here, rest = [c[:room] for c in cells], [c[room:] for c in cells]
        self.splits += 1
        breakable = [i for i in range(len(cells)) if rest[i] and rest[i][0][0] == here[i][-1][0] and _long_last_word(here[i])]
        if self.splits % 3 != 0 and breakable:
            column = max(breakable, key=lambda i: len(rest[i]))
            number, line = here[column][-1]
            *before, word = line.split(" ")
            cut = len(word.rstrip(",.;:")) // 2
            here[column][-1] = (number, " ".join([*before, word[:cut]]))
            # The rest of the word starts the next page's first line; the paragraph wraps again.
            same = [text for n, text in rest[column] if n == number]
            again = self.lines(" ".join([word[cut:], *same]), self.widths[column])
            rest[column] = [(number, text) for text in again] + [(n, t) for n, t in rest[column] if n != number]
            self.mid_word += 1
        self.draw([(w, [line for _, line in c]) for w, c in zip(self.widths, here)])
        self.new_page()
        return rest


def _long_last_word(lines: list[tuple[int, str]]) -> bool:
    words = lines[-1][1].split(" ") if lines else []
    letters = words[-1].rstrip(",.;:") if len(words) > 1 else ""
    return len(letters) >= 4 and letters.isalpha()


def write_paged_pdf(table: SeedTable, path: Path) -> PagedPdf:
    writer = _Writer(table)
    pdf = writer.pdf
    pdf.add_page()
    plan = table.plan
    pdf.set_y(TOP)
    pdf.multi_cell(0, 5, f"ỦY BAN NHÂN DÂN TỈNH {plan.province.upper()}\nSố: {plan.doc_number or ''}\n"
                   f"KẾ HOẠCH\n{plan.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 3)
    writer.draw([(w, writer.lines(HEADINGS[r], w)) for r, w in zip(writer.roles, writer.widths)])
    writer.draw([(w, [str(i + 1)]) for i, w in enumerate(writer.widths)])
    for row in printed_rows(table):
        writer.row(row)
    if writer.room() < 4:
        writer.new_page()
    pdf.multi_cell(0, 5, "TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ theo dõi, đôn đốc, tổng hợp báo cáo.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return PagedPdf(path, pdf.pages_count, writer.splits, writer.mid_word)


def scanned(source: Path, target: Path, *, dpi: int = 200, skew: float = 0.4, pages: int | None = None) -> Path:
    """The PDF printed and scanned: grey page images at `dpi`, JPEG, turned by `skew` degrees."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(str(source))
    images = []
    for index in range(min(len(document), pages or len(document))):
        grey = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        turned = grey.rotate(skew * (1 if index % 2 else -1), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
        buffer = io.BytesIO()
        turned.save(buffer, format="JPEG", quality=80)
        images.append(Image.open(io.BytesIO(buffer.getvalue())))
    document.close()
    images[0].save(str(target), format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return target
