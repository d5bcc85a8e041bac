"""我的账号: everyone sees their own record, changes their own password (services.people.own_account) and
manages their own API tokens (services.people.accounts): a new token's secret is shown once, never kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from govgrid.db.models import OrgUnit, User
from govgrid.domain.errors import InvalidInput, TooManyAttempts
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import ROLE_LABEL, Role
from govgrid.services.geo import geography
from govgrid.services.people import accounts, own_account
from govgrid.web.deps import SESSION_COOKIE, AddressDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.params import IdPath

router = APIRouter()


class PasswordForm(BaseModel):
    current: Annotated[str, Field(max_length=256)] = ""
    new: Annotated[str, Field(max_length=256)] = ""
    repeated: Annotated[str, Field(max_length=256)] = ""


class TokenForm(BaseModel):
    name: Annotated[str, Field(max_length=64)] = ""
    days: int = Field(90, ge=1, le=3650)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    return _page(request, session, actor)


@router.post("/account/password")
def change_password(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    address: AddressDep,
    form: Annotated[PasswordForm, Form()],
) -> Response:
    try:
        own_account.change_password(
            session,
            actor=actor,
            current=form.current,
            new=form.new,
            repeated=form.repeated,
            address=address,
            policy=request.app.state.login_policy,
            now=now,
        )
    except (InvalidInput, TooManyAttempts) as exc:
        session.rollback()
        status = 429 if isinstance(exc, TooManyAttempts) else 422
        return _page(request, session, actor, status=status, error=exc.message, field=exc.field)
    # every session ended with the old password, this one too: log in again with the new one
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/account/tokens")
def issue_token(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[TokenForm, Form()],
) -> Response:
    secret = accounts.issue_token(session, actor=actor, name=form.name.strip(), now=now, days=form.days)
    answer = _page(request, session, actor, new_token=secret)
    answer.headers["Cache-Control"] = "no-store"  # the secret is shown once: never kept by a cache
    return answer


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Response:
    accounts.revoke_token(session, actor=actor, token_id=token_id, now=now)
    return RedirectResponse("/account", status_code=303)


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
    new_token: str | None = None,
) -> Response:
    user = session.get(User, actor.user_id) if actor.user_id else None
    unit = session.get(OrgUnit, user.unit_id) if user and user.unit_id else None
    scope = geography.area_names(session, {user.scope_code}) if user and user.scope_code else {}
    return page(
        request,
        "account.html",
        actor,
        status_code=status,
        user=user,
        role_name=ROLE_LABEL.get(Role(user.role), user.role) if user else "",
        unit=unit,
        scope_name=scope.get(user.scope_code or "", "") if user else "",
        tokens=own_account.own_tokens(session, actor=actor),
        error=error,
        field=field,
        new_token=new_token,
    )
