"""Domain errors become HTTP responses here, and only here. Every body is {"detail": "<Vietnamese>"}
(plus "errors" per field for invalid input), so the page and other clients show `detail` as is."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bots.web.bodylimit import TOO_LARGE
from bots.web.ratelimit import RateLimitExceeded
from bots.web.schemas import ErrorResponse, FieldError
from cchc.errors import (
    CchcError,
    FeedbackFullError,
    FeedbackQuotaError,
    FeedbackRejectedError,
    FileLimitError,
    IndexMismatchError,
    IndexNotReadyError,
    ParserBusyError,
    QuestionError,
    SharedStoreError,
    UnknownRecordError,
)

logger = logging.getLogger(__name__)

_FIELD_NAMES = {
    "question": "câu hỏi",
    "today": "ngày tham chiếu (today)",
    "session": "mã phiên (session)",
    "agency": "đơn vị (agency)",
    "rating": "đánh giá (rating)",
    "answer": "câu trả lời",
    "comment": "góp ý",
    "citations": "nguồn trích dẫn (citations)",
    "id": "mã dòng",
    "record_id": "mã dòng",
    "answer_id": "mã câu trả lời (answer_id)",
}
_STATUS_TEXT = {
    404: "Không tìm thấy địa chỉ này.",
    405: "Địa chỉ này không nhận phương thức {method}.",
    401: "Cần xác thực.",
    403: "Không có quyền truy cập.",
    413: TOO_LARGE,
}
JSON_INVALID = "Nội dung gửi lên không phải JSON hợp lệ. Hãy gửi một đối tượng JSON, ví dụ {\"question\": \"…\"}."
INTERNAL = "Hệ thống gặp lỗi ngoài dự kiến. Xin thử lại; nếu vẫn lỗi, hãy báo quản trị viên."


def _error(status_code: int, detail: str, errors: list[FieldError] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(detail=detail, errors=errors or [])
    return JSONResponse(body.model_dump(exclude_defaults=True), status_code=status_code, headers=headers)


def refusal(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The usual error body, for middleware that answers before the app (bots.web.admingate)."""
    return _error(status_code, detail, headers=headers)


def rate_limited_response(exc: RateLimitExceeded) -> JSONResponse:
    return _error(
        status.HTTP_429_TOO_MANY_REQUESTS,
        exc.message or f"Bạn đã gửi quá nhiều yêu cầu (giới hạn {exc.limit}). Xin thử lại sau {exc.retry_after} giây.",
        headers={"Retry-After": str(exc.retry_after)},
    )


def _field_message(error: dict[str, Any]) -> FieldError:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "path", "query")]
    field = location[0] if location else ""
    # A field without a Vietnamese name is called by what it is, never by its English identifier.
    name = _FIELD_NAMES.get(field, "giá trị" if field else "nội dung")
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        message = str(ctx["error"])  # our own validators already speak Vietnamese
    elif kind == "missing":
        message = f"Thiếu {name}."
    elif kind == "string_too_short":
        message = f"{name.capitalize()} không được để trống."
    elif kind in ("string_too_long", "too_long"):
        unit = "ký tự" if kind == "string_too_long" else "mục"
        message = f"{name.capitalize()} dài quá {ctx.get('max_length', '')} {unit}."
    elif kind.startswith("date"):
        message = f"{name.capitalize()} phải là ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2022-11-01."
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        message = f"{name.capitalize()} chỉ nhận một trong các giá trị: {expected}."
    elif kind == "string_pattern_mismatch":
        message = f"{name.capitalize()} chỉ được gồm chữ không dấu, số và các dấu - _ . : (tối đa 100 ký tự)."
    elif kind in ("string_type", "list_type", "int_type", "bool_type"):
        message = f"{name.capitalize()} sai kiểu dữ liệu."
    elif kind in ("model_attributes_type", "dict_type", "model_type"):
        message = "Nội dung gửi lên phải là một đối tượng JSON."
    else:
        message = f"{name.capitalize()} không hợp lệ."
    return FieldError(field=".".join(location), message=message)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return _error(status.HTTP_400_BAD_REQUEST, JSON_INVALID)
    fields = [_field_message(error) for error in errors]
    return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, " ".join(dict.fromkeys(f.message for f in fields)), fields)


async def _question(request: Request, exc: QuestionError) -> JSONResponse:
    return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc), [FieldError(field="question", message=str(exc))])


async def _unknown_record(request: Request, exc: UnknownRecordError) -> JSONResponse:
    return _error(status.HTTP_404_NOT_FOUND, str(exc))


async def _not_ready(request: Request, exc: CchcError) -> JSONResponse:
    return _error(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), headers={"Retry-After": "30"})


async def _file_limit(request: Request, exc: FileLimitError) -> JSONResponse:
    return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))


async def _domain(request: Request, exc: CchcError) -> JSONResponse:
    return _error(status.HTTP_400_BAD_REQUEST, str(exc))


async def _rate_limited(request: Request, exc: RateLimitExceeded) -> JSONResponse:
    return rate_limited_response(exc)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail
    if not isinstance(detail, str) or detail.isascii():  # Starlette's own English phrases
        detail = _STATUS_TEXT.get(exc.status_code, "Yêu cầu không hợp lệ.").format(method=request.method)
    return _error(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _feedback_rejected(request: Request, exc: FeedbackRejectedError) -> JSONResponse:
    return _error(status.HTTP_403_FORBIDDEN, str(exc))


async def _feedback_quota(request: Request, exc: FeedbackQuotaError) -> JSONResponse:
    logger.warning("feedback share used up by one client: %s", exc)
    return _error(status.HTTP_429_TOO_MANY_REQUESTS, str(exc))


async def _feedback_full(request: Request, exc: FeedbackFullError) -> JSONResponse:
    logger.error("feedback database full: %s", exc)
    return _error(status.HTTP_507_INSUFFICIENT_STORAGE, str(exc))


class UnexpectedErrors:
    """Turns an unhandled exception into the Vietnamese 500 *inside* the other middleware.

    Starlette answers unhandled errors in its outermost layer, past SecurityHeaders, so a 500 went
    out without the security headers; answering here keeps them on every response.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # half a response is already out: nothing better to do than stop it
                raise
            await _error(status.HTTP_500_INTERNAL_SERVER_ERROR, INTERNAL)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(QuestionError, _question)
    app.add_exception_handler(UnknownRecordError, _unknown_record)
    app.add_exception_handler(IndexNotReadyError, _not_ready)
    app.add_exception_handler(IndexMismatchError, _not_ready)
    app.add_exception_handler(SharedStoreError, _not_ready)
    app.add_exception_handler(ParserBusyError, _not_ready)
    app.add_exception_handler(FileLimitError, _file_limit)
    app.add_exception_handler(FeedbackRejectedError, _feedback_rejected)
    app.add_exception_handler(FeedbackFullError, _feedback_full)
    app.add_exception_handler(FeedbackQuotaError, _feedback_quota)
    app.add_exception_handler(CchcError, _domain)
    app.add_exception_handler(RateLimitExceeded, _rate_limited)
    app.add_exception_handler(StarletteHTTPException, _http)
