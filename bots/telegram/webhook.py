"""Webhook mode: Telegram POSTs updates to an HTTPS address of the portal, which forwards them here.

A small Starlette app served by uvicorn (both already project dependencies) feeds the updates to
the Application, following python-telegram-bot's custom-webhook example; requests without the
secret header Telegram sends (X-Telegram-Bot-Api-Secret-Token) are refused with 403.
"""

from __future__ import annotations

import hmac
import logging
import signal
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bots.telegram.updates import ALLOWED_UPDATES, readable_updates

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(application: Application, path: str, secret: str) -> Starlette:
    """POST ``path``: one update from Telegram; GET /healthz: liveness for the portal's monitoring."""

    async def receive(request: Request) -> Response:
        """Queue one update for the Application; always 200 once the secret matches."""
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            logger.warning("Refused a webhook request without the secret token from %s",
                           request.client.host if request.client else "unknown")
            return Response(status_code=403)
        try:
            data = await request.json()
        except ValueError:
            logger.warning("Ignoring a webhook request whose body is not JSON")
            return Response(status_code=200)  # a 4xx would make Telegram send it again and again
        for item in readable_updates([data]):
            await application.update_queue.put(Update.de_json(item, application.bot))
        return Response(status_code=200)

    async def health(request: Request) -> PlainTextResponse:
        """Liveness probe."""
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health, methods=["GET"])])


async def serve_webhook(application: Application, url: str, secret: str, host: str, port: int) -> None:
    """Register the webhook with Telegram, then serve until SIGINT or SIGTERM."""
    path = urlsplit(url).path or "/"
    config = uvicorn.Config(webhook_app(application, path, secret), host=host, port=port,
                            log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def stop(signum: int, frame: object) -> None:
        server.should_exit = True

    # uvicorn re-raises the signal that stopped it once it has shut down; with these handlers in
    # place that lands here instead of killing the process before the Application has stopped.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    async with application:
        if application.post_init:
            await application.post_init(application)
        await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        logger.info("Webhook registered; listening on %s:%s%s", host, port, path)
        await application.start()
        try:
            await server.serve()
        finally:
            await application.stop()
    logger.info("Webhook server stopped")
