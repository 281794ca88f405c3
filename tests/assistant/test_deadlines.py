"""Deadline-first listings from the blocks: badges say the deadline one way, status is placed
against today, and groups run due, overdue, ongoing, guidance, coordination, by end date."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.contract import DeadlineStatus, GroupBlock, GroupKind, Intent, Item, Query
from assistant.deadlines import deadline_first, deadline_label, deadline_status, summary

D = dt.date


def item(deadline: str, kind: str, start: dt.date | None = None, end: dt.date | None = None, **extra) -> Item:
    return Item(id=extra.pop("id", deadline), label="KH, I › 1", task=extra.pop("task", deadline), deadline=deadline,
                deadline_kind=kind, deadline_start=start, deadline_end=end, plan="KH", **extra)


@pytest.mark.parametrize("raw, kind, start, end, label", [
    ("Quý IV- Năm 2022", "dated", D(2022, 10, 1), D(2022, 12, 31), "Quý IV/2022"),
    ("Quý IV/ 2022", "dated", D(2022, 10, 1), D(2022, 12, 31), "Quý IV/2022"),
    ("Quý II, III/2022", "dated", D(2022, 4, 1), D(2022, 9, 30), "Quý II–III/2022"),
    ("Tháng 2 đến tháng 8 năm 2022", "dated", D(2022, 2, 1), D(2022, 8, 31), "Tháng 2–8/2022"),
    ("12/2021", "dated", D(2021, 12, 1), D(2021, 12, 31), "Tháng 12/2021"),
    ("- Tháng 02/2021 - Ngày 15/11/2021", "dated", D(2021, 2, 1), D(2021, 11, 15), "01/02/2021–15/11/2021"),
    ("Quý IV/2022 và thường xuyên", "dated", D(2022, 10, 1), D(2022, 12, 31), "Quý IV/2022, sau đó thường xuyên"),
    ("Trong năm 2022", "whole_year", D(2022, 1, 1), D(2022, 12, 31), "Năm 2022"),
    ("Thường xuyên", "recurring", D(2022, 1, 1), D(2022, 12, 31), "Thường xuyên"),
    ("Tháng 11 hàng năm", "recurring", D(2022, 11, 1), D(2022, 11, 30), "Tháng 11 hàng năm"),
    ("khi  có quy định mới", "when_arises", None, None, "Khi có quy định mới"),
])
def test_a_deadline_reads_one_way(raw, kind, start, end, label):
    assert deadline_label(item(raw, kind, start, end)) == label


def test_overdue_is_against_today_in_the_plan_year_only():
    q1 = item("Quý I/2022", "dated", D(2022, 1, 1), D(2022, 3, 31))
    assert deadline_status(q1, D(2022, 11, 1)) is DeadlineStatus.OVERDUE
    assert deadline_status(q1, D(2022, 2, 1)) is DeadlineStatus.DUE
    assert deadline_status(q1, D(2026, 12, 2)) is DeadlineStatus.DUE  # a past year's plan is history
    assert deadline_status(item("Thường xuyên", "recurring", D(2022, 1, 1), D(2022, 12, 31)), D(2022, 11, 1)) \
        is DeadlineStatus.RECURRING
    assert deadline_status(item("Theo hướng dẫn", "per_guidance"), D(2022, 11, 1)) is DeadlineStatus.EVENT


def test_groups_run_deadline_first_sorted_by_end_date_with_a_summary():
    query = Query(question="?", today=D(2022, 11, 1), intent=Intent.LISTING)
    lead = GroupBlock(kind=GroupKind.LEAD, title="Chủ trì", count=4, items=[
        item("Thường xuyên", "recurring", D(2022, 1, 1), D(2022, 12, 31)),
        item("Quý II/2022", "dated", D(2022, 4, 1), D(2022, 6, 30)),
        item("Quý IV/2022", "dated", D(2022, 10, 1), D(2022, 12, 31)),
        item("Quý I/2022", "dated", D(2022, 1, 1), D(2022, 3, 31)),
    ])
    shared = GroupBlock(kind=GroupKind.COLLECTIVE, title="Giao chung cho Các sở", count=1, items=[
        item("Tháng 12/2022", "dated", D(2022, 12, 1), D(2022, 12, 31), lead="Các sở, ban, ngành")])
    helping = GroupBlock(kind=GroupKind.COORDINATION, title="Phối hợp", count=2, items=[
        item("Quý IV/2022 ", "dated", D(2022, 10, 1), D(2022, 12, 31), id="c2", lead="Sở Tài chính"),
        item("Quý III/2022", "dated", D(2022, 7, 1), D(2022, 9, 30), id="c1", lead="Sở Tài chính")])

    groups = deadline_first(query, [helping, shared, lead])

    assert [(g.kind, g.title) for g in groups] == [
        (GroupKind.DUE, "Sắp đến hạn"), (GroupKind.OVERDUE, "Quá hạn (hạn trước ngày 01/11/2022)"),
        (GroupKind.ONGOING, "Thường xuyên, định kỳ hoặc cả năm"), (GroupKind.COORDINATION, "Phối hợp")]
    assert [i.deadline for i in groups[0].items] == ["Quý IV/2022", "Tháng 12/2022"]  # by end date, whoever leads
    assert [i.role for i in groups[0].items] == ["Chủ trì", "Giao chung: Các sở, ban, ngành"]
    assert [i.deadline for i in groups[1].items] == ["Quý I/2022", "Quý II/2022"]
    assert [i.id for i in groups[3].items] == ["c1", "c2"] and groups[3].items[0].role == "Phối hợp (chủ trì: Sở Tài chính)"
    assert summary(groups, query).text == "Sắp đến hạn: 2 · Quá hạn: 2 · Đang thực hiện/thường xuyên: 1 · Phối hợp: 2"
