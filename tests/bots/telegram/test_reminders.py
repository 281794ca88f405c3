"""/nhacviec: opt in with day and time buttons; weekly and quarter-start digests from the JobQueue,
kept in the bot's persistence across a restart."""

from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo

from assistant.contract import Role
from bots.telegram import texts
from service.app import DutyPeriod, PlanService

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
QUARTER_START = dt.date(2022, 10, 1)


def jobs(app, chat_id: int) -> dict[str, object]:
    return {job.name.rsplit(":", 1)[1]: job for job in app.job_queue.jobs()
            if job.name.startswith(f"nhacviec:{chat_id}:")}


def expected(tg, period: DutyPeriod, today: dt.date) -> list[str]:
    service = PlanService(tg.assistant, tg.assistant.search.agencies)
    return tg.page_lines(service.duties("so-noi-vu", "Hà Tĩnh", period, Role.ANY, today, days=30))


async def test_weekly_and_quarter_digests_survive_a_restart(tg) -> None:
    official = tg.user("Hạnh")
    settings = tg.settings(telegram_allowed_ids=[official.id])
    async with tg.bot(settings) as app:
        await tg.api.send_text(official, "/nhacviec")
        [need] = await tg.api.wait_for_messages(official.id, 1)
        await tg.pick_agency(official, "noi vu", "so-noi-vu", "Hà Tĩnh")
        count = len(tg.api.bot_messages(official.id))
        await tg.api.send_text(official, "/nhacviec")
        menu = (await tg.api.wait_for_messages(official.id, count + 1))[count]
        offered = copy.deepcopy(menu)  # the fake server applies later edits to the message itself
        times = copy.deepcopy(await tg.choose(official, menu, "nv:d:0"))
        status = await tg.choose(official, times, "nv:t:0:0730")
        scheduled = jobs(app, official.id)

    assert need["text"] == texts.REMINDER_NEEDS_AGENCY
    assert "Sở Nội vụ — Hà Tĩnh" in offered["text"] and "30 ngày tới" in offered["text"]
    assert set(tg.buttons(offered).values()) == set(texts.WEEKDAY_BUTTONS)
    assert times["text"] == "Nhận bản tin vào Thứ Hai. Chọn giờ nhận:"
    assert status["text"].startswith("Nhắc việc đang bật cho Sở Nội vụ — Hà Tĩnh: thứ hai hằng tuần lúc 07:30")
    assert "Bản tin đầu quý (ngày 1/1, 1/4, 1/7, 1/10): bật." in status["text"]
    assert set(scheduled) == {"weekly", "quarterly"}
    weekly_at = scheduled["weekly"].next_t.astimezone(VIETNAM)
    assert (weekly_at.weekday(), weekly_at.time()) == (0, dt.time(7, 30))
    assert scheduled["quarterly"].next_t.astimezone(VIETNAM).day == 1

    # A new Application over the same data dir, on the first day of a quarter.
    async with tg.bot(settings, today=QUARTER_START) as app:
        restored = jobs(app, official.id)
        count = len(tg.api.bot_messages(official.id))
        await restored["weekly"].run(app)
        await restored["quarterly"].run(app)
        weekly, quarterly = (await tg.api.wait_for_messages(official.id, count + 2))[count:]

    assert set(restored) == {"weekly", "quarterly"}
    assert weekly["text"].startswith("🔔 Nhắc việc tuần: Sở Nội vụ — Hà Tĩnh, các việc đến hạn trong 30 ngày tới")
    assert tg.lines([weekly]) == expected(tg, DutyPeriod.NEXT_DAYS, QUARTER_START)
    assert quarterly["text"].startswith("🔔 Đầu quý: Sở Nội vụ — Hà Tĩnh, các việc trong quý này")
    assert tg.lines([quarterly]) == expected(tg, DutyPeriod.THIS_QUARTER, QUARTER_START)
    assert "quý IV/2022" in quarterly["text"] and "/row_hatinh2022_" in quarterly["text"]
    assert any(data.startswith("fb:") for data in tg.buttons(quarterly))
    assert not tg.api.failures()


async def test_quarter_digest_off_and_stop(tg) -> None:
    official = tg.user("Khoa")
    settings = tg.settings(telegram_allowed_ids=[official.id])
    async with tg.bot(settings) as app:  # today 2022-11-01: not a quarter's first month
        await tg.pick_agency(official, "tư pháp", "so-tu-phap", "Hà Tĩnh")
        count = len(tg.api.bot_messages(official.id))
        await tg.api.send_text(official, "/nhacviec")
        menu = (await tg.api.wait_for_messages(official.id, count + 1))[count]
        status = copy.deepcopy(await tg.choose(official, await tg.choose(official, menu, "nv:d:4"), "nv:t:4:1630"))
        await jobs(app, official.id)["quarterly"].run(app)
        quarter_off = copy.deepcopy(await tg.choose(official, status, "nv:q:0"))
        after_toggle = jobs(app, official.id)
        stopped = await tg.choose(official, quarter_off, "nv:off")
        after_stop = jobs(app, official.id)
        sent = len(tg.api.bot_messages(official.id))

    async with tg.bot(settings) as app:
        assert jobs(app, official.id) == {}
        count = len(tg.api.bot_messages(official.id))
        await tg.api.send_text(official, "/nhacviec")
        menu_again = (await tg.api.wait_for_messages(official.id, count + 1))[count]

    assert "thứ sáu hằng tuần lúc 16:30" in status["text"]
    assert sent == count  # the monthly job sent nothing in November
    assert "Bản tin đầu quý (ngày 1/1, 1/4, 1/7, 1/10): tắt." in quarter_off["text"]
    assert set(after_toggle) == {"weekly"}
    assert stopped["text"] == texts.REMINDER_STOPPED and after_stop == {}
    assert menu_again["text"].startswith("Nhắc việc đang tắt.")
    assert not tg.api.failures()


async def test_someone_elses_reminder_buttons_are_refused_in_a_group(tg) -> None:
    official, colleague = tg.user("Mai"), tg.user("Nam")
    group = tg.group()
    async with tg.bot(tg.settings(telegram_allowed_ids=[group.id, official.id])) as app:
        await tg.pick_agency(official, "nội vụ", "so-noi-vu", "Hà Tĩnh")
        await tg.api.send_text(official, "/nhacviec", chat=group)
        [menu] = await tg.api.wait_for_messages(group.id, 1)
        query = await tg.api.press(colleague, menu, "nv:d:2")
        await tg.api.wait_for(lambda: any(c.params.get("callback_query_id") == query
                                          for c in tg.api.called("answerCallbackQuery")))
        status = await tg.choose(official, await tg.choose(official, menu, "nv:d:2"), "nv:t:2:0800")
        scheduled = jobs(app, group.id)

    [refused] = [c for c in tg.api.called("answerCallbackQuery") if c.params["callback_query_id"] == query]
    assert refused.params["text"] == texts.REMINDER_NOT_YOURS
    assert "thứ tư hằng tuần lúc 08:00" in status["text"]
    assert set(scheduled) == {"weekly", "quarterly"}
