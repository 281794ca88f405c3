"""FastAPI dependencies: the objects a route needs, taken from the app built by create_app()."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bots.answer_ids import AnswerIds
from bots.feedback import FeedbackStore
from bots.web.admingate import verify_admin
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
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """A second wall behind bots.web.admingate, which already checked the token before the body
    was read; `credentials` is declared so that the OpenAPI schema shows the bearer scheme."""
    verify_admin(request)


AdminDep = Depends(require_admin)
