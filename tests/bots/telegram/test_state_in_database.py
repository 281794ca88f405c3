"""The bot's state in PostgreSQL (CCHC_DATABASE_URL): a bot restarted on another machine, with an
empty data folder, still knows who joined, their agency and their reminders."""

from __future__ import annotations

from pydantic import SecretStr

from bots.telegram import texts


async def test_the_bot_restarts_elsewhere_with_its_state_from_the_database(tg, postgres_server, tmp_path) -> None:
    official = tg.user("Phương")
    database = SecretStr(postgres_server.url)
    first_machine = tg.settings(database_url=database, data_dir=tmp_path / "machine-1")
    async with tg.bot(first_machine):
        joined = await tg.say(official, f"/start {tg.JOIN_CODE.upper()}")
        await tg.pick_agency(official, "nội vụ", "so-noi-vu", "Hà Tĩnh")
        count = len(tg.api.bot_messages(official.id))
        await tg.api.send_text(official, "/nhacviec")
        menu = (await tg.api.wait_for_messages(official.id, count + 1))[count]
        await tg.choose(official, await tg.choose(official, menu, "nv:d:1"), "nv:t:1:0800")

    assert texts.JOINED in joined["text"]
    assert not (tmp_path / "machine-1" / "telegram-state.pickle").exists()

    second_machine = tg.settings(database_url=database, data_dir=tmp_path / "machine-2")
    async with tg.bot(second_machine) as app:
        reminders = sorted(job.name for job in app.job_queue.jobs() if job.name.startswith(f"nhacviec:{official.id}:"))
        answer = await tg.ask(official, "/quynay")  # only a joined user with a profile gets this far

    assert reminders == [f"nhacviec:{official.id}:quarterly", f"nhacviec:{official.id}:weekly"]
    assert answer[0]["text"].startswith("📌 Sở Nội vụ — Hà Tĩnh: việc chủ trì trong quý này")
    assert not tg.api.failures()
