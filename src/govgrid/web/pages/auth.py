"""登录 / 退出. The login is throttled and audited (services.login_sessions.log_in); the session lives on the
server, and the cookie is an opaque random token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from govgrid.domain.errors import Conflict, InvalidInput, NotAuthenticated, TooManyAttempts
from govgrid.domain.permissions import ANONYMOUS
from govgrid.services.people import sessions as login_sessions
from govgrid.services.people import signup as citizens
from govgrid.web.deps import (
    PRE_COOKIE,
    SESSION_COOKIE,
    AddressDep,
    LoggedInDep,
    NowDep,
    SessionDep,
    set_cookie,
)
from govgrid.web.pages.render import page

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a login to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, changed: str | None = None) -> Response:
    return page(request, "login.html", ANONYMOUS, next=_safe_next(next), error=None, changed=changed == "1")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    now: NowDep,
    address: AddressDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        _, token = login_sessions.log_in(
            session,
            username=username,
            password=password,
            address=address,
            now=now,
            login_policy=request.app.state.login_policy,
            policy=request.app.state.session_policy,
        )
    except (NotAuthenticated, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        answer = page(
            request, "login.html", ANONYMOUS, status_code=status, next=_safe_next(next), error=exc.message
        )
        if isinstance(exc, TooManyAttempts):
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(
        request, response, SESSION_COOKIE, token, max_age=request.app.state.session_policy.hours * 3600
    )
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


class SignupForm(BaseModel):
    phone: Annotated[str, Field(max_length=32)] = ""
    name: Annotated[str, Field(max_length=64)] = ""
    password: Annotated[str, Field(max_length=256)] = ""
    repeated: Annotated[str, Field(max_length=256)] = ""


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request) -> Response:
    return page(request, "signup.html", ANONYMOUS, error=None, field=None, phone="", name="")


@router.post("/signup")
def signup(
    request: Request,
    session: SessionDep,
    now: NowDep,
    address: AddressDep,
    form: Annotated[SignupForm, Form()],
) -> Response:
    """市民注册 (services.people.signup), then logged in as the new citizen."""
    try:
        user = citizens.sign_up(
            session,
            phone=form.phone,
            name=form.name,
            password=form.password,
            repeated=form.repeated,
            address=address,
            limit=request.app.state.settings.signups_per_hour,
            now=now,
        )
    except (InvalidInput, Conflict, TooManyAttempts) as exc:
        session.rollback()
        status = 429 if isinstance(exc, TooManyAttempts) else 422
        answer = page(
            request,
            "signup.html",
            ANONYMOUS,
            status_code=status,
            error=exc.message,
            field=exc.field,
            phone=form.phone[:20],
            name=form.name[:32],
        )
        if isinstance(exc, TooManyAttempts):
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    token = login_sessions.start(
        session, user=user, address=address, now=now, policy=request.app.state.session_policy
    )
    session.commit()
    response = RedirectResponse("/", status_code=303)
    set_cookie(
        request, response, SESSION_COOKIE, token, max_age=request.app.state.session_policy.hours * 3600
    )
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> Response:
    """Logging out ends every session and token of the user, on every device."""
    user = session.get(login_sessions.User, actor.user_id)
    if user is not None:
        login_sessions.log_out(session, user=user, now=now)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
