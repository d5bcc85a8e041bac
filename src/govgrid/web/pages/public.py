"""Public pages: anyone follows a case by its number and 查询码 (no login). The page shows what is public:
the class, the community, the status, the deadline, each step's name and the notes staff chose to publish —
never who reported it, where they live, what they wrote or what staff noted. Wrong guesses are throttled
per client address."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import Area
from govgrid.domain.errors import NotFound, TooManyAttempts
from govgrid.domain.history import history_label
from govgrid.domain.permissions import ANONYMOUS
from govgrid.domain.workflow import STATUS_LABEL, Status
from govgrid.services.cases import queries
from govgrid.services.people import throttle
from govgrid.web.deps import ActorDep, AddressDep, NowDep, SessionDep
from govgrid.web.pages.render import page

router = APIRouter()


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, actor: ActorDep) -> Response:
    """Swagger UI on the bundled assets (no CDN: government intranets have no internet)."""
    from govgrid.web.deps import csrf_token, remember_pre_cookie

    response = request.app.state.templates.TemplateResponse(
        request, "docs.html", {"csrf_token": csrf_token(request)}
    )
    remember_pre_cookie(request, response)
    return response


@router.get("/follow", response_class=HTMLResponse)
def follow(
    request: Request,
    session: SessionDep,
    now: NowDep,
    address: AddressDep,
    code: Annotated[str, Query(max_length=32)] = "",
    secret: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    found: Case | None = None
    history: list[CaseTransition] = []
    error: str | None = None
    settings = request.app.state.settings
    if code or secret:
        key = throttle.address_key("follow", address)
        window = timedelta(minutes=settings.throttle_window_minutes)
        try:
            throttle.check_failures(
                session,
                key=key,
                limit=settings.follow_failures,
                window=window,
                now=now,
                message="查询失败次数过多，请 {seconds} 秒后再试",
            )
            found, history = queries.follow(session, code=code, secret=secret)
        except NotFound as exc:
            throttle.record_failure(session, key=key, window=window, now=now)
            error = exc.message
        except TooManyAttempts as exc:
            answer = page(
                request,
                "follow.html",
                ANONYMOUS,
                status_code=429,
                case=None,
                history=[],
                error=exc.message,
                code=code,
            )
            answer.headers["Retry-After"] = str(exc.retry_after)
            return answer
    rules = request.app.state.case_rules
    community = session.get(Area, found.grid_code[:12]) if found and found.grid_code else None
    case_class = rules.classes.get(found.class_code) if found else None
    return page(
        request,
        "follow.html",
        ANONYMOUS,
        case=found,
        history=history,
        error=error,
        code=code,
        community=community.name if community else "",
        class_name=case_class.name if case_class else "",
        status_label=STATUS_LABEL[Status(found.status)] if found else "",
        history_label=history_label,
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """The report page's service worker, served at the root so that its scope covers /report."""
    from pathlib import Path

    from fastapi.responses import FileResponse

    script = Path(__file__).resolve().parent.parent / "static" / "js" / "sw.js"
    return FileResponse(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
