"""`cchc check FILE`: what would be indexed, and why each column got its role; writes nothing."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import main
from tests.indexer.test_metadata import _plan_docx


def test_check_shows_metadata_roles_rows_and_what_was_not_understood(tmp_path):
    path = tmp_path / "ha-nam-2023.docx"
    _plan_docx(path, "196/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023",
               [["1", "Rà soát văn bản [[quy phạm]] pháp luật", "Sở Tư pháp", "Quý II/2023"],
                ["2", "Kiểm tra công vụ", "Sở Nội vụ", "Sớm nhất có thể"]])
    data_dir = tmp_path / "data"

    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "check", str(path)])

    assert result.exit_code == 0, result.output
    out = result.output
    for expected in ("Hà Nam", "196/KH-UBND", "2022-12-24", "Trương Quốc Huy",
                     "Đơn vị chủ trì", "lead", "tiêu đề «Đơn vị chủ trì»", "2 dòng nhiệm vụ",
                     "Rà soát văn bản [[quy phạm]] pháp luật",  # cell text printed as text, not console markup
                     "Thời hạn chưa hiểu: Sớm nhất có thể"):
        assert expected in out, expected
    assert not data_dir.exists()  # a preview writes nothing


def test_check_of_a_file_without_a_task_table_says_why_and_fails(tmp_path):
    path = tmp_path / "cong-van.docx"
    import docx

    document = docx.Document()
    document.add_paragraph("Kính gửi các sở, ban, ngành.")
    document.save(str(path))

    result = CliRunner().invoke(main, ["check", str(path)])

    assert result.exit_code == 1
    assert "Không lập chỉ mục được" in result.output and "không tìm thấy bảng nhiệm vụ" in result.output
