"""The getUpdates transport, made tolerant of updates python-telegram-bot cannot parse.

PTB parses a whole getUpdates batch at once; one malformed update makes the batch fail, the
offset is never advanced, and the same batch comes back forever while every later update waits.
Here each update is checked alone: an unreadable one is logged and replaced by its bare
``update_id``, so it is acknowledged like any other and the bot keeps serving.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]


def readable_updates(result: list[Any]) -> list[JSONDict]:
    """Updates PTB can parse, unchanged; others reduced to their update_id (or dropped without one)."""
    kept: list[JSONDict] = []
    for item in result:
        try:
            Update.de_json(item, None)
        except Exception:  # whatever the parser trips on, the update is skipped
            update_id = item.get("update_id") if isinstance(item, dict) else None
            fields = sorted(item) if isinstance(item, dict) else type(item).__name__
            logger.warning("Skipping update %s: it cannot be read (fields: %s)", update_id, fields, exc_info=True)
            if isinstance(update_id, int):
                kept.append({"update_id": update_id})
        else:
            kept.append(item)
    return kept


class TolerantUpdatesRequest(HTTPXRequest):
    """HTTPXRequest for getUpdates only (``ApplicationBuilder.get_updates_request``)."""

    async def post(self, *args: Any, **kwargs: Any) -> JSONDict | list[JSONDict] | bool:
        result = await super().post(*args, **kwargs)
        return readable_updates(result) if isinstance(result, list) else result


# The update kinds this bot handles; Telegram sends no others (getUpdates and setWebhook).
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
