"""Who may talk to the bot, and how often: the first handler every update meets.

Officials are let in by an allow-list of user or chat ids, or by sending ``/start <join code>``
once (remembered in the bot's persistence). Strangers get one polite refusal, then silence.
In groups the bot only listens when addressed: a command, a mention of its username, or a reply
to one of its messages. Each user has a rate limit (the ``limits`` notation, e.g. "10/minute").
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from collections.abc import Iterable

from limits import parse
from limits.storage import MemoryStorage, Storage
from redis import RedisError
from limits.strategies import MovingWindowRateLimiter
from telegram import Bot, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bots.telegram import texts

logger = logging.getLogger(__name__)

JOINED_KEY = "joined_user_ids"  # bot_data: users who sent the right join code
REFUSED_KEY = "refused_user_ids"  # bot_data: strangers already told no
WRONG_CODE_ANSWERS = "3/hour"


class AccessPolicy:
    def __init__(self, allowed_ids: Iterable[int], join_code: str | None):
        self.allowed_ids = frozenset(allowed_ids)
        self.join_code = join_code or None

    @property
    def configured(self) -> bool:
        return bool(self.allowed_ids or self.join_code)

    def allows(self, user_id: int, chat_id: int | None, joined: set[int]) -> bool:
        return user_id in self.allowed_ids or chat_id in self.allowed_ids or user_id in joined

    def accepts(self, code: str) -> bool:
        """Constant-time comparison with the join code, ignoring case (codes are read aloud and
        retyped on phones that capitalise the first letter)."""
        return self.join_code is not None and hmac.compare_digest(code.casefold().encode(), self.join_code.casefold().encode())


class UserRateLimiter:
    """A moving window per user; at most one "slow down" notice per window."""

    def __init__(self, rate: str, storage: Storage | None = None):
        self.item = parse(rate)  # ValueError on a malformed rate
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())
        self._notified_until: dict[int, float] = {}

    def hit(self, user_id: int) -> bool:
        """Count one request; False when the user is over the limit. With the shared storage
        unreachable the request goes through (logged): a limit must not stop the bot."""
        try:
            return self._limiter.hit(self.item, "telegram", str(user_id))
        except RedisError as exc:
            logger.warning("Telegram rate limit not counted: %s", exc)
            return True

    def seconds_to_wait(self, user_id: int) -> int:
        reset = self._limiter.get_window_stats(self.item, "telegram", str(user_id)).reset_time
        return max(1, math.ceil(reset - time.time()))

    def wait_text(self, user_id: int) -> str:
        """How long until the next question is allowed, in Vietnamese ("45 giây", "60 phút")."""
        seconds = self.seconds_to_wait(user_id)
        return f"{seconds} giây" if seconds < 90 else f"{math.ceil(seconds / 60)} phút"

    def should_notify(self, user_id: int) -> bool:
        now = time.time()
        if self._notified_until.get(user_id, 0.0) > now:
            return False
        self._notified_until = {k: v for k, v in self._notified_until.items() if v > now}
        self._notified_until[user_id] = now + self.seconds_to_wait(user_id)
        return True


DEEP_LINK_ROW = "row_"  # /start row_<id>: a shared link to a cited row, not a join code


def start_argument(update: Update) -> str | None:
    """The argument of a "/start ARG" message (deep links send the same)."""
    message = update.message
    if message is None or not message.text:
        return None
    words = message.text.split()
    if len(words) == 2 and words[0].split("@", 1)[0] == "/start":
        return words[1]
    return None


def join_code_in(update: Update) -> str | None:
    argument = start_argument(update)
    return None if argument is None or argument.startswith(DEEP_LINK_ROW) else argument


def is_addressed(update: Update, bot: Bot) -> bool:
    """Private chats and button presses always; in groups a command, a mention, or a reply to the bot."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    username = (bot.username or "").lower()
    kinds = [MessageEntity.BOT_COMMAND, MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    for entity, text in message.parse_entities(kinds).items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            target = text.partition("@")[2].lower()
            if not target or target == username:  # "/quynay" or "/quynay@this_bot", not "@other_bot"
                return True
        elif entity.type == MessageEntity.MENTION and text[1:].lower() == username:
            return True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
    return False


def describe(update: Update) -> str:
    """Which kind of update this is, without its content (for logs)."""
    kinds = [key for key, value in update.to_dict().items() if key != "update_id" and value]
    return ", ".join(kinds) or "empty or unreadable"


class Gatekeeper:
    """Group -1 handler: lets an update through only when it is for this bot, from an official,
    and within that official's rate limit; otherwise stops it with ApplicationHandlerStop."""

    def __init__(self, policy: AccessPolicy, limiter: UserRateLimiter, wrong_codes: UserRateLimiter | None = None):
        self.policy = policy
        self.limiter = limiter
        # Wrong join codes are always answered, but only this often: guessing stays slow.
        self.wrong_codes = wrong_codes or UserRateLimiter(WRONG_CODE_ANSWERS)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop updates that are not addressed to the bot, too frequent, or from strangers."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or (update.message is None and update.callback_query is None):
            logger.info("Ignoring update %s: nothing this bot handles (%s)", update.update_id, describe(update))
            raise ApplicationHandlerStop
        if not is_addressed(update, context.bot):
            raise ApplicationHandlerStop
        joined: set[int] = context.bot_data.setdefault(JOINED_KEY, set())
        allowed = self.policy.allows(user.id, chat.id if chat else None, joined)
        # Questions count against the rate limit; button presses (pages, rows, 👍/👎) do not.
        if update.message is not None and not self.limiter.hit(user.id):
            logger.debug("Dropping an update from user %s: over the rate limit", user.id)
            if allowed and self.limiter.should_notify(user.id):
                logger.info("Rate limit reached by user %s", user.id)
                await self._say(update, texts.RATE_LIMITED.format(wait=self.limiter.wait_text(user.id)))
            elif update.callback_query is not None:
                await update.callback_query.answer()
            raise ApplicationHandlerStop
        if allowed:
            return
        code = join_code_in(update)
        if code is not None and chat is not None and chat.type != ChatType.PRIVATE:
            # Never accept (or judge) a code typed where everyone in the group can read it.
            await self._say(update, texts.CODE_IN_GROUP)
            raise ApplicationHandlerStop
        if code is not None and self.policy.accepts(code):
            joined.add(user.id)
            context.bot_data.setdefault(REFUSED_KEY, set()).discard(user.id)
            logger.info("User %s joined with the join code", user.id)
            return
        if code is not None:
            logger.info("Wrong join code from user %s", user.id)
            if self.wrong_codes.hit(user.id):
                await self._say(update, texts.WRONG_CODE)
            raise ApplicationHandlerStop
        refused: set[int] = context.bot_data.setdefault(REFUSED_KEY, set())
        if user.id not in refused:
            refused.add(user.id)
            logger.info("Refused user %s in chat %s", user.id, chat.id if chat else None)
            await self._say(update, texts.REFUSAL)
        elif update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    @staticmethod
    async def _say(update: Update, text: str) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.reply_text(text, do_quote=True)
