"""FastAPI dependencies: the objects a route needs, taken from the app built by create_app()."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bots.answer_ids import AnswerIds
from bots.feedback import FeedbackStore
from bots.web.ratelimit import ClientRateLimit
from bots.web.runtime import Runtime, Snapshot
from cchc.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


BUILD_HEADER = "X-Cchc-Build"


def _snapshot(runtime: Annotated[Runtime, Depends(_runtime)], response: Response) -> Iterator[Snapshot]:
    # Taken once per request: the request keeps this index and assistant even if a reindex swaps,
    # and the old index is closed only after the response (streamed ones too) has been sent.
    with runtime.using() as snapshot:
        response.headers[BUILD_HEADER] = snapshot.index.build.name  # which build answered
        yield snapshot


def _feedback(request: Request) -> FeedbackStore:
    return request.app.state.feedback


def _answer_ids(request: Request) -> AnswerIds:
    return request.app.state.answer_ids


SettingsDep = Annotated[Settings, Depends(_settings)]
RuntimeDep = Annotated[Runtime, Depends(_runtime)]
SnapshotDep = Annotated[Snapshot, Depends(_snapshot)]
FeedbackDep = Annotated[FeedbackStore, Depends(_feedback)]
AnswerIdsDep = Annotated[AnswerIds, Depends(_answer_ids)]


def rate_limited(scope: str) -> Callable[[Request], None]:
    """A dependency counting one hit against the caller's budget for `scope`."""

    def check(request: Request) -> None:
        limiter: ClientRateLimit = request.app.state.rate_limit
        limiter.check(request, scope)

    return check


_bearer = HTTPBearer(auto_error=False, description="CCHC_ADMIN_TOKEN")


def require_admin(
    request: Request, settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    attempts: ClientRateLimit = request.app.state.admin_attempts
    # A client that used up its failed attempts is refused before its token is even compared,
    # so guessing stays slow whatever it sends next.
    attempts.ensure_left(request, "admin")
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Cần mã quản trị: gửi tiêu đề «Authorization: Bearer <mã>».",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # Constant-time comparison, so response timing does not reveal how much of a guess was right.
    if not token or not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        attempts.check(request, "admin")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Mã quản trị không đúng.")


AdminDep = Depends(require_admin)
