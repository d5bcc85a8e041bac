from typing import Annotated, Any

from fastapi import APIRouter, Query

from govgrid.services import audit
from govgrid.web.deps import LoggedInDep, SessionDep
from govgrid.web.schemas import AuditPublic

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditPublic], summary="操作日志（按数据范围）")
def list_audit(
    session: SessionDep, actor: LoggedInDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Any:
    return audit.list_events(session, actor=actor, limit=limit)
