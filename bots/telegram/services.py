"""The long-lived objects handlers share, built once by ``build_application``."""

from __future__ import annotations

import asyncio
import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bots.feedback import FeedbackStore
from indexer.agencies import AgencyTable
from indexer.records import PlanDocument, ProseSection, RowRecord

if TYPE_CHECKING:
    from assistant.chain import Assistant
    from service.app import PlanService


@dataclass
class Services:
    assistant: Assistant
    feedback: FeedbackStore
    today: Callable[[], dt.date]
    admin_chat_id: int | None = None  # where error reports go (CCHC_TELEGRAM_ADMIN_CHAT_ID)
    _chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = field(default_factory=weakref.WeakValueDictionary)
    service: PlanService = field(init=False)  # every question and named request goes through it

    def __post_init__(self) -> None:
        from service.app import PlanService

        self.service = PlanService(self.assistant, self.agencies)

    @property
    def plans(self) -> list[PlanDocument]:
        return list(self.assistant.search.plans)

    @property
    def agencies(self) -> AgencyTable:
        return self.assistant.search.agencies

    def record(self, record_id: str) -> RowRecord | ProseSection:
        """A row or prose section by id; UnknownRecordError (Vietnamese) when the index lacks it."""
        return self.assistant.search.record(record_id)

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """One question at a time per chat, so a follow-up is understood after the question before it."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock
