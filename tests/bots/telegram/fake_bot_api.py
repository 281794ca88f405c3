"""A small Telegram Bot API server on loopback, for tests: the real Application talks HTTP to it.

It speaks the Bot API's JSON shapes and errors (``{"ok": true, "result": ...}`` /
``{"ok": false, "error_code": 400, "description": ...}``) for the methods the bot uses, checks
what Telegram checks (HTML entities, 4,096 characters, 64-byte callback data, message ids,
callback query ids, "message is not modified"), and records every request. Tests play the users:
they queue messages and button presses, which the bot receives through getUpdates (long poll with
timeout/offset semantics) or, once a webhook is set, as POSTs to the webhook like Telegram does.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
         "blockquote", "tg-emoji"}
_WITH_ATTRIBUTES = {"a", "span", "code", "pre", "tg-emoji", "blockquote"}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_JSON_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "reply_markup", "reply_parameters",
                "allowed_updates", "commands", "show_alert", "drop_pending_updates", "allow_sending_without_reply",
                "disable_notification", "cache_time", "link_preview_options", "message_thread_id",
                "max_connections", "entities", "reply_to_message_id", "protect_content"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_ENTITY_TYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
                 "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
                 "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
                 "tg-emoji": "custom_emoji"}


def parse_html(text: str) -> str:
    """Visible text of a message in HTML parse mode, or ApiError like Telegram's parser."""
    return parse_html_entities(text)[0]


def _entity(name: str, attributes: str, offset: int, length: int) -> dict[str, Any]:
    kind = _ENTITY_TYPES[name]
    if name == "blockquote" and "expandable" in attributes:
        kind = "expandable_blockquote"
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = html.unescape(re.search(r'href="([^"]*)"', attributes).group(1)) if "href" in attributes else ""
    return entity


def parse_html_entities(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and its formatting entities (UTF-16 offsets, as Telegram returns them), or
    ApiError like Telegram's parser. Commands and mentions in the text are marked too."""
    out: list[str] = []
    stack: list[str] = []
    opened: list[tuple[str, str, int]] = []  # (tag, attributes, UTF-16 offset where it opened)
    entities: list[dict[str, Any]] = []
    position = 0
    token = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);")

    def fail(reason: str) -> ApiError:
        offset = len(text[:position].encode("utf-8"))
        return ApiError(400, f"Bad Request: can't parse entities: {reason} at byte offset {offset}")

    while position < len(text):
        char = text[position]
        if char not in "<>&":
            out.append(char)
            position += 1
            continue
        match = token.match(text, position)
        if char == ">" or match is None:
            raise fail(f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
                       if char == ">" else f"Unexpected character '{char}'")
        if match.group(4):
            out.append(html.unescape(match.group(0)))
        else:
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3).strip()
            if name not in _TAGS:
                raise fail(f'Unsupported start tag "{name}"')
            if closing:
                if not stack or stack[-1] != name:
                    raise fail(f'Unmatched end tag "{name}"')
                stack.pop()
                tag, opened_with, start = opened.pop()
                length = utf16_len("".join(out)) - start
                if length:  # Telegram drops empty entities
                    entities.append(_entity(tag, opened_with, start, length))
            else:
                if attributes and name not in _WITH_ATTRIBUTES:
                    raise fail(f'Unsupported attribute in tag "{name}"')
                stack.append(name)
                opened.append((name, attributes, utf16_len("".join(out))))
        position = match.end()
    if stack:
        raise ApiError(400, "Bad Request: can't parse entities: "
                            f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    visible = "".join(out)
    entities += entities_of(visible)
    return visible, sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def entities_of(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities, with UTF-16 offsets, as Telegram marks them."""
    found = []
    for match in re.finditer(r"(?<![\w/])(/[A-Za-z0-9_]{1,64}(?:@\w+)?|@\w{3,})", text):
        kind = "bot_command" if match.group(0).startswith("/") else "mention"
        found.append({"type": kind, "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group(0))})
    return found


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True
    error: str | None = None
    result: Any = None
    done: bool = False
    at: float = field(default_factory=time.time)


@dataclass
class FakeUser:
    id: int
    first_name: str
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": "vi"}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str | None = None
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: itertools.count = field(default_factory=lambda: itertools.count(1))
    bot_left: bool = False  # the bot called leaveChat here

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        return data


class FakeBotApi:
    def __init__(self, token: str, username: str = "cchc_test_bot", bot_id: int = 700_000_001):
        self.token = token
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "Trợ lý CCHC", "username": username,
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.chats: dict[int, Chat] = {}
        self.pending: list[dict[str, Any]] = []  # updates not yet confirmed by an offset
        self.update_ids = itertools.count(1)
        self.query_ids = itertools.count(1)
        self.open_queries: set[str] = set()
        self.webhook: dict[str, Any] = {}
        self.webhook_deliveries: list[int] = []  # HTTP status of each POST to the webhook
        self.faults: dict[str, list[ApiError]] = {}  # method -> errors to return on its next calls
        self.documents: list[tuple[str, bytes]] = []  # files the bot sent, in order
        self.changed = asyncio.Condition()
        self.closing = False
        self._runner: web.AppRunner | None = None
        self._delivery: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._deliverer: asyncio.Task | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._deliverer = asyncio.create_task(self._deliver_forever())

    async def stop(self) -> None:
        self.closing = True
        async with self.changed:
            self.changed.notify_all()
        if self._deliverer:
            self._deliverer.cancel()
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- playing the users ----------------------------------------------------------------------
    def chat(self, chat_id: int, type: str = "private", title: str | None = None) -> Chat:
        if chat_id not in self.chats:
            self.chats[chat_id] = Chat(chat_id, type, title)
        return self.chats[chat_id]

    async def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (any JSON: tests also send garbage); gives it an update_id if missing."""
        update = {"update_id": next(self.update_ids), **update}
        if self.webhook.get("url"):
            await self._delivery.put(update)
        else:
            self.pending.append(update)
        await self._notify()
        return update

    async def send_text(self, user: FakeUser, text: str, chat: Chat | None = None,
                        reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A user writes ``text`` (private chat unless ``chat`` is given). Returns the message."""
        chat = chat or self.chat(user.id)
        message: dict[str, Any] = {"message_id": next(chat.next_id), "from": user.to_dict(), "chat": chat.to_dict(),
                                   "date": int(time.time()), "text": text}
        if entities := entities_of(text):
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        chat.messages[message["message_id"]] = message
        await self.push_update({"message": message})
        return message

    async def send_photo(self, user: FakeUser, caption: str, chat: Chat | None = None) -> dict[str, Any]:
        """A user sends a photo with ``caption`` (private chat unless ``chat`` is given)."""
        chat = chat or self.chat(user.id)
        message: dict[str, Any] = {"message_id": next(chat.next_id), "from": user.to_dict(), "chat": chat.to_dict(),
                                   "date": int(time.time()), "caption": caption,
                                   "photo": [{"file_id": "photo1", "file_unique_id": "p1", "width": 90, "height": 60}]}
        chat.messages[message["message_id"]] = message
        await self.push_update({"message": message})
        return message

    async def press(self, user: FakeUser, message: dict[str, Any], data: str) -> str:
        """A user presses the inline button carrying ``data`` under a bot ``message``."""
        buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        assert any(b.get("callback_data") == data for b in buttons), f"no button {data!r} in {buttons}"
        query_id = str(next(self.query_ids))
        self.open_queries.add(query_id)
        stored = self.chats[message["chat"]["id"]].messages[message["message_id"]]
        current = {k: v for k, v in stored.items() if k != "raw_html"}
        await self.push_update({"callback_query": {"id": query_id, "from": user.to_dict(), "message": current,
                                                   "chat_instance": f"ci{message['chat']['id']}", "data": data}})
        return query_id

    def fail_next(self, method: str, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        """Make the next call of ``method`` fail as Telegram would (429s carry retry_after)."""
        self.faults.setdefault(method, []).append(ApiError(code, description, parameters))

    # -- what the bot did -----------------------------------------------------------------------
    def called(self, method: str, ok: bool | None = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def failures(self) -> list[Call]:
        return [c for c in self.calls if not c.ok]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, in order, as they are now (edits applied)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if m["from"]["id"] == self.bot["id"]]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every request); bounded by ``timeout``."""
        async def loop() -> Any:
            async with self.changed:
                while not (value := predicate()):
                    await self.changed.wait()
                return value
        try:
            return await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            recent = [(c.method, c.ok, c.error) for c in self.calls[-15:]]
            raise AssertionError(f"timed out waiting for {what}; last calls: {recent}") from None

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        await self.wait_for(lambda: len(self.bot_messages(chat_id)) >= count, timeout, f"{count} messages in {chat_id}")
        return self.bot_messages(chat_id)

    # -- HTTP -----------------------------------------------------------------------------------
    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
            files = {k: (v.filename, v.file.read()) for k, v in form.items() if hasattr(v, "file")}
            if files:
                params["_files"] = files
        for key, value in list(params.items()):  # form fields carry JSON-encoded non-strings
            if key in _JSON_FIELDS:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)  # recorded as it arrives: a long poll in progress is visible
        await self._notify()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            if self.faults.get(method):
                raise self.faults[method].pop(0)
            call.result = await handler(params)
            body: dict[str, Any] = {"ok": True, "result": call.result}
            status = 200
        except ApiError as exc:
            call.ok, call.error = False, exc.description
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            status = exc.code
        call.done = True
        await self._notify()
        return web.json_response(body, status=status)

    async def _file(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # -- methods --------------------------------------------------------------------------------
    async def _m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot

    async def _m_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + timeout
        async with self.changed:
            while not self.pending and not self.closing:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self.changed.wait(), remaining)
                except TimeoutError:
                    break
        return self.pending[:limit]

    def _known_chat(self, params: dict[str, Any]) -> Chat:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self.chats.get(int(chat_id))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _bot_message(self, chat: Chat, params: dict[str, Any]) -> dict[str, Any]:
        message = chat.messages.get(int(params.get("message_id") or 0))
        if message is None or message["from"]["id"] != self.bot["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if markup in (None, ""):
            return None
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    if not str(button.get("text", "")).strip():
                        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        text = str(params.get("text") or "")
        if params.get("parse_mode", "").upper() == "HTML":
            text, entities = parse_html_entities(text)
        else:
            entities = entities_of(text)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    @staticmethod
    def _with_entities(message: dict[str, Any], text: str, entities: list[dict[str, Any]]) -> None:
        message["text"] = text
        message.pop("entities", None)
        if entities:
            message["entities"] = entities

    async def _m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        text, entities = self._text(params)
        markup = self._check_markup(params.get("reply_markup"))
        message: dict[str, Any] = {"message_id": next(chat.next_id), "from": self.bot, "chat": chat.to_dict(),
                                   "date": int(time.time()), "raw_html": params.get("text")}
        self._with_entities(message, text, entities)
        reply = params.get("reply_parameters") or (
            {"message_id": params["reply_to_message_id"]} if params.get("reply_to_message_id") else None)
        if reply:
            replied = chat.messages.get(int(reply["message_id"]))
            if replied is not None:
                message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            elif not reply.get("allow_sending_without_reply") and not params.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if markup and "inline_keyboard" in markup:  # messages carry inline keyboards only
            message["reply_markup"] = markup
        chat.messages[message["message_id"]] = message
        return {k: v for k, v in message.items() if k != "raw_html"}

    async def _m_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        files = params.get("_files") or {}
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, content = files["document"]
        message: dict[str, Any] = {"message_id": next(chat.next_id), "from": self.bot, "chat": chat.to_dict(),
                                   "date": int(time.time()), "caption": params.get("caption", ""),
                                   "document": {"file_name": name, "file_size": len(content), "file_id": f"doc{len(self.documents)}",
                                                "file_unique_id": f"u{len(self.documents)}"}}
        self.documents.append((name, content))
        chat.messages[message["message_id"]] = message
        return message

    async def _m_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        message = self._bot_message(chat, params)
        text, entities = self._text(params)
        markup = self._check_markup(params.get("reply_markup"))
        if (text, entities) == (message["text"], message.get("entities", [])) and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        self._with_entities(message, text, entities)
        message.update(raw_html=params.get("text"), edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return {k: v for k, v in message.items() if k != "raw_html"}

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._known_chat(params)
        message = self._bot_message(chat, params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return {k: v for k, v in message.items() if k != "raw_html"}

    async def _m_leavechat(self, params: dict[str, Any]) -> bool:
        chat = self._known_chat(params)
        chat.bot_left = True
        return True

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.open_queries.discard(query_id)
        return True

    async def _m_sendchataction(self, params: dict[str, Any]) -> bool:
        self._known_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> bool:
        for command in params.get("commands") or []:
            if not _COMMAND.match(command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> bool:
        secret = str(params.get("secret_token") or "")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": params.get("url", ""), "secret_token": secret,
                        "allowed_updates": params.get("allowed_updates")}
        for update in self.pending:  # Telegram pushes what was waiting
            await self._delivery.put(update)
        self.pending = []
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self.pending = []
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.pending)}

    async def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_logout(self, params: dict[str, Any]) -> bool:
        return True

    async def _deliver_forever(self) -> None:
        """Telegram's side of a webhook: POST each update, in order, with the secret header."""
        async with aiohttp.ClientSession() as session:
            while True:
                update = await self._delivery.get()
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook.get("secret_token", "")}
                try:
                    async with session.post(self.webhook["url"], json=update, headers=headers) as response:
                        self.webhook_deliveries.append(response.status)
                except aiohttp.ClientError:
                    self.webhook_deliveries.append(0)
                await self._notify()
