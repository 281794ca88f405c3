"""FastAPI dependencies: the objects a route needs, taken from the app built by create_app()."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bots.feedback import FeedbackStore
from bots.web.ratelimit import ClientRateLimit
from bots.web.runtime import Runtime, Snapshot
from cchc.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _snapshot(runtime: Annotated[Runtime, Depends(_runtime)]) -> Snapshot:
    # Read once per request: the request keeps this index and assistant even if a reindex swaps.
    return runtime.snapshot


def _feedback(request: Request) -> FeedbackStore:
    return request.app.state.feedback


SettingsDep = Annotated[Settings, Depends(_settings)]
RuntimeDep = Annotated[Runtime, Depends(_runtime)]
SnapshotDep = Annotated[Snapshot, Depends(_snapshot)]
FeedbackDep = Annotated[FeedbackStore, Depends(_feedback)]


def rate_limited(scope: str) -> Callable[[Request], None]:
    """A dependency counting one hit against the caller's budget for `scope`."""

    def check(request: Request) -> None:
        limiter: ClientRateLimit = request.app.state.rate_limit
        limiter.check(request, scope)

    return check


_bearer = HTTPBearer(auto_error=False, description="CCHC_ADMIN_TOKEN")


def require_admin(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Cần mã quản trị: gửi tiêu đề «Authorization: Bearer <mã>».",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # Constant-time comparison, so response timing does not reveal how much of a guess was right.
    if not token or not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Mã quản trị không đúng.")


AdminDep = Depends(require_admin)
