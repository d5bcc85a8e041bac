"""登录 / 退出."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govgrid.domain.errors import NotAuthenticated
from govgrid.domain.permissions import ANONYMOUS
from govgrid.services import audit, people
from govgrid.web.deps import ActorDep, NowDep, SessionDep, verify_csrf
from govgrid.web.pages.render import page

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a login to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", ANONYMOUS, next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request, session: SessionDep, now: NowDep, username: Annotated[str, Form()],
    password: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/",
) -> Response:  # fmt: skip
    verify_csrf(request, csrf_token)
    try:
        user = people.authenticate(session, username=username, password=password)
    except NotAuthenticated as exc:
        return page(request, "login.html", ANONYMOUS, status_code=401, next=_safe_next(next), error=exc.message)
    request.session.clear()  # a new session on login (no fixation)
    request.session["user_id"] = user.id
    actor = people.actor_for(user)
    audit.record(session, actor=actor, action="session.login", entity_type="user", entity_id=user.username,
                 now=now, scope_code=user.scope_code)  # fmt: skip
    session.commit()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, actor: ActorDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    verify_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
