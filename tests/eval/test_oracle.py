"""The gold oracle's rules (eval/oracle.py) on the records of the seed corpus, checked against what
the plans print: roles beyond lead/coordinating, section scopes, exclusions, quoted deadline cells,
due windows and comparisons."""

from __future__ import annotations

import pytest

from eval.oracle import label
from indexer.agencies import AgencyTable
from indexer.records import PeriodKind, RowRecord

SNV, TT, STC = "so-noi-vu", "so-thong-tin-va-truyen-thong", "so-tai-chinh"


@pytest.fixture(scope="module")
def rows(index) -> list[RowRecord]:
    return [r for r in index.records.values() if isinstance(r, RowRecord)]


@pytest.fixture(scope="module")
def agencies() -> AgencyTable:
    return AgencyTable.load()


def listing(prov: str, ag: str, role: str, span=None, **extra) -> dict:
    return {"type": "listing", "prov": [prov], "ag": [ag], "role": role, "span": span, "prose": [], **extra}


def test_coordinating_only_leaves_out_rows_the_agency_also_leads(rows, agencies, index):
    gold = label(listing("Khánh Hòa", SNV, "coordinating_only"), rows, agencies)["gold_rows"]
    assert gold
    for rid in gold:
        record = index.records[rid]
        assert SNV in {a.id for a in record.coordinating} and SNV not in {a.id for a in record.lead}
    # A.VI.3 prints Sở Nội vụ in both cells: a plain coordinating listing has it, this one does not.
    both = label(listing("Khánh Hòa", SNV, "coordinating"), rows, agencies)["gold_rows"]
    assert "khanhhoa2022_cf83f23b" in both and "khanhhoa2022_cf83f23b" not in gold


def test_co_lead_needs_the_partner_in_the_lead_cell(rows, agencies):
    got = label(listing("Hà Tĩnh", SNV, "co_lead", **{"with": [TT]}), rows, agencies)
    # I.4,5 3.25–3.26 and 3.28: «Sở Nội vụ, …, Sở Thông tin và truyền thông» / «Sở Nội vụ, Sở TTTT».
    assert got["gold_rows"] == ["hatinh2022_f9433c75", "hatinh2022_a79ee6bc"]
    assert got["acceptable_rows"] == []


def test_a_section_count_stays_inside_the_section_and_its_subsections(rows, agencies, index):
    got = label({**listing("Hà Tĩnh", TT, "lead", section="VII.A"), "type": "count"}, rows, agencies)
    assert got["facts"] == ["8"]  # VII.A.3 … VII.A.6: eight rows Sở TTTT leads
    assert all(index.records[r].section_code.startswith("VII.A.") for r in got["gold_rows"])
    titled = label({**listing("Hưng Yên", SNV, "lead", section_title="Cải cách chế độ công vụ"), "type": "count"},
                   rows, agencies)
    assert {index.records[r].section_code for r in titled["gold_rows"]} == {"IV"}


def test_excluded_period_kinds_leave_the_gold(rows, agencies, index):
    q3 = ["2022-07-01", "2022-09-30"]
    full = label(listing("Hà Tĩnh", SNV, "lead", q3), rows, agencies)["gold_rows"]
    dated = label(listing("Hà Tĩnh", SNV, "lead", q3, exclude=["recurring"]), rows, agencies)["gold_rows"]
    assert set(dated) < set(full)
    assert {index.records[r].period.kind for r in dated} == {PeriodKind.DATED}


def test_a_quoted_deadline_cell_matches_as_printed_spaces_aside(rows, agencies):
    once = label({"type": "literal", "prov": ["Hưng Yên"], "text": "Tháng 11 hàng năm"}, rows, agencies)
    assert once["gold_rows"] == ["hungyen2022_fbe9e8eb"]
    spaced = label({"type": "literal", "prov": ["Hà Tĩnh"], "text": "Quý IV/ 2022"}, rows, agencies)["gold_rows"]
    tight = label({"type": "literal", "prov": ["Hà Tĩnh"], "text": "quy iv/2022"}, rows, agencies)["gold_rows"]
    assert spaced == tight and "hatinh2022_ab336a29" in spaced  # printed «Quý IV/2022»
    counted = label({"type": "literal", "prov": ["Sóc Trăng"], "text": "Quý 4/2021", "count": True}, rows, agencies)
    assert counted["facts"] == [str(len(counted["gold_rows"]))]


def test_due_windows_take_dated_rows_ending_inside_them(rows, agencies, index):
    overdue = label({"type": "due", "prov": ["Hưng Yên"], "ag": [SNV], "role": "lead",
                     "span": ["2022-01-01", "2022-07-14"]}, rows, agencies)["gold_rows"]
    assert "hungyen2022_ad6741a1" in overdue  # «Tháng 01/2022»
    assert "hungyen2022_5a2de41f" not in overdue  # «Quý III/2022» ends after 14/7
    for rid in overdue:
        period = index.records[rid].period
        assert period.kind is PeriodKind.DATED and period.end.isoformat() <= "2022-07-14"


def test_a_comparison_states_both_counts_in_order(rows, agencies):
    sides = [listing("Nam Định", TT, "lead"), listing("Khánh Hòa", TT, "lead")]
    got = label({"type": "compare", "sides": sides}, rows, agencies)
    counts = [len(label({**side, "type": "count"}, rows, agencies)["gold_rows"]) for side in sides]
    assert got["facts"] == [str(n) for n in counts] and len(got["gold_rows"]) == sum(counts)
