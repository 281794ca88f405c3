"""The bot's state (joined users, profiles, reminders, conversations) in a database, so the bot can
restart on another machine without losing it. Used when CCHC_DATABASE_URL is set; otherwise the
bot keeps its pickle file in data_dir.

One row per user, chat, conversation and for the bot as a whole, each value pickled as PTB's own
PicklePersistence would (its values hold sets and tuples that JSON cannot carry). The database is
the deployment's own, trusted like the pickle file it replaces.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
from typing import Any

import sqlalchemy as sa
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from service.database import upsert

_metadata = sa.MetaData()
_state = sa.Table(
    "telegram_state", _metadata,
    sa.Column("kind", sa.String(32), primary_key=True),  # user, chat, bot, callback, conversation
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.LargeBinary, nullable=False),
)
USER, CHAT, BOT, CALLBACK, CONVERSATION = "user", "chat", "bot", "callback", "conversation"


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, engine: sa.Engine, update_interval: float = 30):
        super().__init__(store_data=PersistenceInput(), update_interval=update_interval)
        self.engine = engine
        _metadata.create_all(engine, checkfirst=True)

    # -- storage ---------------------------------------------------------------------------
    def _read_kind(self, kind: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(_state.c.key, _state.c.value).where(_state.c.kind == kind))
            return {row.key: pickle.loads(row.value) for row in rows}

    def _write(self, kind: str, key: str, value: Any) -> None:
        row = {"kind": kind, "key": key, "value": pickle.dumps(value)}
        with self.engine.begin() as connection:
            connection.execute(upsert(self.engine, _state, row, keys=["kind", "key"], update={"value": row["value"]}))

    def _delete(self, kind: str, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(_state).where(_state.c.kind == kind, _state.c.key == key))

    async def _read(self, kind: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._read_kind, kind)

    # -- BasePersistence -------------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): value for key, value in (await self._read(USER)).items()}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): value for key, value in (await self._read(CHAT)).items()}

    async def get_bot_data(self) -> dict[Any, Any]:
        return (await self._read(BOT)).get("", {})

    async def get_callback_data(self) -> CDCData | None:
        return (await self._read(CALLBACK)).get("")

    async def get_conversations(self, name: str) -> ConversationDict:
        return (await self._read(CONVERSATION)).get(name, {})

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        conversations = await self.get_conversations(name)
        if new_state is None:
            conversations.pop(key, None)
        else:
            conversations[key] = new_state
        await asyncio.to_thread(self._write, CONVERSATION, name, conversations)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await asyncio.to_thread(self._write, USER, str(user_id), copy.deepcopy(data))

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await asyncio.to_thread(self._write, CHAT, str(chat_id), copy.deepcopy(data))

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        await asyncio.to_thread(self._write, BOT, "", copy.deepcopy(data))

    async def update_callback_data(self, data: CDCData) -> None:
        await asyncio.to_thread(self._write, CALLBACK, "", data)

    async def drop_chat_data(self, chat_id: int) -> None:
        await asyncio.to_thread(self._delete, CHAT, str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        await asyncio.to_thread(self._delete, USER, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer while it runs."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer while it runs."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer while it runs."""

    async def flush(self) -> None:
        """Every update is written when it is made; nothing is pending at shutdown."""
        self.engine.dispose()
