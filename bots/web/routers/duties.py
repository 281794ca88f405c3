"""Entry points a page calls by name: an agency's duties, the agency+province picker, exports.

POST /api/duties answers the "quý này" buttons without writing a Vietnamese sentence;
GET /api/agency-choices feeds the one «Đơn vị của tôi» picker; POST /api/export returns the
cited rows of an answer as .xlsx or .csv.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant.contract import AgencyMention, Answer, AskedPeriod, Role
from bots.web.deps import AnswerIdsDep, SnapshotDep, rate_limited
from bots.web.schemas import SESSION_PATTERN, ErrorResponse
from bots.web.sessions import WebSessionsDep
from service.app import AgencyChoice, DutyPeriod
from service.export import ExportFormat, ExportGroup, ExportScope

router = APIRouter(prefix="/api", tags=["hỏi đáp"])
_ERRORS = {422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}


class DutiesRequest(BaseModel):
    agency: str = Field(max_length=100, description="agency id (from /api/agency-choices)")
    province: str | None = Field(None, max_length=60)
    period: DutyPeriod = DutyPeriod.THIS_QUARTER
    role: Role = Role.LEAD
    today: dt.date | None = None
    session: str | None = Field(None, pattern=SESSION_PATTERN)


class ExportQuery(BaseModel):
    """What the answer understood (its `query`, as the page received it); only these fields are read."""

    model_config = ConfigDict(extra="ignore")
    today: dt.date | None = None
    agency: AgencyMention | None = None
    provinces: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=70)
    period: AskedPeriod | None = None


class ExportRequest(BaseModel):
    ids: list[str] = Field(min_length=1, max_length=1000, description="record ids, in the answer's order")
    format: ExportFormat = ExportFormat.XLSX
    title: str = Field("", max_length=300, description="the question, printed above the table")
    query: ExportQuery | None = Field(None, description="the answer's `query`: agency, province, period and date "
                                                        "for the title row and the file name")
    groups: list[ExportGroup] = Field(default_factory=list, max_length=100,
                                      description="the answer's groups (title, ids): the «Nhóm / vai trò» column")

    def scope(self) -> ExportScope:
        query = self.query or ExportQuery()
        return ExportScope(
            question=self.title, agency_id=query.agency.id if query.agency else "",
            agency=query.agency.name if query.agency else "", province=", ".join(query.provinces),
            period=query.period.label if query.period else "", asked=query.today)


@router.post("/duties", response_model=Answer, responses=_ERRORS, dependencies=[Depends(rate_limited("ask"))],
             summary="Nhiệm vụ của một đơn vị trong một kỳ (nút «Quý này», «Quý sau», «Cả năm»)")
async def duties(body: DutiesRequest, snapshot: SnapshotDep, ids: AnswerIdsDep, sessions: WebSessionsDep) -> Answer:
    answer = await run_in_threadpool(snapshot.service.duties, body.agency, body.province, body.period, body.role,
                                     body.today, sessions.resolve(body.session))
    return ids.stamp(answer, answer.query.question)


@router.get("/agency-choices", response_model=list[AgencyChoice], summary="Đơn vị kèm tỉnh, cho ô «Đơn vị của tôi»")
async def agency_choices(snapshot: SnapshotDep, q: str = "", province: str | None = None) -> list[AgencyChoice]:
    return snapshot.service.agencies(q[:100], province)


@router.post("/export", responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                                                     "text/csv": {}}}, **_ERRORS, 404: {"model": ErrorResponse}},
             dependencies=[Depends(rate_limited("export"))], summary="Tải các dòng của câu trả lời (.xlsx hoặc .csv)")
async def export(body: ExportRequest, snapshot: SnapshotDep) -> Response:
    file = await run_in_threadpool(snapshot.service.export, body.ids, body.format, body.scope(), body.groups)
    return Response(file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
