"""Public pages: a citizen follows a case by its number (no login)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.errors import NotFound
from govgrid.domain.history import history_label
from govgrid.domain.permissions import ANONYMOUS
from govgrid.domain.workflow import STATUS_LABEL, Status
from govgrid.services import cases
from govgrid.web.deps import SessionDep
from govgrid.web.pages.render import page

router = APIRouter()


@router.get("/follow", response_class=HTMLResponse)
def follow(request: Request, session: SessionDep, code: str = "", phone: str = "") -> Response:
    found: Case | None = None
    history: list[CaseTransition] = []
    error: str | None = None
    if code or phone:
        try:
            found, history = cases.follow(session, code=code, phone_tail=phone)
        except NotFound as exc:
            error = exc.message
    return page(request, "follow.html", ANONYMOUS, case=found, history=history, error=error, code=code,
                status_label=STATUS_LABEL[Status(found.status)] if found else "", history_label=history_label)  # fmt: skip
