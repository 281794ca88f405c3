"""Small talk a question box still receives: a thank-you gets a short polite reply, not «ngoài nội dung»."""

from __future__ import annotations

import re

from indexer.vntext import fold

# «cảm ơn», «ok cảm ơn bạn nhiều», «thanks», «dạ em cảm ơn ạ 🙏»: a few words around the thanks, no question.
_THANKS = re.compile(
    r"^(?:(?:ok|oke|okay|vang|da|em|chau|toi|minh|xin)\s+)*(?:cam\s*on|thank\s*you|thanks?|tks|thx)"
    r"(?:\s+[a-z]+){0,4}\s*[.!…]*\W*$"
)
MAX_LENGTH = 60


def is_thanks(text: str) -> bool:
    folded = " ".join(fold(text).replace(",", " ").split())
    return len(folded) <= MAX_LENGTH and "?" not in folded and _THANKS.match(folded) is not None
