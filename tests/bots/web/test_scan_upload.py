"""A portal operator adds a scanned plan from the browser: the preview shows every row read, the
page it came from and the cells OCR was unsure of; live counts while the pages are read; the rows
downloaded as .xlsx, one cell corrected, the sheet uploaded back and served by the index, the
manifest naming both files. Real Tesseract in the real parsing worker, on the 3-page scan of
tests.indexer.paged_pdf read once for the run (tests.indexer.shared_scan); where the live counts
are tested the middle page is left out of the OCR cache, so the worker reads it meanwhile. The
OCR settings come from Settings (every cell flagged at 100)."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import tomllib
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from pydantic import SecretStr

from bots.web.app import create_app
from cchc.settings import Settings
from indexer.parsers.ocr import ocr_available
from tests.indexer.shared_scan import SharedScan

pytestmark = pytest.mark.skipif(ocr_available() is not None, reason=f"OCR unavailable here: {ocr_available()}")

TOKEN = "quan-tri-" + "0f1e2d3c4b5a6978" * 3
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEADER = {"province": "Hưng Yên", "year": "2022", "title": "Kế hoạch cải cách hành chính năm 2022"}
NEW_LEAD = "Sở Khoa học và Công nghệ"


@pytest.fixture(scope="module")
def scan(hungyen_scan, tmp_path_factory) -> tuple[Path, SharedScan]:
    """(the scan, its pages read once for the run)."""
    folder = tmp_path_factory.mktemp("scan-upload")
    return shutil.copyfile(hungyen_scan.path, folder / "hy-scan.pdf"), hungyen_scan


def _settings(web_settings: Settings, built_settings: Settings, corpus: Path, data_dir: Path) -> Settings:
    shutil.copytree(built_settings.index_dir, data_dir / "index")
    (corpus / "manifest.toml").chmod(0o644)
    return web_settings.model_copy(update={"admin_token": SecretStr(TOKEN), "data_dir": data_dir, "corpus_dir": corpus,
                                           "ocr_low_confidence": 100.0, "ocr_workers": 2})


@pytest.fixture
def read_settings(web_settings, built_settings, corpus_copy, tmp_path, scan) -> Settings:
    """The scan's pages already in the data folder's OCR cache, as after a first preview."""
    scan[1].ocr_cache(tmp_path / "data-cached" / "ocr")
    return _settings(web_settings, built_settings, corpus_copy, tmp_path / "data-cached")


def _reading(settings: Settings, scan: tuple[Path, SharedScan]) -> Settings:
    """The header block's pages (first and last) cached, the middle one not: the worker reads it
    with Tesseract while the status and the page show how far it is."""
    scan[1].ocr_cache(settings.data_dir / "ocr", pages=(0, 2))
    return settings


def _upload(path: Path) -> dict:
    return {"file": (path.name, path.read_bytes(), "application/pdf")}


async def test_the_status_of_a_preview_counts_the_pages_read(web_settings, built_settings, corpus_copy, tmp_path, scan, app_client):
    settings = _reading(_settings(web_settings, built_settings, corpus_copy, tmp_path / "data-fresh"), scan)
    app = create_app(settings)
    job = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    seen: list[dict] = []

    async with app_client(app) as http:
        unknown = await http.get(f"/api/admin/plans/preview/{job}", headers=AUTH)
        refused = await http.get(f"/api/admin/plans/preview/{job}")
        reading = asyncio.create_task(http.post("/api/admin/plans/preview", files=_upload(scan[0]), data={"job": job}, headers=AUTH))
        while not reading.done():
            status = await http.get(f"/api/admin/plans/preview/{job}", headers=AUTH)
            if status.status_code == 200:
                seen.append(status.json())
            await asyncio.sleep(0.2)
        shown = (await reading).json()
        done = (await http.get(f"/api/admin/plans/preview/{job}", headers=AUTH)).json()
        bad = await http.get("/api/admin/plans/preview/..%2Fetc", headers=AUTH)

    assert unknown.status_code == 404 and "Không có lượt đọc tệp nào" in unknown.json()["detail"]
    assert refused.status_code == 401
    assert shown["error"] is None and abs(shown["rows"] - 20) <= 2
    counts = [(s["pages_done"], s["pages_total"]) for s in seen if s["state"] == "reading" and s["pages_total"]]
    assert counts and all(total == 3 and 1 <= done_ <= 3 for done_, total in counts), seen
    assert [c[0] for c in counts] == sorted(c[0] for c in counts)  # the count only goes up
    assert done == {"state": "done", "pages_done": 3, "pages_total": 3}
    assert bad.status_code in (404, 422)
    assert len(list((settings.data_dir / "ocr").glob("*/*.json"))) == 3  # the worker kept the page it read: the next preview costs no OCR


async def test_preview_download_correct_and_serve_the_corrected_sheet(read_settings, scan, app_client):
    app = create_app(read_settings)
    path = scan[0]

    async with app_client(app) as http:
        shown = (await http.post("/api/admin/plans/preview", files=_upload(path), headers=AUTH)).json()
        sheet = await http.post("/api/admin/plans/preview.xlsx", files=_upload(path), headers=AUTH)
        book = openpyxl.load_workbook(io.BytesIO(sheet.content))
        table = book.active
        lead = [c.value for c in table[1]].index("Đơn vị chủ trì") + 1
        before = table.cell(row=2, column=lead).value
        table.cell(row=2, column=lead).value = NEW_LEAD
        corrected = io.BytesIO()
        book.save(corrected)
        files = {**_upload(path), "correction": ("da-sua.xlsx", corrected.getvalue(), "application/octet-stream")}
        wrong = await http.post("/api/admin/plans", files={**_upload(path), "correction": ("da-sua.csv", b"a,b", "text/csv")},
                                data=HEADER, headers=AUTH)
        added = await http.post("/api/admin/plans", files=files, data=HEADER, headers=AUTH)
        await asyncio.to_thread(app.state.runtime.wait_reindex, 300)
        served = [r for r in app.state.runtime.snapshot.index.rows if r.document == "hyscan"]
        fixed = next(r for r in served if r.lead_text == NEW_LEAD)
        detail = (await http.get(f"/api/rows/{fixed.id}")).json()

    # The preview: every row, the page it came from, every cell flagged (threshold 100 from Settings).
    assert shown["rows"] == len(shown["records"]) and {r["page"] for r in shown["records"]} <= {1, 2, 3}
    assert all(r["flagged"]["lead"] < 100 for r in shown["records"])
    # The sheet: one row per record, flagged cells yellow, nothing a formula.
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="hy-scan.kiem-tra.xlsx"' in sheet.headers["content-disposition"]
    assert table.max_row == len(shown["records"]) + 1 and before == shown["records"][0]["lead"] != NEW_LEAD
    assert table.cell(row=3, column=lead).fill.fgColor.rgb.endswith("FFFF00")
    assert not [c for row in table.iter_rows() for c in row if c.data_type == "f"]
    # Uploaded back: served, the manifest naming both files.
    assert wrong.status_code == 422 and ".xlsx" in wrong.json()["detail"]
    assert added.status_code == 202
    entry = next(e for e in tomllib.loads((read_settings.corpus_dir / "manifest.toml").read_text(encoding="utf-8"))["plan"]
                 if e.get("original") == "hy-scan.pdf")
    assert entry["file"] == "hy-scan.corrected.xlsx" and entry["id"] == "hyscan" and entry["doc_number"] == "196/KH-UBND"
    assert (read_settings.corpus_dir / "hy-scan.pdf").read_bytes() == path.read_bytes()
    assert abs(len(served) - 20) <= 2 and [r.lead_text for r in served].count(NEW_LEAD) == 1
    assert detail["record"]["lead_text"] == NEW_LEAD and detail["plan"]["file"] == "hy-scan.corrected.xlsx"
    assert detail["plan"]["original"] == "hy-scan.pdf" and detail["record"]["lead"][0]["known"]


def test_the_admin_page_counts_pages_then_shows_the_rows_with_flagged_cells_highlighted(
        web_settings, built_settings, corpus_copy, tmp_path, scan, page, threaded_server, shoot):
    settings = _reading(_settings(web_settings, built_settings, corpus_copy, tmp_path / "data-fresh"), scan)  # counts show
    app = create_app(settings)
    with threaded_server(app) as server:
        page.goto(f"http://127.0.0.1:{server.port}/quan-tri")
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#token", TOKEN)
        page.set_input_files("#file", str(scan[0]))
        page.click("#preview-button")

        expect(page.locator("#status")).to_have_text(re.compile(r"^Đang đọc trang [12]/3…$"), timeout=120_000)
        expect(page.locator("#status")).to_have_text("Đã đọc xong. Kiểm tra rồi xác nhận.", timeout=120_000)
        rows = page.locator("#rows-table tbody tr")
        expect(page.locator("#rows-table thead th").first).to_have_text("Trang")
        assert abs(rows.count() - 20) <= 2
        expect(rows.first.locator("td").first).to_have_text("1")
        flagged = page.locator("#rows-table td.flagged")
        expect(flagged.first).to_be_visible()
        assert re.fullmatch(r"OCR đọc chưa chắc — độ tin cậy \d+%", flagged.first.get_attribute("title"))
        colour = flagged.first.evaluate("cell => getComputedStyle(cell).backgroundColor")
        assert colour == "rgb(255, 235, 59)"
        expect(page.locator("#flag-legend")).to_be_visible()
        page.locator("#rows").scroll_into_view_if_needed()
        shoot(page, "admin-scan-preview")

        with page.expect_download(timeout=60_000) as download:
            page.click("#sheet-button")
        assert download.value.suggested_filename == "hy-scan.kiem-tra.xlsx"
        saved = download.value.path().read_bytes()
        assert openpyxl.load_workbook(io.BytesIO(saved)).active.max_row == rows.count() + 1
        expect(page.locator("#status")).to_contain_text("Đã tải bảng Excel")

        # The sheet, as corrected in Excel, chosen as «Bảng đã sửa» and added with the scan.
        page.set_input_files("#correction", {"name": "hy-scan.kiem-tra.xlsx", "mimeType": "application/octet-stream", "buffer": saved})
        page.click("#confirm-button")
        expect(page.locator("#status")).to_contain_text("Đã thêm kế hoạch", timeout=120_000)
        app.state.runtime.wait_reindex(300)
    assert app.state.runtime.status.state == "succeeded"
    entries = tomllib.loads((settings.corpus_dir / "manifest.toml").read_text(encoding="utf-8"))["plan"]
    assert {"file": "hy-scan.corrected.xlsx", "original": "hy-scan.pdf"}.items() <= entries[-1].items()
    assert page.errors == []
