"""`cchc telegram` as a real process: long polling and webhook mode against the fake Bot API, clean
shutdown on SIGTERM, the token never in the logs, and clear Vietnamese refusals to start."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bots.telegram import texts
from bots.telegram.bot import build_application, run_bot
from bots.telegram.logs import REDACTED, configure_logging, protect_secrets
from cchc.errors import CchcError

CCHC = Path(sys.executable).with_name("cchc")
ROOT = Path(__file__).resolve().parents[3]
SECRET = "webhook-Secret_123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    """`cchc telegram` in a child process, its stderr collected."""

    def __init__(self, tg: Any, tmp_path: Path, token: str, *args: str, **env: str):
        data_dir = tmp_path / "data"
        if not data_dir.exists():
            shutil.copytree(tg.base.index_dir, data_dir / "index")  # the session's index, read-only use
        self.args = [str(CCHC), "telegram", *args]
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}  # hermetic settings
        self.env = {**inherited, "CCHC_DATA_DIR": str(data_dir), "CCHC_TELEGRAM_TOKEN": token,
                    "CCHC_TELEGRAM_BASE_URL": tg.api.base_url, "CCHC_EMBEDDING_MODEL": tg.base.embedding_model,
                    "CCHC_PLUGINS": ",".join(tg.base.plugins), "PYTHONPATH": str(ROOT), **env}
        self.cwd = tmp_path  # no stray .env
        self.process: asyncio.subprocess.Process | None = None
        self.stderr = b""

    async def __aenter__(self) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            *self.args, cwd=self.cwd, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        return self

    async def finish(self, timeout: float = 60) -> int:
        assert self.process
        stdout, stderr = await asyncio.wait_for(self.process.communicate(), timeout)
        self.stderr = stdout + stderr
        return self.process.returncode

    async def terminate(self) -> int:
        assert self.process
        self.process.send_signal(signal.SIGTERM)
        return await self.finish()

    async def __aexit__(self, *exc: object) -> None:
        if self.process and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    @property
    def log(self) -> str:
        return self.stderr.decode("utf-8", "replace")


async def test_long_polling_process_answers_stops_on_sigterm_and_never_logs_the_token(tg, tmp_path) -> None:
    official = tg.user("Hạnh")
    async with BotProcess(tg, tmp_path, tg.TOKEN, CCHC_TELEGRAM_ALLOWED_IDS=f"123, {official.id}") as bot:
        await tg.api.wait_for(lambda: tg.api.called("getUpdates"), timeout=180, what="polling to start")
        await tg.api.send_text(official, "/start")
        [greeting] = await tg.api.wait_for_messages(official.id, 1)
        code = await bot.terminate()

    assert greeting["text"].startswith("Xin chào Hạnh!")
    assert code == 0, bot.log
    assert "Bot @cchc_test_bot ready" in bot.log
    assert tg.TOKEN not in bot.log
    assert tg.TOKEN.split(":")[1] not in bot.log


async def test_a_rejected_token_stops_with_a_vietnamese_line_and_no_token(tg, tmp_path) -> None:
    wrong = "999999:WRONG-token-value_that_must_stay_secret"
    async with BotProcess(tg, tmp_path, wrong, CCHC_TELEGRAM_JOIN_CODE="ma-tham-gia-3f9a1c7e") as bot:
        code = await bot.finish(timeout=180)

    assert code == 1
    assert texts.TOKEN_REJECTED in bot.log
    assert REDACTED in bot.log  # PTB did try to log it
    assert wrong not in bot.log and "WRONG-token" not in bot.log
    assert [c.error for c in tg.api.calls] == ["Unauthorized"]


async def test_webhook_process_receives_updates_refuses_forgeries_and_stops_cleanly(tg, tmp_path) -> None:
    official = tg.user("Nga")
    port = free_port()
    url = f"http://127.0.0.1:{port}/tro-ly/telegram"
    async with BotProcess(tg, tmp_path, tg.TOKEN, "--webhook", CCHC_TELEGRAM_ALLOWED_IDS=str(official.id),
                          CCHC_TELEGRAM_WEBHOOK_URL=url, CCHC_TELEGRAM_WEBHOOK_SECRET=SECRET,
                          CCHC_TELEGRAM_WEBHOOK_PORT=str(port), CCHC_TELEGRAM_WEBHOOK_LISTEN="127.0.0.1") as bot:
        await tg.api.wait_for(lambda: tg.api.called("setWebhook"), timeout=180, what="the webhook to be set")
        async with httpx.AsyncClient() as client:
            for _ in range(100):  # uvicorn binds right after setWebhook; bounded wait for it
                try:
                    health = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            forged = await client.post(url, json={"update_id": 1, "message": {}},
                                       headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            junk = await client.post(url, content=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        await tg.api.send_text(official, "Ai chủ trì rà soát văn bản quy phạm pháp luật ở Nam Định?")
        answer = (await tg.api.wait_for_messages(official.id, 1, timeout=120))[0]
        code = await bot.terminate()

    [registered] = tg.api.called("setWebhook")
    assert registered.params["url"] == url and registered.params["secret_token"] == SECRET
    assert registered.params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert health.status_code == 200 and forged.status_code == 403 and junk.status_code == 200
    assert tg.api.webhook_deliveries == [200]
    assert "— KH CCHC 2022 Nam Định, I › " in answer["text"]  # the fact card's source
    assert not tg.api.called("getUpdates", ok=None)
    assert code == 0, bot.log
    assert "Webhook server stopped" in bot.log
    assert tg.TOKEN not in bot.log and SECRET not in bot.log


@pytest.mark.parametrize(
    ("overrides", "webhook", "message"),
    [
        ({"telegram_token": None}, False, texts.MISSING_TOKEN),
        ({"telegram_token": SecretStr("  ")}, False, texts.MISSING_TOKEN),
        ({"telegram_allowed_ids": [], "telegram_join_code": None}, False, texts.NO_ACCESS_RULE),
        ({"telegram_webhook_url": None}, True, texts.WEBHOOK_URL_MISSING),
        ({"telegram_webhook_url": "https://x.gov.vn/t", "telegram_webhook_secret": None}, True,
         texts.WEBHOOK_SECRET_MISSING),
        ({"telegram_webhook_url": "https://x.gov.vn/t", "telegram_webhook_secret": SecretStr("có dấu")}, True,
         texts.WEBHOOK_SECRET_MISSING),
    ],
)
def test_refuses_to_start_with_a_clear_vietnamese_message(tg, overrides, webhook, message) -> None:
    with pytest.raises(CchcError) as raised:
        run_bot(tg.settings(**overrides), webhook=webhook)
    assert str(raised.value) == message


def test_a_malformed_rate_limit_is_reported(tg, assistant) -> None:
    with pytest.raises(CchcError, match="CCHC_TELEGRAM_RATE_LIMIT «mười mỗi phút» không hợp lệ"):
        build_application(tg.settings(telegram_rate_limit="mười mỗi phút"), assistant, feedback=tg.feedback())


def test_log_redaction_covers_messages_arguments_and_tracebacks(tg) -> None:
    protect_secrets(tg.TOKEN)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.level, logging.getLogger("httpx").level
    handler = configure_logging(level=logging.DEBUG, stream=stream)
    try:
        log = logging.getLogger("telegram.ext.Test")
        log.debug("Set Bot API URL: https://api.telegram.org/bot%s", tg.TOKEN)
        logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", tg.TOKEN)
        try:
            raise ValueError(f"The token `{tg.TOKEN}` was rejected by the server.")
        except ValueError:
            log.exception("Invalid token")
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        logging.getLogger("httpx").setLevel(saved[1])
    output = stream.getvalue()
    assert tg.TOKEN not in output
    assert output.count(REDACTED) == 2  # the URL and the traceback; httpx's request lines are not logged
    assert "The token `[REDACTED]` was rejected" in output
    assert "HTTP Request" not in output


async def test_token_absent_from_captured_logs_of_a_whole_conversation(tg, caplog) -> None:
    """In-process, with pytest's own capture at DEBUG: httpx and PTB do log the Bot API URLs."""
    caplog.set_level(logging.DEBUG)
    official = tg.user("Lộc")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        await tg.api.send_text(official, "/start")
        await tg.api.wait_for_messages(official.id, 1)
        await tg.ask(official, "Ai chủ trì rà soát văn bản quy phạm pháp luật ở Nam Định?")
    assert f"bot{REDACTED}/sendMessage" in caplog.text  # httpx's request line, token redacted
    assert tg.TOKEN not in caplog.text
    assert tg.TOKEN.split(":")[1] not in caplog.text
