"""The gold evaluation question set (eval/questions/*.jsonl): format, coverage, and gold ids that
still exist in a freshly built index of the corpus (docs/eval-format.md is the contract)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from indexer.records import ProseSection, RowRecord
from indexer.vntext import fold

QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "eval" / "questions"

FIELDS = {
    "id": str,
    "kind": str,
    "tags": list,
    "question": str,
    "today": (str, type(None)),
    "session": (str, type(None)),
    "gold_rows": list,
    "acceptable_rows": list,
    "facts": list,
    "expect_decline": bool,
    "notes": str,
}
KINDS = {"listing", "lookup", "prose", "decline"}
TAGS = {
    "lead", "coordinating", "collective", "period", "relative_period", "unaccented", "abbreviation", "ocr",
    "multi_turn", "cross_province", "who_leads", "deadline", "budget", "product", "target", "figure", "signer",
    "doc_number", "reporting", "other_province", "other_year", "off_topic", "injection", "out_of_period",
    # second round (test split): see docs/eval-format.md
    "all_fields", "colloquial", "count", "dev", "district", "giao_cho", "list", "merged_province", "modify", "multi_field", "new_topic", "not_in_plan", "per_unit", "period_kind", "period_only", "personal", "prose_duty", "province_abbreviation", "range", "recipients", "recurring", "several_agencies", "sum", "test", "typo", "unknown_agency",
    # sealed split (issue 18): see docs/eval-format.md
    "appendix", "based_on", "co_lead", "comparison", "exclusion", "half_year", "hedge", "literal_deadline",
    "number_word_period", "ordinal_ref", "overdue", "politeness", "q_notation", "rare_term", "relative_year",
    "reporting_duty", "role_only_coordinating", "sealed", "section_count", "section_title", "superlative", "window", "yes_no",
    # listings narrowed by a topic (issue 18 §2)
    "topic_listing",
}
MIN_TOTAL = 150
MIN_PER_KIND = {"listing": 45, "lookup": 40, "prose": 25, "decline": 20}
MIN_PER_TAG = {"unaccented": 15, "abbreviation": 10, "ocr": 5}
MIN_SESSIONS = 6
PLANS = {"namdinh2022", "soctrang2021", "hatinh2022", "khanhhoa2022", "hungyen2022"}
# Questions imported from 👍/👎 feedback (`cchc eval --add-feedback`) get the format checks and the
# fresh-index check, not the curation rules (a 👎 import has no gold until someone labels it).
FEEDBACK_PREFIX = "feedback-"


def curated(q: dict) -> bool:
    return not q["id"].startswith(FEEDBACK_PREFIX)


def load_questions(directory: Path = QUESTIONS_DIR) -> list[tuple[str, int, dict]]:
    """(file name, line number, object) for every line, files in name order."""
    items = []
    for path in sorted(directory.rglob("*.jsonl"), key=lambda p: p.relative_to(directory).as_posix()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:  # pragma: no cover - reported as a failure below
                obj = {"__error__": f"{error}"}
            items.append((path.name, number, obj))
    return items


@pytest.fixture(scope="module")
def lines() -> list[tuple[str, int, dict]]:
    found = load_questions()
    assert found, f"no questions in {QUESTIONS_DIR}"
    return found


@pytest.fixture(scope="module")
def questions(lines) -> list[dict]:
    return [obj for _, _, obj in lines]


def where(item: tuple[str, int, dict]) -> str:
    return f"{item[0]}:{item[1]}"


# ---------------------------------------------------------------------------- format


def test_every_line_is_a_json_object(lines):
    bad = [where(item) for item in lines if not isinstance(item[2], dict) or "__error__" in item[2]]
    assert not bad, f"invalid JSON lines: {bad}"


def test_every_field_is_present_with_its_type(lines):
    problems = []
    for item in lines:
        obj = item[2]
        if set(obj) != set(FIELDS):
            problems.append(f"{where(item)}: fields {sorted(set(obj) ^ set(FIELDS))}")
            continue
        for name, kind in FIELDS.items():
            if not isinstance(obj[name], kind):
                problems.append(f"{where(item)}: {name} is {type(obj[name]).__name__}")
        for name in ("tags", "gold_rows", "acceptable_rows", "facts"):
            if isinstance(obj[name], list) and not all(isinstance(v, str) and v.strip() for v in obj[name]):
                problems.append(f"{where(item)}: {name} holds a non-string or empty value")
    assert not problems, "\n".join(problems)


def test_allowed_values(questions):
    problems = []
    for q in questions:
        if q["kind"] not in KINDS:
            problems.append(f"{q['id']}: kind {q['kind']!r}")
        if unknown := set(q["tags"]) - TAGS:
            problems.append(f"{q['id']}: tags {sorted(unknown)}")
        if len(set(q["tags"])) != len(q["tags"]):
            problems.append(f"{q['id']}: repeated tag")
        if q["today"] is not None:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", q["today"]):
                problems.append(f"{q['id']}: today {q['today']!r}")
            else:
                dt.date.fromisoformat(q["today"])
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", q["id"]):
            problems.append(f"{q['id']}: id is not a stable slug")
        if not q["question"].strip():
            problems.append(f"{q['id']}: empty question")
        if unicodedata.normalize("NFC", q["question"]) != q["question"]:
            problems.append(f"{q['id']}: question is not NFC")
        if len(set(q["gold_rows"])) != len(q["gold_rows"]) or set(q["gold_rows"]) & set(q["acceptable_rows"]):
            problems.append(f"{q['id']}: repeated id, or an id both gold and acceptable")
    assert not problems, "\n".join(problems)


def test_the_evaluation_harness_reads_every_line(questions):
    """The same files through eval.questions, the loader `cchc eval` uses."""
    from eval.questions import load_questions as harness_load

    loaded = harness_load(QUESTIONS_DIR)
    assert [q.id for q in loaded] == [q["id"] for q in questions]


def test_ids_are_unique(questions):
    repeated = [qid for qid, n in Counter(q["id"] for q in questions).items() if n > 1]
    assert not repeated, f"repeated ids: {repeated}"


# ---------------------------------------------------------------------------- coverage


def test_enough_questions_of_every_kind_and_variant(questions):
    kinds = Counter(q["kind"] for q in questions)
    tags = Counter(tag for q in questions for tag in q["tags"])
    assert len(questions) >= MIN_TOTAL, f"{len(questions)} questions"
    for kind, minimum in MIN_PER_KIND.items():
        assert kinds[kind] >= minimum, f"{kind}: {kinds[kind]} < {minimum}"
    for tag, minimum in MIN_PER_TAG.items():
        assert tags[tag] >= minimum, f"{tag}: {tags[tag]} < {minimum}"


def test_every_plan_is_covered_by_each_answering_kind(questions):
    for kind in ("listing", "lookup", "prose"):
        plans = {gid.split("_", 1)[0] for q in questions if q["kind"] == kind for gid in q["gold_rows"]}
        assert PLANS <= plans, f"{kind}: no gold from {sorted(PLANS - plans)}"


def test_listings_cover_roles_periods_and_provinces(questions):
    listings = [q for q in questions if q["kind"] == "listing"]
    tags = Counter(tag for q in listings for tag in q["tags"])
    for tag in ("lead", "coordinating", "period", "relative_period", "cross_province", "out_of_period", "collective"):
        assert tags[tag] >= 2, f"listings tagged {tag}: {tags[tag]}"
    assert sum(1 for q in listings if not {"lead", "coordinating"} & set(q["tags"])) >= 5, "few role-any listings"
    assert sum(1 for q in listings if not {"period", "relative_period"} & set(q["tags"])) >= 5, "few no-period listings"


def test_lookup_and_prose_variants(questions):
    tags = Counter(tag for q in questions if q["kind"] in ("lookup", "prose") for tag in q["tags"])
    for tag in ("who_leads", "deadline", "budget", "product", "target", "figure", "signer", "doc_number", "reporting"):
        assert tags[tag] >= 2, f"lookup/prose tagged {tag}: {tags[tag]}"
    declines = Counter(tag for q in questions if q["kind"] == "decline" for tag in q["tags"])
    for tag in ("other_province", "other_year", "off_topic", "injection"):
        assert declines[tag] >= 3, f"declines tagged {tag}: {declines[tag]}"


# ---------------------------------------------------------------------------- semantics


def test_declines_have_empty_gold(questions):
    problems = []
    for q in questions:
        if q["kind"] == "decline" and q["gold_rows"]:
            problems.append(f"{q['id']}: a decline with gold rows")
        if not curated(q):
            continue
        if q["expect_decline"] != (q["kind"] == "decline"):
            problems.append(f"{q['id']}: expect_decline {q['expect_decline']} with kind {q['kind']}")
        if q["kind"] == "decline" and (q["gold_rows"] or q["acceptable_rows"] or q["facts"]):
            problems.append(f"{q['id']}: a decline with gold, acceptable rows or facts")
        if q["kind"] != "decline" and not q["gold_rows"]:
            problems.append(f"{q['id']}: an answerable question without gold")
        if q["kind"] in ("lookup", "prose") and not q["facts"]:
            problems.append(f"{q['id']}: a {q['kind']} without facts")
    assert not problems, "\n".join(problems)


def test_sessions_are_contiguous_conversations(lines):
    turns: dict[str, list[int]] = defaultdict(list)
    problems = []
    for position, item in enumerate(lines):
        q = item[2]
        if q["session"] is not None:
            turns[q["session"]].append(position)
            if "multi_turn" not in q["tags"]:
                problems.append(f"{q['id']}: session turn not tagged multi_turn")
        elif "multi_turn" in q["tags"]:
            problems.append(f"{q['id']}: tagged multi_turn without a session")
    for session, positions in turns.items():
        if len(positions) < 2:
            problems.append(f"session {session}: {len(positions)} turn")
        if positions != list(range(positions[0], positions[0] + len(positions))):
            problems.append(f"session {session}: turns are not consecutive lines")
        if len({lines[p][0] for p in positions}) != 1:
            problems.append(f"session {session}: spread over several files")
    assert not problems, "\n".join(problems)
    assert len(turns) >= MIN_SESSIONS, f"{len(turns)} sessions"


def test_unaccented_questions_have_no_diacritics(questions):
    def has_diacritics(text: str) -> bool:
        return "đ" in text.lower() or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))

    accented = [q["id"] for q in questions if "unaccented" in q["tags"] and has_diacritics(q["question"])]
    assert not accented, f"tagged unaccented but written with diacritics: {accented}"


def test_relative_periods_fix_today(questions):
    plan_years = {2021, 2022}
    problems = []
    for q in questions:
        if {"relative_period", "relative_year", "window"} & set(q["tags"]) and q["today"] is None:
            problems.append(f"{q['id']}: relative period without today")
        if "out_of_period" in q["tags"]:
            if q["today"] is None or dt.date.fromisoformat(q["today"]).year in plan_years:
                problems.append(f"{q['id']}: out_of_period needs a today outside every plan year")
            if not q["facts"]:
                problems.append(f"{q['id']}: out_of_period must require the answer to say there is no plan")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- against a fresh index


@pytest.mark.slow
def test_every_gold_and_acceptable_id_exists_in_a_fresh_index(questions, index):
    missing = [
        f"{q['id']}: {rid}"
        for q in questions for rid in q["gold_rows"] + q["acceptable_rows"]
        if rid not in index.records
    ]
    assert not missing, "ids not in the rebuilt index (re-check the gold):\n" + "\n".join(missing)


@pytest.mark.slow
def test_gold_points_at_the_right_kind_of_record(questions, index):
    problems = []
    for q in filter(curated, questions):
        for rid in q["gold_rows"] + q["acceptable_rows"]:
            record = index.records.get(rid)
            if record is None:
                continue  # reported by the test above
            # Listings may cite duties the plan text gives an agency (a prose section), like rows.
            if q["kind"] == "lookup" and not isinstance(record, RowRecord):
                problems.append(f"{q['id']}: {rid} is not a table row")
        if q["kind"] == "prose":
            for rid in q["gold_rows"]:
                if rid in index.records and not isinstance(index.records[rid], ProseSection):
                    problems.append(f"{q['id']}: {rid} is not a prose section")
    assert not problems, "\n".join(problems)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


@pytest.mark.slow
def computed_facts(q: dict, records: list) -> list[str]:
    """What a fact may also be, besides printed text: a merged cell's text the row inherits, the
    total of the gold rows' budgets (sums), or a per-unit amount times a number the row prints."""
    from eval.oracle import vnd

    values = []
    for record in records:
        if isinstance(record, RowRecord):
            values += [record.lead_text if "lead" in field else record.coordinating_text
                       for field in record.inherited if field in ("lead", "coordinating")]
    budgets = [r.budget for r in records if isinstance(r, RowRecord) and r.budget and r.budget.million_vnd is not None]
    if "sum" in q["tags"]:
        values.append(vnd(sum(b.million_vnd for b in budgets if not b.per_unit)))
    if "per_unit" in q["tags"]:
        for record in records:
            counts = [int(n) for n in re.findall(r"\b(\d{1,4})\s+[^\W\d]", record.product.split("(")[0])]
            for n in {*counts, sum(counts)}:
                values += [vnd(b.million_vnd * n) for b in budgets if b.per_unit]
    return values


def test_facts_are_printed_in_the_gold_records(questions, index):
    """A lookup or prose fact must be in the text of a gold record (accents, case and spaces aside),
    or be the plan's own number, date or signer as the manifest records them, or be computed from
    the gold records as `computed_facts` says."""
    problems = []
    for q in filter(curated, questions):
        if q["kind"] not in ("lookup", "prose"):
            continue
        records = [index.records[rid] for rid in q["gold_rows"] if rid in index.records]
        haystack = [_squash(r.text) for r in records] + [_squash(v) for v in computed_facts(q, records)]
        for record in records:
            plan = index.plans[record.document]
            for value in (plan.doc_number, plan.signer, plan.doc_date and f"{plan.doc_date.day}/{plan.doc_date.month}/{plan.doc_date.year}"):
                if value:
                    haystack.append(_squash(value))
        for fact in q["facts"]:
            if not any(_squash(fact) in text for text in haystack):
                problems.append(f"{q['id']}: fact {fact!r} not in its gold records")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_gold_stays_in_the_named_province(questions, index):
    """A question naming one of the plans' provinces cites only that province (follow-ups that name
    none are skipped)."""
    provinces = {fold(plan.province): plan.province for plan in index.plans.values()}
    problems = []
    for q in filter(curated, questions):
        named = {name for key, name in provinces.items() if re.search(rf"\b{re.escape(key)}\b", fold(q["question"]))}
        if not named or q["kind"] == "decline":
            continue
        for rid in q["gold_rows"] + q["acceptable_rows"]:
            record = index.records.get(rid)
            if record is not None and record.province not in named:
                problems.append(f"{q['id']}: {rid} is from {record.province}, the question names {sorted(named)}")
    assert not problems, "\n".join(problems)


def test_loader_reports_a_broken_line(tmp_path):
    """The checks above can fail: a malformed line and a missing field are caught."""
    (tmp_path / "01-x.jsonl").write_text('{"id": "x-1", "kind": "listing"}\nnot json\n', encoding="utf-8")
    loaded = load_questions(tmp_path)
    assert "__error__" in loaded[1][2]
    assert set(loaded[0][2]) != set(FIELDS)
