"""考核: the metrics of a period by a slice (services.assessment.metrics), over the caller's data scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from govgrid.domain.assessment import parse_period
from govgrid.services.assessment import metrics as assessment
from govgrid.services.assessment import ranking as assessment_ranking
from govgrid.services.assessment.metrics import Slice
from govgrid.web.deps import LoggedInDep, ReadSessionDep

router = APIRouter(prefix="/assessment", tags=["assessment"])


@router.get("/metrics", summary="考核指标：立案、应结案、结案、按期结案、返工与 12345 三率（按期间与切片）")
def metrics(
    request: Request,
    session: ReadSessionDep,
    actor: LoggedInDep,
    first: Annotated[str, Query(alias="from", max_length=10, description="期间起（YYYY-MM-DD，北京时间）")],
    last: Annotated[str, Query(alias="to", max_length=10, description="期间止（含）")],
    by: Annotated[Slice, Query(description="切片")] = Slice.DISTRICT,
) -> dict[str, Any]:
    return assessment.metrics(
        session, actor=actor, rules=request.app.state.case_rules, period=parse_period(first, last), by=by
    )


@router.get(
    "/ranking", summary="考核排名：按考核方案计分（附扣分说明），应结案不足最低件数的列出不排名，含红黑榜"
)
def ranking(
    request: Request,
    session: ReadSessionDep,
    actor: LoggedInDep,
    first: Annotated[str, Query(alias="from", max_length=10, description="期间起（YYYY-MM-DD，北京时间）")],
    last: Annotated[str, Query(alias="to", max_length=10, description="期间止（含）")],
    by: Annotated[Slice, Query(description="切片")] = Slice.STREET,
    scheme: Annotated[str, Query(max_length=32, description="考核方案 id（catalog/assessment.yaml）")] = "",
) -> dict[str, Any]:
    return assessment_ranking.ranking(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        period=parse_period(first, last),
        by=by,
        scheme_id=scheme,
    )
