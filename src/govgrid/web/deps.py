"""Request dependencies: the database session, the clock, and who is acting (token or login session)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from govgrid.domain.errors import Forbidden, NotAuthenticated
from govgrid.domain.permissions import ANONYMOUS, Actor
from govgrid.services import people

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "x-csrf-token"


def get_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        request.app.state.calendar_sync.refresh(session)  # at most every 30 s: a year entered elsewhere
        yield session
    finally:
        session.close()


def get_now(request: Request) -> datetime:
    return request.app.state.clock()


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def bearer_secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key") or None


def get_actor(request: Request, session: SessionDep, now: NowDep) -> Actor:
    """The token's user, else the logged-in user, else anonymous. Cookie-authenticated writes need CSRF."""
    secret = bearer_secret(request)
    if secret:
        return people.actor_for(people.user_for_token(session, secret=secret, now=now))
    user_id = request.session.get("user_id")
    if user_id is None:
        return ANONYMOUS
    user = session.get(people.User, user_id)
    if user is None or not user.is_active:
        request.session.clear()
        return ANONYMOUS
    if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        verify_csrf(request, request.headers.get(CSRF_HEADER))
    return people.actor_for(user)


def verify_csrf(request: Request, given: object) -> None:
    """A write made with a login cookie must carry the session's CSRF token (header or form field)."""
    expected = request.session.get("csrf")
    if not (expected and isinstance(given, str) and secrets.compare_digest(str(expected), given)):
        raise Forbidden("缺少或错误的 CSRF 令牌（请刷新页面后重试）", field="csrf_token")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def require_login(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    if actor.is_anonymous:
        raise NotAuthenticated("请先登录")
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
LoggedInDep = Annotated[Actor, Depends(require_login)]
