"""Fixtures for the Telegram bot: a fake Bot API server on loopback and the real Application
polling it, built by ``bots.telegram.bot.build_application`` over the session's real index.

Tests reach everything through the ``tg`` fixture (users, groups, settings, a running bot) and
``fake`` (the fake server's module: its HTML parser, types).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import itertools
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bots.feedback import FeedbackStore
from bots.telegram import texts
from bots.telegram.bot import build_application
from bots.telegram.formatting import visible_text
from bots.telegram.pages import answer_pages
from bots.telegram.updates import ALLOWED_UPDATES
from cchc.settings import Settings

TOKEN = "8123456789:AAE-tokenThatMustNeverBeLogged_x9"
JOIN_CODE = "k7Qm-2xVp-9RtL-4wZc"  # 12+ random characters: a shorter or guessable code stops the bot
TODAY = dt.date(2022, 11, 1)  # the seed plans are for 2021-2022; «quý này» is then quý IV/2022

# Unique ids across the whole session: the assistant's conversation memory is shared by tests.
_ids = itertools.count(910_001)


def _load_fake_api() -> ModuleType:
    """The fake server module, loaded by path (the suite uses --import-mode=importlib)."""
    name = "telegram_fake_bot_api"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fake_bot_api.py"))
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@contextlib.asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """What Application.run_polling does, minus signal handling: initialise, post_init, poll, stop.

    Leaving the block stops the Application, which first finishes every update being handled, so
    after it tests may also assert that nothing more was sent.
    """
    async with application:
        if application.post_init:
            await application.post_init(application)
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10)
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


def callback_data(message: dict) -> list[str]:
    """The callback data of every inline button under a message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


class Harness:
    TOKEN = TOKEN
    JOIN_CODE = JOIN_CODE
    TODAY = TODAY

    def __init__(self, api: Any, fake: ModuleType, base: Settings, data_dir: Path, assistant: Any):
        self.api = api
        self.fake = fake
        self.base = base
        self.data_dir = data_dir
        self.assistant = assistant
        self.apology_expected = False

    def expect_apology(self) -> None:
        """This test makes the bot fail on purpose; any other test fails on an apology."""
        self.apology_expected = True

    def apologies(self) -> list[dict]:
        return [m for chat in self.api.chats.values() for m in chat.messages.values()
                if m["from"]["id"] == self.api.bot["id"] and m.get("text") == texts.APOLOGY]

    def user(self, name: str = "Lan") -> Any:
        user_id = next(_ids)
        return self.fake.FakeUser(user_id, name, f"user{user_id}")

    def group(self, title: str = "Tổ CCHC") -> Any:
        return self.api.chat(-next(_ids), "supergroup", title)

    def settings(self, **overrides: Any) -> Settings:
        """The bot pointed at the fake server, with its own data dir (persistence, feedback)."""
        values: dict[str, Any] = {
            "data_dir": self.data_dir,
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": self.api.base_url,
            "telegram_allowed_ids": [],
            "telegram_join_code": SecretStr(JOIN_CODE),
            "telegram_rate_limit": "1000/minute",
        }
        values.update(overrides)
        return self.base.model_copy(update=values)

    def bot(self, settings: Settings | None = None, assistant: Any = None,
            today: dt.date = TODAY) -> contextlib.AbstractAsyncContextManager[Application]:
        """``async with tg.bot(...) as app:`` runs the real bot against the fake server."""
        settings = settings or self.settings()
        application = build_application(settings, assistant or self.assistant,
                                         feedback=FeedbackStore(settings.feedback_db), today=lambda: today)
        return running(application)

    async def say(self, user: Any, text: str, chat: Any = None) -> dict:
        """Send ``text`` as ``user`` and return the bot's first reply to it."""
        chat_id = chat.id if chat is not None else user.id
        asked = await self.api.send_text(user, text, chat=chat)
        return await self.api.wait_for(
            lambda: next((m for m in self.api.bot_messages(chat_id)
                          if m.get("reply_to_message", {}).get("message_id") == asked["message_id"]), None),
            what=f"a reply to {text!r}")

    async def ask(self, user: Any, text: str, chat: Any = None, reply_to: dict | None = None,
                  timeout: float = 120.0) -> list[dict]:
        """Send ``text`` as ``user`` and wait for the whole answer: the messages from the first one
        replying to it up to the one carrying the 👍/👎 keyboard."""
        chat_id = chat.id if chat is not None else user.id
        before = len(self.api.bot_messages(chat_id))
        asked = await self.api.send_text(user, text, chat=chat, reply_to=reply_to)

        def answer() -> list[dict] | None:
            new = self.api.bot_messages(chat_id)[before:]
            starts = [i for i, m in enumerate(new)
                      if m.get("reply_to_message", {}).get("message_id") == asked["message_id"]]
            if not starts:
                return None
            for end in range(starts[0], len(new)):
                if any(data.startswith("fb:") for data in callback_data(new[end])):
                    return new[starts[0]: end + 1]
            return None

        return await self.api.wait_for(answer, timeout, f"the answer to {text!r}")

    @staticmethod
    def lines(parts: list[dict]) -> list[str]:
        """An answer's lines as the user sees them, without the «Câu hỏi» line and the sources."""
        text = re.split(r"\n+Nguồn \(bấm mã", "\n".join(p["text"] for p in parts))[0]
        lines = [line for line in text.split("\n") if line.strip()]
        return lines[1:] if lines and lines[0].startswith(("Câu hỏi: ", "📌 ", "🔔 ")) else lines

    @staticmethod
    def page_lines(answer: Any, page: int = 0) -> list[str]:
        """The lines of one page of an answer, as the bot shows them (sources and page number cut)."""
        pages = answer_pages(answer)
        text = visible_text(pages[page].html(page + 1, len(pages)))
        text = re.split(r"\n+Nguồn \(bấm mã", text)[0]
        return [line for line in text.split("\n") if line.strip()]

    def expected_page(self, *questions: str, assistant: Any = None) -> list[str]:
        """The first page of the answer the chain gives to the last question."""
        session = f"expected-{next(_ids)}"
        for question in questions:
            answer = (assistant or self.assistant).ask(question, today=TODAY, session=session)
        return self.page_lines(answer)

    def expected(self, *questions: str, assistant: Any = None) -> list[str]:
        """The lines the answer chain itself gives to the last question (earlier ones set the context)."""
        session = f"expected-{next(_ids)}"
        for question in questions:
            answer = (assistant or self.assistant).ask(question, today=TODAY, session=session)
        return [line for line in answer.answer.split("\n") if line.strip()]

    @staticmethod
    def buttons(message: dict) -> dict[str, str]:
        """callback data -> button text."""
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return {b["callback_data"]: b["text"] for row in rows for b in row if "callback_data" in b}

    async def choose(self, user: Any, message: dict, data: str) -> dict:
        """Press a button and wait until the bot has answered the press and edited the message."""

        def edits() -> int:
            return sum(c.params.get("message_id") == message["message_id"] for c in self.api.called("editMessageText"))

        before = edits()
        query_id = await self.api.press(user, message, data)
        await self.api.wait_for(lambda: any(c.params.get("callback_query_id") == query_id
                                            for c in self.api.called("answerCallbackQuery")), what=f"answer to {data}")
        await self.api.wait_for(lambda: edits() > before, what=f"edit after {data}")
        return self.api.chats[message["chat"]["id"]].messages[message["message_id"]]

    async def press_for_message(self, user: Any, message: dict, data: str) -> dict:
        """Press a button that makes the bot send a new message, and return that message."""
        chat_id = message["chat"]["id"]
        before = len(self.api.bot_messages(chat_id))
        await self.api.press(user, message, data)
        return (await self.api.wait_for_messages(chat_id, before + 1))[before]

    async def pick_agency(self, user: Any, name: str, agency_id: str, province: str) -> None:
        """/donvi <name>, then the agency and province buttons (a private chat)."""
        before = len(self.api.bot_messages(user.id))
        await self.api.send_text(user, f"/donvi {name}")
        choices = (await self.api.wait_for_messages(user.id, before + 1))[before]
        provinces = await self.choose(user, choices, f"ag:{agency_id}")
        by_name = {text: data for data, text in self.buttons(provinces).items()}
        await self.choose(user, provinces, by_name[province])

    def feedback(self, settings: Settings | None = None) -> FeedbackStore:
        return FeedbackStore((settings or self.settings()).feedback_db)


@pytest.fixture(scope="session")
def fake() -> ModuleType:
    return _load_fake_api()


@pytest.fixture
async def tg(fake: ModuleType, built_settings: Settings, tmp_path: Path, assistant: Any) -> AsyncIterator[Harness]:
    server = fake.FakeBotApi(TOKEN)
    await server.start()
    harness = Harness(server, fake, built_settings, tmp_path / "bot-data", assistant)
    try:
        yield harness
    finally:
        await server.stop()
    if not harness.apology_expected:
        assert not harness.apologies(), "the bot apologised: an update failed (see the log)"

