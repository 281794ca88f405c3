"""Broken documents get a clear message naming the file (and line); the others are still indexed."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from cli.main import main
from cchc.errors import DocumentError
from cchc.settings import get_settings
from service.wiring import agency_table, build, open_index
from indexer.parsers import parse_document
from indexer.records import Layout, PlanDocument
from tests.fake_embedding import SETTINGS as FAKE_MODEL

GOOD = """[[plan]]
id = "namdinh2022"
file = "nam-dinh.txt"
province = "Nam Định"
year = 2022
title = "Kế hoạch Nam Định"
short_title = "KH CCHC 2022 Nam Định"
layout = "tsv"
columns = ["section", "task", "activity", "lead", "coordinating", "period", "budget"]
"""


def plan(file: str, layout: Layout = Layout.TSV, **extra) -> PlanDocument:
    return PlanDocument(id="broken2022", file=file, province="Hà Nam", year=2022, title="Kế hoạch",
                        short_title="KH thử", layout=layout, **extra)


def test_empty_file_is_refused_by_name(tmp_path):
    (tmp_path / "rong.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(DocumentError, match="rong.txt rỗng"):
        parse_document(plan("rong.txt"), tmp_path / "rong.txt", agency_table())


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Dòng một\nDòng hai\n".encode("utf-8") + "Báo cáo quý".encode("latin-1"))
    with pytest.raises(DocumentError, match=r"latin.txt, dòng 3: .*không phải văn bản UTF-8"):
        parse_document(plan("latin.txt"), tmp_path / "latin.txt", agency_table())


def test_table_without_a_recognisable_header_is_refused(tmp_path):
    (tmp_path / "khong-bang.txt").write_text("KẾ HOẠCH\nchỉ có văn xuôi\tkhông có bảng\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="khong-bang.txt: không tìm thấy dòng tiêu đề"):
        parse_document(plan("khong-bang.txt"), tmp_path / "khong-bang.txt", agency_table())


def test_an_unknown_column_is_kept_in_the_row_not_guessed(tmp_path):
    text = "Tiêu đề\n\nNhiệm vụ\tCơ quan chủ trì\tThời gian thực hiện\tCột lạ\nRà soát\tSở Tư pháp\tQuý I/2022\tx\n"
    (tmp_path / "cot-la.txt").write_text(text, encoding="utf-8")
    row = parse_document(plan("cot-la.txt"), tmp_path / "cot-la.txt", agency_table()).rows[0]
    assert [(c.heading, c.text) for c in row.cells][-1] == ("Cột lạ", "x") and "x" in row.text
    assert (row.task, row.lead_text, row.period.text) == ("Rà soát", "Sở Tư pháp", "Quý I/2022")


def test_a_declared_role_that_does_not_exist_names_the_heading_and_line(tmp_path):
    text = "Tiêu đề\n\nNhiệm vụ\tCơ quan chủ trì\tThời gian thực hiện\nRà soát\tSở Tư pháp\tQuý I/2022\n"
    (tmp_path / "cot-la.txt").write_text(text, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"cot-la.txt, dòng 3: vai trò «chutri» khai báo cho cột «Cơ quan chủ trì»"):
        parse_document(plan("cot-la.txt", columns=["task", "chutri", "period"]), tmp_path / "cot-la.txt", agency_table())


def test_script_tags_never_survive_into_records(tmp_path):
    text = ("Nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện\n"
            "<script>alert('x')</script>Rà soát <img src=x onerror=alert(1)>văn bản\tSở Tư pháp\tSở Nội vụ\tQuý I/2022\n")
    (tmp_path / "script.txt").write_text(text, encoding="utf-8")
    doc = parse_document(plan("script.txt"), tmp_path / "script.txt", agency_table())
    row = doc.rows[0]
    assert "<script" not in row.text and "<img" not in row.text and "<" not in row.task
    assert row.task.startswith("alert('x')Rà soát")  # the words stay, as text


def test_bad_documents_do_not_stop_the_others_and_the_exit_code_says_so(tmp_path, corpus_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_dir / "nam-dinh-2022-phu-luc.txt", corpus / "nam-dinh.txt")
    (corpus / "rong.txt").write_text("", encoding="utf-8")
    manifest = GOOD + """
[[plan]]
id = "rong2022"
file = "rong.txt"
province = "Hà Nam"
year = 2022
title = "Tệp rỗng"
short_title = "KH rỗng"
layout = "tsv"

[[plan]]
id = "doc2022"
file = "x.doc"
province = "Hà Nam"
year = 2022
title = "Bố cục lạ"
short_title = "KH doc"
layout = "doc"
"""
    (corpus / "manifest.toml").write_text(manifest, encoding="utf-8")
    settings = get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL)
    report = build(settings)
    assert report.failed
    assert [d.plan.id for d in report.documents if d.error] == ["rong2022"]
    assert report.manifest_errors and "x.doc" in report.manifest_errors[0].message and "layout" in report.manifest_errors[0].message
    assert {r.document for r in open_index(settings).rows} == {"namdinh2022"}

    result = CliRunner().invoke(main, ["--corpus", str(corpus), "--data-dir", str(tmp_path / "data"),
                                       "--embedding-model", FAKE_MODEL["embedding_model"], "index", "--quiet"])
    assert result.exit_code == 1
    assert "rong.txt rỗng" in result.output and "x.doc" in result.output
