"""/nhacviec: opt in with day and time buttons; weekly and quarter-start digests from the JobQueue,
kept in the bot's persistence across a restart."""

from __future__ import annotations

import copy
import datetime as dt
import re
from zoneinfo import ZoneInfo

from assistant.contract import Role
from bots.telegram import texts
from service.app import DutyPeriod, PlanService

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
QUARTER_START = dt.date(2022, 10, 1)


def jobs(app, chat_id: int) -> dict[str, object]:
    return {job.name.rsplit(":", 1)[1]: job for job in app.job_queue.jobs()
            if job.name.startswith(f"nhacviec:{chat_id}:")}


def due_lines(tg, today: dt.date, start: dt.date, end: dt.date) -> list[str]:
    """The digest's lines from the listing engine: dated tasks of the agency (any role) ending in the window."""
    service = PlanService(tg.assistant, tg.assistant.search.agencies)
    answer = service.duties("so-noi-vu", "Hà Tĩnh", DutyPeriod.THIS_YEAR, Role.ANY, today)
    items = {i.id: i for b in answer.blocks if b.type == "group" for i in b.items}
    dated = sorted((i for i in items.values() if i.deadline_kind == "dated" and start <= i.deadline_end <= end),
                   key=lambda i: (i.deadline_end, i.id))
    return [f"{i.deadline_end:%d/%m/%Y} — {(i.activity or i.task).split(chr(10))[0][:60]}" for i in dated]


def listed(message: dict) -> list[str]:
    """Each task line of a digest, cut as due_lines cuts them."""
    lines = [re.sub(r"^(• |⚠️ )|( …)?( \([^()]*\))?$", "", line)
             for line in message["text"].split("\n") if line.startswith(("• ", "⚠️ "))]
    return [line[:len("dd/mm/yyyy — ") + 60] for line in lines]


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

    # A new Application over the same data dir, on the first day of a quarter: one digest, the quarter's.
    async with tg.bot(settings, today=QUARTER_START) as app:
        restored = jobs(app, official.id)
        count = len(tg.api.bot_messages(official.id))
        await restored["weekly"].run(app)
        await restored["quarterly"].run(app)
        await restored["weekly"].run(app)
        [quarterly] = (await tg.api.wait_for_messages(official.id, count + 1))[count:]
        all_button = tg.buttons(quarterly)
        full = await tg.press_for_message(official, quarterly, next(iter(all_button)))
    sent_that_day = tg.api.bot_messages(official.id)[count:]

    assert set(restored) == {"weekly", "quarterly"}
    assert [m["message_id"] for m in sent_that_day] == [quarterly["message_id"], full["message_id"]]
    assert quarterly["text"].startswith("🔔 Đầu quý: Sở Nội vụ — Hà Tĩnh, các việc trong quý này")
    assert "Đến hạn từ 01/10 đến 31/12/2022: 4 việc" in quarterly["text"]
    assert listed(quarterly) == due_lines(tg, QUARTER_START, QUARTER_START, dt.date(2022, 12, 31))
    assert "Thường xuyên" not in quarterly["text"] and len(quarterly["text"]) < 1500
    assert list(all_button.values()) == [texts.DIGEST_ALL_BUTTON]
    assert "quý IV/2022" in full["text"] and "/row_hatinh2022_" in full["text"]  # the whole listing, paged
    assert any(data.startswith("fb:") for data in tg.buttons(full))

    # The next Monday: the weekly digest, with what fell overdue in the week before.
    monday = dt.date(2022, 10, 3)
    async with tg.bot(settings, today=monday) as app:
        count = len(tg.api.bot_messages(official.id))
        await jobs(app, official.id)["weekly"].run(app)
        [weekly] = (await tg.api.wait_for_messages(official.id, count + 1))[count:]

    assert weekly["text"].startswith("🔔 Nhắc việc tuần: Sở Nội vụ — Hà Tĩnh, các việc đến hạn trong 30 ngày tới")
    assert "Đến hạn từ 03/10 đến 02/11/2022: 0 việc" in weekly["text"]
    assert "Đã quá hạn trong tuần qua: 3 việc" in weekly["text"]
    assert listed(weekly) == due_lines(tg, monday, dt.date(2022, 9, 26), dt.date(2022, 10, 2))
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
        by_text = {text: data for data, text in tg.buttons(status).items()}
        quarter_off = copy.deepcopy(await tg.choose(official, status, by_text[texts.QUARTERLY_BUTTON_OFF]))
        after_toggle = jobs(app, official.id)
        by_text = {text: data for data, text in tg.buttons(quarter_off).items()}
        stopped = await tg.choose(official, quarter_off, by_text[texts.STOP_REMINDER_BUTTON])
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


async def set_monday_reminder(tg, official) -> dict:
    await tg.pick_agency(official, "nội vụ", "so-noi-vu", "Hà Tĩnh")
    count = len(tg.api.bot_messages(official.id))
    await tg.api.send_text(official, "/nhacviec")
    menu = (await tg.api.wait_for_messages(official.id, count + 1))[count]
    return copy.deepcopy(await tg.choose(official, await tg.choose(official, menu, "nv:d:0"), "nv:t:0:0730"))


async def test_an_old_status_message_cannot_stop_a_newer_schedule(tg) -> None:
    official = tg.user("Phúc")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])) as app:
        old = await set_monday_reminder(tg, official)
        count = len(tg.api.bot_messages(official.id))
        await tg.api.send_text(official, "/nhacviec")
        status = (await tg.api.wait_for_messages(official.id, count + 1))[count]
        change = next(data for data, text in tg.buttons(status).items() if text == texts.CHANGE_SCHEDULE_BUTTON)
        days = await tg.choose(official, status, change)
        await tg.choose(official, await tg.choose(official, days, "nv:d:2"), "nv:t:2:0800")
        stop = next(data for data, text in tg.buttons(old).items() if text == texts.STOP_REMINDER_BUTTON)
        query = await tg.api.press(official, old, stop)
        await tg.api.wait_for(lambda: query not in tg.api.open_queries, what="the old 🔕 answered")
        scheduled = jobs(app, official.id)

    [answer] = [c for c in tg.api.called("answerCallbackQuery") if c.params["callback_query_id"] == query]
    assert answer.params["text"] == texts.REMINDER_OLD_MENU
    weekly_at = scheduled["weekly"].next_t.astimezone(VIETNAM)
    assert (weekly_at.weekday(), weekly_at.time()) == (2, dt.time(8, 0))  # the newer schedule stands


async def test_no_plan_for_the_period_no_digest_and_the_admin_hears_it_once(tg) -> None:
    official, admin = tg.user("Lực"), tg.user("Quản trị")
    tg.api.chat(admin.id)
    settings = tg.settings(telegram_allowed_ids=[official.id], telegram_admin_chat_id=admin.id)
    async with tg.bot(settings):
        await set_monday_reminder(tg, official)
    count = len(tg.api.bot_messages(official.id))
    async with tg.bot(settings, today=dt.date(2026, 12, 7)) as app:
        await jobs(app, official.id)["weekly"].run(app)
        await jobs(app, official.id)["weekly"].run(app)
        [told] = await tg.api.wait_for_messages(admin.id, 1)

    assert len(tg.api.bot_messages(official.id)) == count  # no digest drawn from another year's plan
    assert told["text"].startswith("ℹ️ Nhắc việc: chưa có kế hoạch nào cho Hà Tĩnh: 07/12/2026–06/01/2027")
    assert len(tg.api.bot_messages(admin.id)) == 1
