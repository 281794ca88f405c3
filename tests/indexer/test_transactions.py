"""A build is a transaction: a plan whose file breaks keeps its last good records; builds that a
live process reads are never pruned; a killed build leaves nothing that costs a good build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cchc.settings import Settings, get_settings
from service.wiring import build, open_index
from indexer import leases
from indexer.store import current_build, read_meta

from tests.corpus_subset import keep_plans
from tests.fake_embedding import SETTINGS as FAKE_MODEL

PLAN = "hungyen2022"
PLAN_FILE = "hung-yen-2022-ke-hoach.txt"


KEPT = ("hungyen2022", "hatinh2022")  # two plans: each test builds several times


@pytest.fixture
def settings(corpus_copy: Path, tmp_path: Path) -> Settings:
    return get_settings(corpus_dir=keep_plans(corpus_copy, KEPT), data_dir=tmp_path / "data", **FAKE_MODEL)


def _rows_of(settings: Settings, plan: str) -> set[str]:
    with open_index(settings) as index:
        return {r.id for r in index.rows if r.document == plan}


def _touch_plan(settings: Settings, number: int) -> None:
    """A real change to one plan, so the next build makes a new build folder."""
    path = settings.corpus_dir / "ha-tinh-2022-phu-luc.txt"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nGhi chú cập nhật lần {number}.\n")


@pytest.mark.parametrize("breakage", ["empty", "missing", "not-utf8", "nul-only"])
def test_a_plan_whose_file_breaks_keeps_its_last_good_records(settings, breakage):
    first = build(settings)
    before = _rows_of(settings, PLAN)
    path = settings.corpus_dir / PLAN_FILE
    {"empty": lambda: path.write_bytes(b""), "missing": path.unlink,
     "not-utf8": lambda: path.write_bytes(b"\xff\xfe\x00bad"), "nul-only": lambda: path.write_bytes(b"\x00" * 10)}[breakage]()

    second = build(settings)

    assert not first.failed and second.failed
    summary = next(d for d in second.documents if d.plan.id == PLAN)
    assert summary.stale and summary.error and PLAN_FILE in summary.error
    assert second.stale == {PLAN: summary.error}
    assert _rows_of(settings, PLAN) == before  # still answerable, from the last good version
    with open_index(settings) as index:
        assert PLAN in index.plans and index.meta.stale == {PLAN: summary.error}

    shutil.copy(Path(__file__).resolve().parents[2] / "corpus" / PLAN_FILE, path)
    repaired = build(settings)
    assert not repaired.failed and repaired.stale == {}
    assert read_meta(current_build(settings.index_dir)).stale == {}


def test_a_broken_manifest_entry_keeps_the_plan_it_names(settings):
    build(settings)
    before = _rows_of(settings, PLAN)
    manifest = settings.corpus_dir / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index(f'id = "{PLAN}"')
    manifest.write_text(text[:start] + text[start:].replace("year = 2022", 'year = "hai không hai hai"', 1), encoding="utf-8")

    report = build(settings)

    assert report.failed and report.stale.keys() == {PLAN}
    assert _rows_of(settings, PLAN) == before


def test_a_new_plan_that_fails_is_reported_and_invents_nothing(settings):
    build(settings)
    with (settings.corpus_dir / "manifest.toml").open("a", encoding="utf-8") as manifest:
        manifest.write('\n[[plan]]\nid = "moi2023"\nfile = "moi.txt"\nprovince = "Hà Tĩnh"\nyear = 2023\n'
                       'title = "Kế hoạch mới"\nshort_title = "KH mới"\nlayout = "tsv"\n')
    (settings.corpus_dir / "moi.txt").write_bytes(b"")

    report = build(settings)

    assert report.failed and report.stale == {}
    with open_index(settings) as index:
        assert "moi2023" not in index.plans and len(index.plans) == len(KEPT)


def test_a_nul_in_a_document_is_cleaned_not_fatal(settings):
    path = settings.corpus_dir / PLAN_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Sở Nội vụ", "Sở\u0000 Nội\u200b vụ", 3), encoding="utf-8")

    report = build(settings)

    assert not report.failed
    with open_index(settings) as index:
        rows = [r for r in index.rows if r.document == PLAN]
        assert rows and not any("\x00" in r.text or "\u200b" in r.text for r in rows)
        assert any(a.id == "so-noi-vu" for r in rows for a in r.lead)


def test_pruning_leaves_a_build_that_a_reader_holds(settings):
    build(settings)
    reader = open_index(settings)  # e.g. `cchc serve` or the bot, still answering from this build
    held = reader.build
    for number in range(3):
        _touch_plan(settings, number)
        build(settings)

    assert held.exists() and current_build(settings.index_dir) != held
    assert reader.filter_ids({"document": "hatinh2022"})  # its Chroma files are all still there
    reader.close()
    _touch_plan(settings, 99)
    build(settings)
    assert not held.exists()
    complete = [b for b in settings.index_dir.glob("build-*") if (b / "meta.json").exists()]
    assert len(complete) == 2


def test_a_dead_processs_lease_does_not_keep_a_build(settings):
    build(settings)
    old = current_build(settings.index_dir)
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (settings.index_dir / leases.LEASES_DIR / f"{old.name}@{os.uname().nodename}-{dead}-deadbeef").touch()
    for number in range(2):
        _touch_plan(settings, number)
        build(settings)

    assert not old.exists()
    assert not list((settings.index_dir / leases.LEASES_DIR).glob(f"{old.name}@*"))


def test_a_killed_build_is_cleaned_and_never_costs_the_last_complete_build(settings):
    build(settings)
    _touch_plan(settings, 1)
    build(settings)
    complete = sorted(b.name for b in settings.index_dir.glob("build-*"))
    # What `kill -9` during `cchc index` leaves: a newer folder, half written, without meta.json.
    orphan = settings.index_dir / "build-29991231-235959-000000"
    (orphan / "chroma").mkdir(parents=True)
    (orphan / "chroma" / "chroma.sqlite3").write_bytes(b"half")

    report = build(settings)  # nothing changed in the corpus

    assert not report.changed and not orphan.exists()
    assert sorted(b.name for b in settings.index_dir.glob("build-*")) == complete
    with open_index(settings) as index:
        assert len(index.plans) == len(KEPT)
