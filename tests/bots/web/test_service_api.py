"""Entry points by name: the quick buttons' duties, the agency+province picker, and the typed blocks
every answer carries (exports: test_export.py)."""

from __future__ import annotations

LISTING = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"
TODAY = "2022-11-01"


async def test_the_quick_button_and_the_typed_question_give_the_same_rows(client):
    button = (await client.post("/api/duties", json={"agency": "so-noi-vu", "province": "Hà Tĩnh", "period": "this_quarter",
                                                     "role": "lead", "today": TODAY})).json()
    typed = (await client.post("/api/ask", json={"question": LISTING, "today": TODAY})).json()

    assert button["found"] and [c["id"] for c in button["citations"]] == [c["id"] for c in typed["citations"]]
    assert button["answer_id"] and button["blocks"] == typed["blocks"]


async def test_a_listing_comes_as_groups_of_items_with_their_fields(client):
    answer = (await client.post("/api/ask", json={"question": LISTING, "today": TODAY})).json()

    kinds = [b["type"] for b in answer["blocks"]]
    assert kinds[0] == "heading" and "group" in kinds and kinds[-1] == "follow_ups"
    groups = [b for b in answer["blocks"] if b["type"] == "group"]
    assert sum(g["count"] for g in groups) == len(answer["citations"]) == 20
    # Deadline first: the 4 rows due in quý IV (given to a collective) open the answer, ahead of
    # the recurring ones; the summary line counts each group.
    assert [g["kind"] for g in groups] == ["due", "ongoing", "guidance"]
    assert [(g["title"], g["count"]) for g in groups][0] == ("Đến hạn trong quý IV/2022", 4)
    summary = next(b for b in answer["blocks"] if b["type"] == "summary")
    assert summary["text"].startswith("Đến hạn trong quý IV/2022: 4 · Đang thực hiện/thường xuyên: 14")
    item = groups[0]["items"][0]
    assert item["task"] and item["lead"] and item["deadline"] and item["plan"] == "KH CCHC 2022 Hà Tĩnh"
    assert item["status"] == "due" and item["deadline_label"] == "Quý IV/2022" and item["role"].startswith("Giao chung")
    assert [i["id"] for g in groups for i in g["items"]] == [c["id"] for c in answer["citations"]]


async def test_a_lookup_is_a_fact_with_its_citation(client):
    answer = (await client.post("/api/ask", json={"question": "Ai chủ trì việc đo lường sự hài lòng của người dân ở Nam Định?",
                                                  "today": TODAY})).json()
    facts = [b for b in answer["blocks"] if b["type"] == "fact"]
    assert facts and facts[0]["citation"] == answer["citations"][0]["id"]


async def test_an_out_of_range_period_is_a_warning_note(client):
    answer = (await client.post("/api/ask", json={"question": "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?",
                                                  "today": "2026-12-02"})).json()
    warnings = [b for b in answer["blocks"] if b["type"] == "note" and b["severity"] == "warning"]
    assert warnings and "chưa có kế hoạch nào cho quý IV/2026" in warnings[0]["text"]


async def test_the_picker_names_agency_and_province(client):
    choices = (await client.get("/api/agency-choices", params={"q": "tài chính"})).json()

    labels = [c["label"] for c in choices]
    assert "Sở Tài chính — Hà Tĩnh" in labels and "Sở Tài chính — Hưng Yên" in labels
    assert all(c["id"] == "so-tai-chinh" for c in choices if c["name"] == "Sở Tài chính")

