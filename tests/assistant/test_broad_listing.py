"""A listing over more provinces than CCHC_LISTING_MAX_PROVINCES, none named, answers with the
count of rows per province and asks which province, instead of thousands of rows."""

from __future__ import annotations

import datetime as dt

from assistant.contract import FactBlock, FollowUpsBlock, NoteBlock
from service.wiring import build_assistant

TODAY = dt.date(2022, 11, 1)


def test_a_country_wide_listing_counts_rows_per_province(built_settings, index, assistant) -> None:
    narrow = build_assistant(built_settings.model_copy(update={"listing_max_provinces": 2}), index)
    question = "Sở Tư pháp các tỉnh chủ trì những việc gì?"  # none named: «tỉnh nào?» (tests/assistant/test_context.py)
    full = assistant.ask(question, today=TODAY)  # five provinces: under the default, every row
    overview = narrow.ask(question, today=TODAY, session="broad-1")

    per_province: dict[str, int] = {}
    for citation in full.citations:
        per_province[citation.province] = per_province.get(citation.province, 0) + 1
    assert len(per_province) > 2
    lines = overview.answer.splitlines()
    assert lines[0].startswith(f"Sở Tư pháp có {len(full.citations)} dòng nhiệm vụ liên quan trong kế hoạch của "
                               f"{len(per_province)} tỉnh, thành phố")
    shown = {line[2:].split(":")[0]: int(line.split(": ")[1].split(" ")[0]) for line in lines[1:] if line.startswith("- ")}
    assert shown == per_province
    assert overview.found and overview.citations == []
    assert all(isinstance(b, (FactBlock, FollowUpsBlock, NoteBlock)) for b in overview.blocks)  # NoteBlock: «Đã hiểu»
    [more] = [b for b in overview.blocks if isinstance(b, FollowUpsBlock)]
    assert more.questions[0] == f"Sở Tư pháp tỉnh {next(iter(shown))} chủ trì những việc gì?"

    # naming the province, as the answer suggests, lists every row again
    answer = narrow.ask("Còn ở Hà Tĩnh thì sao?", today=TODAY, session="broad-1")
    assert answer.citations and {c.province for c in answer.citations} == {"Hà Tĩnh"}
    assert len(answer.citations) == per_province["Hà Tĩnh"]
