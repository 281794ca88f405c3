"""Who may talk to the bot, and how often: the first handler every update meets.

Officials are let in by an allow-list of user or chat ids, or by sending ``/start <join code>``
once (remembered in the bot's persistence). Strangers get one polite refusal, then silence.
A join code is long and random (refused at start-up otherwise), and guessing it is bounded: each
user has a budget of wrong codes, everyone together another, and once that one is spent codes are
not even compared until a lockout ends. A group someone not allowed adds the bot to gets one
message, and the bot leaves it.
In groups the bot only listens when addressed: a command, a mention of its username, or a reply
to one of its messages. Each user has a rate limit (the ``limits`` notation, e.g. "10/minute").
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage
from redis import RedisError
from limits.strategies import MovingWindowRateLimiter
from telegram import Bot, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bots.telegram import texts
from cchc.errors import CchcError

logger = logging.getLogger(__name__)

JOINED_KEY = "joined_user_ids"  # bot_data: users who sent the right join code
REFUSED_KEY = "refused_user_ids"  # bot_data: strangers already told no
WRONG_CODE_ANSWERS = "3/hour"
LOCKED_UNTIL_KEY = "join_locked_until"  # bot_data: no join code is compared before this time (epoch seconds)
MIN_JOIN_CODE = 12
MIN_DISTINCT = 8  # "aaaaaaaaaaaa" or "cchc-ht-2022" are long enough but guessable


def checked_join_code(code: str | None) -> str | None:
    """The configured join code, or None; CchcError (one Vietnamese line) if it is short or guessable."""
    if not code:
        return None
    if len(code) < MIN_JOIN_CODE or len(set(code.casefold())) < MIN_DISTINCT:
        raise CchcError(texts.WEAK_JOIN_CODE.format(length=MIN_JOIN_CODE))
    return code


class AccessPolicy:
    def __init__(self, allowed_ids: Iterable[int], join_code: str | None):
        self.allowed_ids = frozenset(allowed_ids)
        self.join_code = checked_join_code(join_code)

    @property
    def configured(self) -> bool:
        return bool(self.allowed_ids or self.join_code)

    def allows(self, user_id: int, chat_id: int | None, joined: set[int]) -> bool:
        return user_id in self.allowed_ids or chat_id in self.allowed_ids or user_id in joined

    def accepts(self, code: str) -> bool:
        """Constant-time comparison with the join code, ignoring case (codes are read aloud and
        retyped on phones that capitalise the first letter)."""
        return self.join_code is not None and hmac.compare_digest(code.casefold().encode(), self.join_code.casefold().encode())


def wait_text(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    return f"{seconds} giây" if seconds < 90 else f"{math.ceil(seconds / 60)} phút"


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
        return wait_text(self.seconds_to_wait(user_id))

    def should_notify(self, user_id: int) -> bool:
        now = time.time()
        if self._notified_until.get(user_id, 0.0) > now:
            return False
        self._notified_until = {k: v for k, v in self._notified_until.items() if v > now}
        self._notified_until[user_id] = now + self.seconds_to_wait(user_id)
        return True


_JOIN_SCOPE = "telegram-join"
_EVERYONE = "*"


def _limit(value: str, setting: str) -> RateLimitItem:
    try:
        return parse(value)
    except ValueError:
        raise CchcError(texts.BAD_JOIN_LIMIT.format(setting=setting, value=value)) from None


class JoinAttempts:
    """Wrong join codes, counted per user and for everyone together in the `limits` storage (Redis
    in the deployment mode). Spending the overall budget stops all joining for `lockout_seconds`,
    kept in bot_data so that a restart does not lift it. Fails closed: uncounted guesses are refused."""

    def __init__(self, per_user: str, overall: str, lockout_seconds: float, storage: Storage | None = None):
        self.per_user = _limit(per_user, "CCHC_TELEGRAM_JOIN_GUESSES_PER_USER")
        self.overall = _limit(overall, "CCHC_TELEGRAM_JOIN_GUESSES_OVERALL")
        self.lockout = lockout_seconds
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    def refusal(self, user_id: int, bot_data: dict[str, Any]) -> str | None:
        """Why this user's code must not even be compared now (Vietnamese), or None."""
        locked = bot_data.get(LOCKED_UNTIL_KEY, 0.0) - time.time()
        if locked > 0:
            return texts.JOIN_PAUSED.format(wait=wait_text(locked))
        try:
            if self._limiter.test(self.per_user, _JOIN_SCOPE, str(user_id)):
                return None
            reset = self._limiter.get_window_stats(self.per_user, _JOIN_SCOPE, str(user_id)).reset_time
        except RedisError as exc:
            logger.warning("Join code attempts cannot be counted: %s", exc)
            return texts.JOIN_UNAVAILABLE
        return texts.JOIN_LOCKED.format(wait=wait_text(reset - time.time()))

    def failed(self, user_id: int, bot_data: dict[str, Any]) -> None:
        """Count one wrong code; the one past the overall budget starts the lockout."""
        try:
            self._limiter.hit(self.per_user, _JOIN_SCOPE, str(user_id))
            spent = not self._limiter.hit(self.overall, _JOIN_SCOPE, _EVERYONE)
        except RedisError as exc:
            logger.warning("Wrong join code not counted: %s", exc)
            spent = True  # closed: a guess that cannot be counted stops guessing
        if spent:
            bot_data[LOCKED_UNTIL_KEY] = time.time() + self.lockout
            logger.warning("Join codes locked for %d s: too many wrong codes overall (%s)", self.lockout, self.overall)


GREETING_COMMANDS = frozenset({"start", "help"})


def _command_of(update: Update) -> str | None:
    """"start" for "/start" or "/start@this_bot"; None for anything else."""
    text = update.message.text if update.message is not None and update.message.text else ""
    if not text.startswith("/"):
        return None
    return text.split()[0][1:].split("@", 1)[0].lower()


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

    def __init__(self, policy: AccessPolicy, limiter: UserRateLimiter, wrong_codes: UserRateLimiter | None = None,
                 joins: JoinAttempts | None = None):
        self.policy = policy
        self.limiter = limiter
        # Wrong join codes are answered, but only this often, so refusals never flood a chat.
        self.wrong_codes = wrong_codes or UserRateLimiter(WRONG_CODE_ANSWERS)
        self.joins = joins or JoinAttempts("10/day", "50/hour", 3600)

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
        if code is not None:
            await self._join(update, context, code, joined)
            return
        refused: set[int] = context.bot_data.setdefault(REFUSED_KEY, set())
        # /start and /help always say how to get a join code; anything else is told no once.
        if user.id not in refused or _command_of(update) in GREETING_COMMANDS:
            refused.add(user.id)
            logger.info("Refused user %s in chat %s", user.id, chat.id if chat else None)
            await self._say(update, texts.REFUSAL)
        elif update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop

    async def _join(self, update: Update, context: ContextTypes.DEFAULT_TYPE, code: str, joined: set[int]) -> None:
        """Admit the user on the right code; otherwise answer (at most WRONG_CODE_ANSWERS) and stop.
        A locked-out user's code, or any code during the overall lockout, is not even compared."""
        user_id = update.effective_user.id
        refusal = self.joins.refusal(user_id, context.bot_data)
        if refusal is None and self.policy.accepts(code):
            joined.add(user_id)
            context.bot_data.setdefault(REFUSED_KEY, set()).discard(user_id)
            logger.info("User %s joined with the join code", user_id)
            return
        if refusal is None:
            logger.info("Wrong join code from user %s", user_id)
            self.joins.failed(user_id, context.bot_data)
            refusal = texts.WRONG_CODE
        if self.wrong_codes.hit(user_id):
            await self._say(update, refusal)
        raise ApplicationHandlerStop

    @staticmethod
    async def _say(update: Update, text: str) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.reply_text(text, do_quote=True)


_JOINED_STATUSES = ("member", "administrator", "restricted")


class GroupAdmission:
    """my_chat_member handler: a group an official (allowed, or joined with the code) added the bot
    to is greeted by `greet`; anyone else's group gets one message, and the bot leaves it."""

    def __init__(self, policy: AccessPolicy, greet: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]):
        self.policy = policy
        self.greet = greet

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return
        if change.old_chat_member.status not in ("left", "kicked") or change.new_chat_member.status not in _JOINED_STATUSES:
            return
        joined = context.bot_data.get(JOINED_KEY, set())
        if self.policy.allows(change.from_user.id, change.chat.id, joined):
            await self.greet(update, context)
            return
        logger.info("Leaving group %s: added by user %s, who is not allowed", change.chat.id, change.from_user.id)
        try:
            await context.bot.send_message(change.chat.id, texts.GROUP_NOT_ALLOWED)
        finally:
            await context.bot.leave_chat(change.chat.id)
