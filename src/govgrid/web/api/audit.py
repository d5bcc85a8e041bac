"""The audit trail, as far as the caller's scope reaches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from govgrid.services import audit
from govgrid.web.deps import LoggedInDep, SessionDep
from govgrid.web.filters import AuditFilterDep
from govgrid.web.paging import Page, PagingDep, page_body
from govgrid.web.schemas import AuditPublic

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=Page[AuditPublic], summary="操作日志（按数据范围；分页，最新在前）")
def list_audit(session: SessionDep, actor: LoggedInDep, paging: PagingDep, wanted: AuditFilterDep) -> Any:
    return page_body(audit.list_events(session, actor=actor, paging=paging, wanted=wanted))
