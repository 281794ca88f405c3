"""Logging for the bot process, with the bot token (and other secrets) kept out of every line.

The token is part of every Bot API URL: httpx logs those URLs at INFO, PTB logs its base URL at
DEBUG, and PTB's InvalidToken message quotes the token. All of it is redacted here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's message, traceback and stack by [REDACTED]."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(secrets: Iterable[str], level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Log to stderr (or ``stream``) through a redacting filter, also added to existing root handlers."""
    redact = RedactSecrets(secrets)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for existing in root.handlers:
        existing.addFilter(redact)
    # One line per Bot API request, each URL carrying the token: keep them out even when redacted.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    return handler
