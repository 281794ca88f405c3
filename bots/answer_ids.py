"""Answer ids: every answer a channel sends carries a signed id, and feedback must present it.

The id signs what the answer was (a digest of the question and the answer text, the cited row
ids, the day it was issued) and a random nonce, so feedback cannot invent an answer or claim rows
the answer never cited, and two people asking the same question get two ids: nobody can rate (or
overwrite the rating of) an answer they were not sent. Any worker holding the key can check it. The key is CCHC_SECRET_KEY, or a random one kept
in the data directory, made once. With CCHC_REDIS_URL every issued id is also registered in Redis
for as long as feedback on it is accepted, and feedback must name a registered id: an id is
honoured only if this deployment really sent it, whichever worker did.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis import RedisError

from assistant.contract import Answer
from cchc.errors import FeedbackRejectedError, SharedStoreError
from cchc.settings import Settings
from indexer.vntext import clean_text, squash

logger = logging.getLogger(__name__)

KEY_FILE = "secret.key"
_VERSION = "a2"  # a1 ids had no nonce (the same question on the same day gave the same id)
_NONCE_BYTES = 12


def _digest(text: str) -> str:
    # Cleaned and squashed, so the same question sent back with other spacing still matches.
    return hashlib.sha256(squash(clean_text(text)).encode()).hexdigest()[:24]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class IssuedAnswer:
    """What an answer id vouches for."""

    question: str  # digest
    answer: str  # digest
    citations: tuple[str, ...]
    issued: dt.date


def load_key(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        temporary.write_text(secrets.token_hex(32), encoding="utf-8")
        temporary.chmod(0o600)
        temporary.replace(path)  # two workers starting together end up with one key, not two
    return path.read_text(encoding="utf-8").strip().encode()


REGISTERED = "cchc:answer:"


class AnswerIds:
    def __init__(self, key: bytes, max_age_days: int, registry: Any = None):
        self._key = key
        self._max_age = dt.timedelta(days=max_age_days)
        self._registry = registry  # redis.Redis, or None: the signature alone vouches

    @classmethod
    def for_settings(cls, settings: Settings) -> AnswerIds:
        from service.shared import redis_client

        return cls(load_key(settings), settings.feedback_max_age_days, redis_client(settings))

    def _register(self, answer_id: str) -> None:
        if self._registry is None:
            return
        try:
            self._registry.set(REGISTERED + answer_id.rsplit(".", 1)[-1], 1,
                               ex=int(self._max_age.total_seconds()) + 86_400)
        except RedisError as exc:  # the answer still goes out; only feedback on it will be refused
            logger.warning("Answer id not registered in Redis: %s", exc)

    def _registered(self, answer_id: str) -> bool:
        if self._registry is None:
            return True
        try:
            return bool(self._registry.exists(REGISTERED + answer_id.rsplit(".", 1)[-1]))
        except RedisError:
            raise SharedStoreError("Tạm thời chưa ghi nhận được góp ý (máy chủ dữ liệu dùng chung không phản hồi). "
                                   "Xin thử lại sau ít phút.") from None

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:18])

    def issue(self, question: str, answer: str, citations: Sequence[str], issued: dt.date | None = None) -> str:
        """`issued` is the server's day (not the question's reference day): ids age from it."""
        body = {"q": _digest(question), "a": _digest(answer), "c": list(citations),
                "d": (issued or dt.date.today()).isoformat(), "n": secrets.token_urlsafe(_NONCE_BYTES)}
        payload = _b64(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
        answer_id = f"{_VERSION}.{payload}.{self._sign(payload)}"
        self._register(answer_id)
        return answer_id

    def pseudonym(self, value: str) -> str:
        """A keyed digest of `value` (a client address): stable, but not reversible by trying every
        address without the key."""
        return hmac.new(self._key, b"client:" + value.encode(), hashlib.sha256).hexdigest()[:20]

    def stamp(self, answer: Answer, question: str) -> Answer:
        """The answer with the id its feedback must quote."""
        return answer.model_copy(update={"answer_id": self.issue(question, answer.answer, [c.id for c in answer.citations])})

    def read(self, answer_id: str, today: dt.date | None = None) -> IssuedAnswer:
        """What the id vouches for; FeedbackRejectedError if it is forged, malformed or too old."""
        version, _, rest = answer_id.partition(".")
        payload, _, signature = rest.partition(".")
        if version != _VERSION or not hmac.compare_digest(signature, self._sign(payload)):
            raise FeedbackRejectedError("Mã câu trả lời không hợp lệ: chỉ góp ý được cho câu trả lời trợ lý đã gửi.")
        if not self._registered(answer_id):
            raise FeedbackRejectedError("Câu trả lời này không còn được lưu để góp ý. Hãy hỏi lại rồi góp ý cho câu trả lời mới.")
        body = json.loads(_unb64(payload))
        issued = dt.date.fromisoformat(body["d"])
        if (today or dt.date.today()) - issued > self._max_age:
            raise FeedbackRejectedError("Câu trả lời này đã quá cũ để góp ý. Hãy hỏi lại rồi góp ý cho câu trả lời mới.")
        return IssuedAnswer(body["q"], body["a"], tuple(body["c"]), issued)

    def check(self, answer_id: str, question: str, answer: str, citations: Sequence[str]) -> None:
        """Feedback must describe the very answer the id was issued for."""
        issued = self.read(answer_id)
        if issued.question != _digest(question) or issued.answer != _digest(answer):
            raise FeedbackRejectedError("Câu hỏi hoặc câu trả lời trong góp ý khác với câu trả lời trợ lý đã gửi.")
        if tuple(citations) != issued.citations:
            raise FeedbackRejectedError("Danh sách nguồn trong góp ý khác với các nguồn câu trả lời đã trích dẫn.")
