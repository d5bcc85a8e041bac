"""答复审核: the supervisor's queue of 12345 orders whose reply the reply-quality check held (答复待审), each
with the reply, its four scores and their reasons. Letting a reply stand (答复放行, with a reason) or sending
it back (返工) are the case's own steps, posted to /cases/{id}/steps (services.cases.steps.transition)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.nlp.reply_quality import DIMENSION_LABEL
from govgrid.services.cases import reply_review
from govgrid.services.people import accounts as people
from govgrid.web.deps import LoggedInDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()


@router.get("/replies", response_class=HTMLResponse)
def reply_queue(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    held = reply_review.held_queue(session, actor=actor)
    replies = request.app.state.case_rules.replies
    return page(
        request,
        "replies.html",
        actor,
        held=held,
        units={u.id: u.name for u in people.list_units(session, actor=actor)},
        labels=DIMENSION_LABEL,
        limit=replies.limit_workdays if replies is not None else None,
    )
