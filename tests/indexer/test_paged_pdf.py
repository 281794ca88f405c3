"""Plans as long plans are really published: a landscape PDF whose table runs over many pages, its
header and column-number row repeated on every page, rows split by page breaks (some inside a
word). It must give exactly the rows of the same plan's seed text."""

from __future__ import annotations

import pytest

from indexer.parsers import parse_document
from service.wiring import agency_table
from tests.indexer.paged_pdf import write_paged_pdf
from tests.indexer.seed_layouts import converted_plan, same_rows, seed


@pytest.mark.parametrize("plan_id", ["hungyen2022", "khanhhoa2022"])
def test_rows_split_across_page_breaks_are_joined_back(tmp_path, plan_id):
    table = seed(plan_id)
    printed = write_paged_pdf(table, tmp_path / f"{plan_id}.pdf")
    assert printed.pages >= 10 and printed.split_rows >= 5 and printed.mid_word >= 2, printed

    converted = parse_document(converted_plan(table, printed.path, "pdf"), printed.path, agency_table())

    same_rows(table.parsed, converted)
    for before, after in zip(table.parsed.rows, converted.rows):
        assert [a.id for a in after.lead] == [a.id for a in before.lead], before.label
        assert (after.activity.split(), after.product.split()) == (before.activity.split(), before.product.split()), before.label
        assert after.coordinating_text.split() == before.coordinating_text.split(), before.label
    pages = [row.page for row in converted.rows]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] == printed.pages  # each row says where it is printed
    joined = [row for row in converted.rows if any("hàng bị ngắt trang" in note for note in row.notes)]
    assert len(joined) == printed.split_rows  # each split row is one row again, and says so
