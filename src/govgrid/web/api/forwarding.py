"""转办区县: the city's 12345 center hands its order to a district (services.cases.forwarding)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field

from govgrid.services.cases import forwarding
from govgrid.web.api.cases import public
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.params import IdPath
from govgrid.web.schemas import CasePublic, In

router = APIRouter(prefix="/cases", tags=["cases"])


class ForwardIn(In):
    district: str = Field(
        "", max_length=6, pattern=r"^(\d{6})?$", description="区县代码；缺省为工单位置所在区县"
    )
    note: str = Field("", max_length=500, description="转办说明（记入时间线）")


@router.post(
    "/{case_id}/forward",
    response_model=CasePublic,
    summary="转办区县：市 12345 工单交区县办理，返回区县的案件（重试返回同一件）",
)
def forward_order(
    case_id: IdPath, body: ForwardIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = forwarding.forward(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        district=body.district,
        now=now,
        note=body.note,
    )
    return public(case, request, actor)
