"""A plan whose cells carry markup: nothing from the corpus or the question may run or become
elements on the page. Served from its own small corpus and index."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bots.web.app import create_app
from cchc.settings import Settings

pytestmark = pytest.mark.slow

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
MANIFEST = """\
[[plan]]
id = "doctai2022"
file = "doc-tai-2022-phu-luc.txt"
province = "Nam Định"
year = 2022
title = "Kế hoạch thử nghiệm <script>window.__pwned=3</script> năm 2022"
short_title = "KH <b>độc</b> 2022"
layout = "tsv"
columns = ["section", "task", "activity", "lead", "coordinating", "period", "budget"]
"""
# The plans are HTML fragments: tags are markup the parser strips, escaped ones (&lt;script&gt;)
# included (decoded first, so they never come back as markup); what is left must stay text.
HEADER = (
    "<b>Nhiệm vụ</b>\t<b>Nhiệm vụ cụ thể</b>\t<b>Sản phẩm</b>\t<b>Cơ quan chủ trì</b>\t"
    "<b>Cơ quan phối hợp</b>\t<b>Thời gian thực hiện</b>\t<b>Kinh phí dự kiến</b>"
)
ROWS = [
    "<b>I. Cải cách thể chế</b>\t1. Rà soát văn bản &lt;script&gt;window.__pwned=1&lt;/script&gt; <script>window.__pwned=4</script>"
    "\t1.1 Báo cáo rà soát &lt;img src=x onerror=\"window.__pwned=2\"&gt; <img src=x onerror=\"window.__pwned=5\">"
    "\tSở Nội vụ\tSở Tư pháp &lt;b&gt;in đậm&lt;/b&gt;\tQuý IV năm 2022\tKinh phí thường xuyên",
    "\t\t1.2 Tập huấn <a href=\"javascript:window.__pwned=6\">liên kết</a> &lt;script&gt;window.__pwned=1&lt;/script&gt;"
    "\tSở Nội vụ\t\tQuý IV năm 2022\t",
]
DOCUMENT = "**Phụ lục**\n\n" + HEADER + "\n" + "\n".join(ROWS) + "\n"


@pytest.fixture
def hostile_server(built_settings: Settings, tmp_path: Path, threaded_server):
    from service.wiring import build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (corpus / "doc-tai-2022-phu-luc.txt").write_text(DOCUMENT, encoding="utf-8")
    settings = built_settings.model_copy(update={"corpus_dir": corpus, "data_dir": tmp_path / "data", "rate_limit": "1000/minute"})
    report = build(settings)
    assert not report.failed and report.documents[0].rows == 2
    app = create_app(settings)  # the real lifespan: opens this index, loads the model
    with threaded_server(app) as server:
        yield f"http://127.0.0.1:{server.port}"


def test_markup_from_documents_and_questions_stays_text(browser, hostile_server, shoot):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="vi-VN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"{hostile_server}/?today=2022-11-01")
        page.wait_for_selector("body[data-ready=true]")
        question = f'Sở Nội vụ chủ trì những việc gì trong quý này? <img src=x onerror="window.__pwned=7"> {SCRIPT}'
        page.fill("#question", question)
        page.press("#question", "Enter")
        expect(page.locator(".message.assistant").last.locator(".feedback")).to_be_visible(timeout=60_000)
        expect(page.locator(".message.user .bubble")).to_have_text(question)
        # The plan's cells, asked plainly (the markup above is a topic no plan covers).
        page.fill("#question", "Sở Nội vụ chủ trì những việc gì trong quý này?")
        page.press("#question", "Enter")
        answer = page.locator(".message.assistant").nth(1)
        expect(answer.locator(".feedback")).to_be_visible(timeout=60_000)

        expect(answer.locator(".answer-text")).to_contain_text("1.1 Báo cáo rà soát\n")
        expect(answer.locator(".answer-text")).to_contain_text("1.2 Tập huấn liên kết window.__pwned=1")
        expect(answer.locator(".answer-text")).not_to_contain_text("onerror")
        expect(answer.locator(".chip").first).to_have_text("KH <b>độc</b> 2022, I › 1.1")
        answer.locator(".sources > summary").click()  # the sources are folded
        answer.locator(".chip").first.click()
        table = page.locator("#citation-dialog table.row-table").first
        expect(table).to_be_visible()
        expect(table.locator("td").filter(has_text="Rà soát văn bản")).to_have_text("1. Rà soát văn bản window.__pwned=1 window.__pwned=4")
        expect(table.locator("td").filter(has_text="Báo cáo rà soát")).to_have_text("1.1 Báo cáo rà soát")
        expect(page.locator("#citation-dialog .plan-title")).to_contain_text("Kế hoạch thử nghiệm <script>window.__pwned=3</script> năm 2022")
        shoot(page, "xss-citation")

        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert dialogs == []
        # The only script is the page's own module; no element came from the data.
        assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == ["/static/app.js"]
        assert page.locator("img, iframe, object, embed, a[href^='javascript'], b, i").count() == 0
        assert page.evaluate("[...document.querySelectorAll('*')].some(e => [...e.attributes].some(a => a.name.startsWith('on')))") is False
    finally:
        context.close()
