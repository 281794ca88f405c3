"""The evaluation harness end to end on a tiny question set, against the session index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eval.harness import gate, run_eval
from eval.questions import EvalQuestion, QuestionFileError, load_questions, parse_questions
from eval.report import LATENCY_PLOT, PASS_RATE_PLOT, REPORT_FILE, RESULTS_FILE, write_report
from eval.systems import FullSystem, LexicalOnly, NaiveRag, chunk_lines, overlapping

pytestmark = pytest.mark.slow

IMPOSSIBLE = "namdinh2022_00000000"


def _row(index, plan: str, label_end: str) -> str:
    matches = [r.id for r in index.rows if r.document == plan and r.label.endswith(", " + label_end)]
    assert len(matches) == 1, (label_end, matches)
    return matches[0]


def _lines(index) -> list[dict]:
    """Six questions with gold read off the plan (Nam Định, section I) and one that cannot pass."""
    law_plan = _row(index, "namdinh2022", "I › 3.1")  # Sở Tư pháp, Quý 1-Năm 2022
    q1_lead = [_row(index, "namdinh2022", f"I › {n}") for n in ("1.1", "1.3", "2.2", "3.1", "3.2", "4.1", "4.2")]
    collective = [_row(index, "namdinh2022", f"I › {n}") for n in ("1.2", "2.1")]
    signer = [s.id for s in index.sections if s.document == "soctrang2021" and "Trần Văn Lâu" in s.text]
    return [
        {"id": "t-list-1", "kind": "listing", "tags": ["lead", "period"], "session": None, "today": "2022-02-10",
         "question": "Sở Tư pháp Nam Định chủ trì những nhiệm vụ gì trong quý I/2022?",
         "gold_rows": q1_lead, "acceptable_rows": collective},
        {"id": "t-look-1", "kind": "lookup", "tags": ["who_leads", "multi_turn"], "session": "a", "today": "2022-03-01",
         "question": "Ai chủ trì xây dựng kế hoạch theo dõi thi hành pháp luật ở Nam Định?",
         "gold_rows": [law_plan], "facts": ["Sở Tư pháp"]},
        {"id": "t-look-2", "kind": "lookup", "tags": ["deadline", "multi_turn"], "session": "a", "today": "2022-03-01",
         "question": "Thời hạn xây dựng kế hoạch theo dõi thi hành pháp luật của Nam Định là khi nào?",
         "gold_rows": [law_plan], "facts": ["Quý 1"]},
        {"id": "t-prose-1", "kind": "prose", "tags": ["signer"], "today": "2021-05-01",
         "question": "Kế hoạch CCHC năm 2021 của Sóc Trăng do ai ký?", "gold_rows": signer[:1],
         "acceptable_rows": signer[1:], "facts": ["Trần Văn Lâu"]},
        {"id": "t-decline-1", "kind": "decline", "tags": ["other_province"], "today": "2022-10-01",
         "question": "Sở Nội vụ Nghệ An phải làm gì trong quý IV/2022?", "expect_decline": True},
        {"id": "t-impossible", "kind": "lookup", "tags": ["who_leads"], "today": "2022-03-01",
         "question": "Ai chủ trì kiểm tra, rà soát văn bản QPPL ở Nam Định?", "gold_rows": [IMPOSSIBLE],
         "notes": "gold id that no index holds: this question always fails"},
    ]


@pytest.fixture(scope="module")
def questions_dir(tmp_path_factory, index) -> Path:
    folder = tmp_path_factory.mktemp("questions")
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in _lines(index)) + "\n"
    (folder / "10-test.jsonl").write_text(text, encoding="utf-8")
    return folder


def test_loader_reports_file_and_line(tmp_path):
    with pytest.raises(QuestionFileError, match="x.jsonl:2"):
        parse_questions('{"id": "a", "kind": "lookup", "question": "q"}\n{"id": "b", "kind": "nope", "question": "q"}', "x.jsonl")
    (tmp_path / "a.jsonl").write_text('{"id": "a", "kind": "lookup", "question": "q"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "a", "kind": "lookup", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(QuestionFileError, match="đã có ở a.jsonl:1"):
        load_questions(tmp_path)


def test_naive_chunks_map_to_overlapping_records():
    text = "l1\nl2\nl3\nl4\nl5"
    assert chunk_lines(text, text.index("l2"), "l2\nl3") == (2, 3)
    spans = [(1, 1, "a"), (2, 2, "b"), (3, 5, "c"), (6, 7, "d")]
    assert overlapping(spans, 2, 3) == ["b", "c"]
    assert overlapping(spans, 8, 9) == []


def test_harness_scores_full_system_and_baselines(tmp_path, questions_dir, assistant, index, built_settings):
    questions = load_questions(questions_dir)
    full = FullSystem("full", assistant, index)
    naive = NaiveRag(built_settings.corpus_dir, index, index.embedding, tmp_path / "naive", plans=["namdinh2022"])
    systems = [full, naive, LexicalOnly(index)]
    run = run_eval(questions, systems, questions_source=str(questions_dir))

    assert run.questions == 6 and len(run.results) == 18
    by_id = {r.id: r for r in run.results_of("full")}
    assert by_id["t-list-1"].score.recall == 1.0
    assert by_id["t-look-1"].score.passed and by_id["t-look-2"].score.passed
    assert by_id["t-decline-1"].score.passed and by_id["t-decline-1"].score.declined
    assert not by_id["t-impossible"].score.passed
    assert by_id["t-impossible"].score.missing_gold == [IMPOSSIBLE]
    assert by_id["t-look-2"].session and by_id["t-look-2"].session.startswith(f"eval-{run.run_id}-")
    assert all(r.score.citation_validity in (None, 1.0) for r in run.results_of("full"))
    assert run.pass_rate("full") == pytest.approx(5 / 6)

    # The naive baseline never declines and cites Nam Định records its chunks overlap.
    naive_results = run.results_of("naive-rag")
    assert all(r.found for r in naive_results)
    assert all(i in index.records and i.startswith("namdinh2022_") for r in naive_results for i in r.cited)
    assert not {r.id: r for r in naive_results}["t-decline-1"].score.passed

    assert gate(run, 0.8)[0] and not gate(run, 0.9)[0]
    out, latest = tmp_path / "reports" / "run", tmp_path / "reports" / "latest"
    report = write_report(run, out, gate_message=gate(run, 0.9)[1], latest=latest)
    for name in (REPORT_FILE, RESULTS_FILE, PASS_RATE_PLOT, LATENCY_PLOT):
        assert (out / name).stat().st_size > 0
        assert (latest / name).exists()
    text = report.read_text(encoding="utf-8")
    assert "## Headline" in text and "`naive-rag`" in text and "### listing" in text and "## Per tag" in text
    assert "t-impossible" in text and IMPOSSIBLE in text
    assert (out / PASS_RATE_PLOT).read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((out / RESULTS_FILE).read_text(encoding="utf-8"))
    assert len(saved["results"]) == 18


def test_cli_gate_and_feedback_import(tmp_path, questions_dir, built_settings):
    from bots.feedback import Feedback, FeedbackStore
    from cli.main import main

    data_dir = tmp_path / "data"
    shutil.copytree(built_settings.index_dir, data_dir / "index")  # same model: reused, not re-embedded
    questions = tmp_path / "questions"
    shutil.copytree(questions_dir, questions)
    cited = next(q.gold_rows for q in load_questions(questions) if q.id == "t-look-1")
    store = FeedbackStore(data_dir / "feedback.sqlite3")
    store.add(Feedback(channel="web", rating="up", question="Ai chủ trì xây dựng kế hoạch theo dõi thi hành pháp luật ở Nam Định?",
                       answer="…", citations=cited, answer_id="a-1"))
    store.add(Feedback(channel="telegram", rating="down", question="Sở Tư pháp Nam Định làm gì trong quý II/2022?",
                       answer="…", comment="thiếu việc", answer_id="a-2"))
    store.add(Feedback(channel="web", rating="up", question="Sở Nội vụ làm gì?", answer="…", answer_id="a-3",
                       citations=["hatinh2022_2f7de833"]))  # never reviewed: must not become a question
    store.add(Feedback(channel="web", rating="up", question="Câu bị loại?", answer="…", answer_id="a-4"))
    common = ["--corpus", str(built_settings.corpus_dir), "--data-dir", str(data_dir),
              "--embedding-model", built_settings.embedding_model]
    base = [*common, "eval", "--questions", str(questions), "--systems", "full,lexical", "--add-feedback"]
    runner = CliRunner()
    pending = runner.invoke(main, [*common, "feedback", "list"])
    assert pending.exit_code == 0 and "4 góp ý chờ duyệt" in pending.output
    assert runner.invoke(main, [*common, "feedback", "accept", "1", "2"]).exit_code == 0
    assert runner.invoke(main, [*common, "feedback", "reject", "4"]).exit_code == 0
    missing = runner.invoke(main, [*common, "feedback", "accept", "99"])
    assert missing.exit_code == 1 and "Không có góp ý mang mã 99" in missing.output

    failing = runner.invoke(main, [*base, "--out", str(tmp_path / "reports" / "one"), "--min-pass-rate", "0.95"])
    assert failing.exit_code == 1, failing.output
    assert (tmp_path / "reports" / "one" / REPORT_FILE).exists()
    assert (tmp_path / "reports" / "latest" / RESULTS_FILE).exists()
    lines = (questions / "90-feedback.jsonl").read_text(encoding="utf-8").splitlines()
    imported = [EvalQuestion.model_validate_json(line) for line in lines]
    assert [q.id for q in imported] == ["feedback-00001", "feedback-00002"]
    assert imported[0].gold_rows == cited and imported[0].kind == "lookup"
    assert imported[1].needs_gold and "cần gán gold" in imported[1].notes

    passing = runner.invoke(main, [*base, "--out", str(tmp_path / "reports" / "two"), "--min-pass-rate", "0.5"])
    assert passing.exit_code == 0, passing.output
    assert len((questions / "90-feedback.jsonl").read_text(encoding="utf-8").splitlines()) == 2  # nothing twice
    report = (tmp_path / "reports" / "two" / REPORT_FILE).read_text(encoding="utf-8")
    assert "feedback-00002" in report  # listed as waiting for gold, not scored
    saved = json.loads((tmp_path / "reports" / "two" / RESULTS_FILE).read_text(encoding="utf-8"))
    assert saved["skipped"] == ["feedback-00002"] and saved["questions"] == 7
