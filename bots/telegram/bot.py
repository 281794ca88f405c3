"""Wiring: ``build_application`` puts every handler in place; ``run_bot`` is what `cchc telegram` runs.

Long polling by default; webhook mode (``run_bot(settings, webhook=True)``) for a bot served behind
the portal's HTTPS. Configuration problems stop the start with one Vietnamese line (CchcError).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    BasePersistence,
    ChatMemberHandler,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    PicklePersistence,
    TypeHandler,
    filters,
)

from bots.feedback import FeedbackStore
from bots.telegram import keyboards, reference, texts
from bots.telegram.access import AccessPolicy, Gatekeeper, GroupAdmission, JoinAttempts, UserRateLimiter, checked_join_code
from bots.telegram.calendar_link import CalendarLink
from bots.telegram.donvi import AgencyChooser
from bots.telegram.formatting import ROW_COMMAND
from bots.telegram.handlers import BotHandlers
from bots.telegram.persistence import DatabasePersistence
from bots.telegram.reminders import Reminders
from bots.telegram.logs import configure_logging, protect_secrets
from bots.telegram.services import Services
from bots.telegram.updates import ALLOWED_UPDATES, TolerantUpdatesRequest
from cchc.errors import CchcError
from cchc.settings import Settings
from service.database import connect_engine
from service.shared import limits_storage

if TYPE_CHECKING:
    from assistant.chain import Assistant

logger = logging.getLogger(__name__)

STATE_FILE = "telegram-state.pickle"  # under settings.data_dir: profiles, joined users, recent answers
PERSISTENCE_INTERVAL_SECONDS = 30
RATE_LIMIT_RETRIES = 3
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def require_token(settings: Settings) -> str:
    token = settings.telegram_token.get_secret_value().strip() if settings.telegram_token else ""
    if not token:
        raise CchcError(texts.MISSING_TOKEN)
    return token


def file_url(base_url: str) -> str:
    """Bot API file URL next to the method URL: ".../bot" -> ".../file/bot"."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("/bot") else base_url


def _post_init(reminders: Reminders) -> Callable[[Application], Awaitable[None]]:
    async def post_init(application: Application) -> None:
        """Publish the command menu once the bot is known to Telegram; schedule the kept reminders."""
        await application.bot.set_my_commands([BotCommand(name, text) for name, text in texts.COMMANDS.items()])
        await reminders.restore(application)
        logger.info("Bot @%s ready", application.bot.username)

    return post_init


def bot_persistence(settings: Settings) -> BasePersistence:
    """The bot's state in the deployment's database (CCHC_DATABASE_URL), else in a pickle file."""
    if settings.database_url is None:
        return PicklePersistence(settings.data_dir / STATE_FILE, update_interval=PERSISTENCE_INTERVAL_SECONDS)
    return DatabasePersistence(connect_engine(settings.database_url.get_secret_value()),
                               update_interval=PERSISTENCE_INTERVAL_SECONDS)


def _checked_options(settings: Settings) -> tuple[AccessPolicy, UserRateLimiter, ZoneInfo]:
    """Who may use the bot, how fast, and on which clock; CchcError on a malformed setting."""
    policy = AccessPolicy(
        settings.telegram_allowed_ids,
        settings.telegram_join_code.get_secret_value() if settings.telegram_join_code else None,
    )
    try:
        limiter = UserRateLimiter(settings.telegram_rate_limit, limits_storage(settings))
    except ValueError:
        raise CchcError(texts.BAD_RATE_LIMIT.format(value=settings.telegram_rate_limit)) from None
    try:
        zone = ZoneInfo(settings.telegram_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CchcError(texts.BAD_TIMEZONE.format(value=settings.telegram_timezone)) from None
    return policy, limiter, zone


def build_application(
    settings: Settings,
    assistant: Assistant,
    *,
    feedback: FeedbackStore,
    today: Callable[[], dt.date] = dt.date.today,
) -> Application:
    """The whole bot: Bot API client, persistence, access control, handlers and error handler."""
    token = require_token(settings)
    protect_secrets(token)
    policy, limiter, zone = _checked_options(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(assistant=assistant, feedback=feedback, today=today, admin_chat_id=settings.telegram_admin_chat_id)
    handlers = BotHandlers(services, kept_answers=settings.telegram_kept_answers)
    chooser = AgencyChooser(services, handlers.question)
    reminders = Reminders(handlers, zone, settings.telegram_digest_days, settings.telegram_digest_items)
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(file_url(settings.telegram_base_url))
        .get_updates_request(TolerantUpdatesRequest(connection_pool_size=1))
        .defaults(Defaults(parse_mode=ParseMode.HTML, allow_sending_without_reply=True,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .persistence(bot_persistence(settings))
        .concurrent_updates(True)  # one user's slow answer never holds up another user's
        # Telegram's flood limits: sends are paced, and a 429 is waited out and retried, not lost.
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .post_init(_post_init(reminders))
        .build()
    )
    row_command = filters.Regex(rf"^/{ROW_COMMAND}_\w+(@\w+)?$")

    # Before the gatekeeper: being added to a group is not a message from an official.
    application.add_handler(ChatMemberHandler(GroupAdmission(policy, handlers.added_to_group),
                                              ChatMemberHandler.MY_CHAT_MEMBER), group=-2)
    joins = JoinAttempts(settings.telegram_join_guesses_per_user, settings.telegram_join_guesses_overall,
                         settings.telegram_join_lockout_minutes * 60, limits_storage(settings))
    application.add_handler(TypeHandler(Update, Gatekeeper(policy, limiter, joins=joins)), group=-1)
    application.add_handlers([
        CommandHandler("start", handlers.start),
        CommandHandler("help", handlers.help),
        chooser.conversation(settings.telegram_donvi_timeout_seconds),
        CommandHandler("quynay", handlers.this_quarter),
        CommandHandler("quysau", handlers.next_quarter),
        CommandHandler("phoihop", handlers.coordinating),
        CommandHandler("ngay", reference.command),
        CommandHandler("lich", CalendarLink(settings.public_url).command),
        *reminders.telegram_handlers(),
        MessageHandler(filters.UpdateType.MESSAGE & row_command, handlers.row_command),
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, handlers.unknown_command),
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, handlers.question),
        MessageHandler(filters.UpdateType.MESSAGE & filters.CAPTION, handlers.question),  # a photo with its question
        MessageHandler(filters.UpdateType.MESSAGE, handlers.not_text),
        CallbackQueryHandler(handlers.row_button, pattern=keyboards.ROW_PATTERN),
        CallbackQueryHandler(handlers.feedback, pattern=keyboards.FEEDBACK_PATTERN),
        CallbackQueryHandler(handlers.page, pattern=keyboards.PAGE_PATTERN),
        CallbackQueryHandler(handlers.jump, pattern=keyboards.JUMP_PATTERN),
        CallbackQueryHandler(handlers.excel, pattern=keyboards.EXCEL_PATTERN),
        CallbackQueryHandler(handlers.follow_up, pattern=keyboards.FOLLOW_UP_PATTERN),
        chooser.stray_buttons(),
        CallbackQueryHandler(handlers.unknown_button),  # last: anything else is answered, not left spinning
    ])
    application.add_error_handler(handlers.on_error)
    return application


def check_settings(settings: Settings, webhook: bool) -> None:
    """Refuse to start, in Vietnamese, on what would make the bot useless or unsafe."""
    require_token(settings)
    if not settings.telegram_allowed_ids and not settings.telegram_join_code:
        raise CchcError(texts.NO_ACCESS_RULE)
    checked_join_code(settings.telegram_join_code.get_secret_value() if settings.telegram_join_code else None)
    if webhook:
        if not settings.telegram_webhook_url:
            raise CchcError(texts.WEBHOOK_URL_MISSING)
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
        if not _WEBHOOK_SECRET.match(secret):
            raise CchcError(texts.WEBHOOK_SECRET_MISSING)


def run_bot(settings: Settings, webhook: bool = False) -> None:
    """Serve officials until SIGINT/SIGTERM: long polling, or a webhook when ``webhook`` is true."""
    from bots.telegram.webhook import serve_webhook
    from service.wiring import build_assistant

    check_settings(settings, webhook)
    protect_secrets(require_token(settings), *(
        value.get_secret_value() for value in (settings.telegram_join_code, settings.telegram_webhook_secret) if value
    ))
    configure_logging()
    assistant = build_assistant(settings)
    application = build_application(settings, assistant, feedback=FeedbackStore.for_settings(settings))
    try:
        if webhook:
            assert settings.telegram_webhook_url and settings.telegram_webhook_secret
            asyncio.run(serve_webhook(
                application, settings.telegram_webhook_url, settings.telegram_webhook_secret.get_secret_value(),
                settings.telegram_webhook_listen, settings.telegram_webhook_port,
            ))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise CchcError(texts.TOKEN_REJECTED) from None
    except NetworkError as exc:
        host = urlsplit(settings.telegram_base_url).netloc
        raise CchcError(texts.UNREACHABLE.format(host=host, error=exc.message)) from None
