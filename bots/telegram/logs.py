"""Logging for the bot, with the bot token (and other secrets) kept out of every log record.

The token is part of every Bot API URL: httpx logs those URLs at INFO, PTB logs its base URL at
DEBUG, and PTB's InvalidToken message quotes the token. Secrets registered with
:func:`protect_secrets` are redacted when a record is created — before any handler, pytest's
caplog included, sees it — and again by the handler :func:`configure_logging` installs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TextIO

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_secrets: set[str] = set()
_previous_factory: Callable[..., logging.LogRecord] | None = None


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _contains_secret(text: str) -> bool:
    return any(secret in text for secret in _secrets)


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Redact secrets in a record's message, traceback and stack, in place."""
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it when it is emitted
        return record
    if _contains_secret(message):
        record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if _contains_secret(text):
            record.exc_text = text
    if record.exc_text and _contains_secret(record.exc_text):
        record.exc_text = redact(record.exc_text)
    if record.stack_info and _contains_secret(record.stack_info):
        record.stack_info = redact(record.stack_info)
    return record


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous_factory is not None
    return scrub(_previous_factory(*args, **kwargs))


def protect_secrets(*secrets: str | None) -> None:
    """Never let these strings reach a log (the record factory is installed once per process)."""
    global _previous_factory
    _secrets.update(s for s in secrets if s and len(s) >= 4)
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_factory)


class RedactSecrets(logging.Filter):
    """Handler filter: the same redaction for records made without the factory."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Log to stderr (or ``stream``) through a redacting handler; keep httpx's request lines out."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # One line per Bot API request, each URL carrying the token: redacted anyway, but noise.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    return handler
