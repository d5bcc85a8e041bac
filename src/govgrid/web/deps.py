"""Request dependencies: the database session, the clock, the client's address, and who is acting (an API
token, or a login kept on the server behind an opaque cookie), with CSRF for cookie-authenticated writes."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import Session

from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import Forbidden, NotAuthenticated
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.permissions import ANONYMOUS, Actor
from govgrid.services.people import accounts as people
from govgrid.services.people import sessions as login_sessions

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "govgrid_session"
PRE_COOKIE = "govgrid_pre"  # before login: the login form's CSRF token is derived from it


def get_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        request.app.state.calendar_sync.refresh(session)  # at most every 30 s: a year entered elsewhere
        yield session
    finally:
        session.close()


def get_read_session(request: Request) -> Iterator[Session]:
    """A session for reads that may lag a little (GOVGRID_READ_DATABASE_URL: a streaming replica)."""
    session = request.app.state.read_session_factory()
    try:
        yield session
    finally:
        session.close()


def get_now(request: Request) -> datetime:
    return request.app.state.clock()


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def trusted_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """GOVGRID_TRUSTED_PROXIES parsed (a bad entry stops start-up, naming it)."""
    found = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"GOVGRID_TRUSTED_PROXIES 中的“{part}”不是 IP 地址或网段") from None
    return found


def _is_trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request) -> str:
    """The client's address: the connection's, unless it comes from a trusted proxy, in which case the last
    address in X-Forwarded-For that is not itself a trusted proxy (the one the proxies saw)."""
    peer = request.client.host if request.client else ""
    networks = request.app.state.trusted_proxies
    if not networks or not _is_trusted(peer, networks):
        return peer[:64]
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return peer[:64]


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
    token = request.cookies.get(SESSION_COOKIE)
    found = (
        login_sessions.find(session, token=token, now=now, policy=request.app.state.session_policy)
        if token
        else None
    )
    if found is None:
        return ANONYMOUS
    # the login's CSRF token as plain text: an error page drawn after a rollback must not reload it
    request.state.login_csrf = str(found[0].csrf_token)
    if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        verify_csrf(request, request.headers.get(CSRF_HEADER))
    return people.actor_for(found[1])


def _pre_csrf(request: Request, pre: str) -> str:
    key = request.app.state.secret_key.encode("utf-8")
    return hmac.new(key, f"csrf:{pre}".encode(), hashlib.sha256).hexdigest()[:40]


def csrf_token(request: Request) -> str:
    """The CSRF token forms carry: the login's own, or — before login — one derived from a random cookie."""
    login_csrf = getattr(request.state, "login_csrf", None)
    if login_csrf is not None:
        return str(login_csrf)
    pre = request.cookies.get(PRE_COOKIE) or getattr(request.state, "new_pre", None)
    if not pre:
        pre = request.state.new_pre = secrets.token_urlsafe(24)
    return _pre_csrf(request, pre)


def verify_csrf(request: Request, given: object) -> None:
    """A write made with a cookie must carry the matching CSRF token (header or form field)."""
    login_csrf = getattr(request.state, "login_csrf", None)
    pre = request.cookies.get(PRE_COOKIE)
    expected = login_csrf if login_csrf is not None else (_pre_csrf(request, pre) if pre else "")
    if not (expected and isinstance(given, str) and secrets.compare_digest(expected, given)):
        raise Forbidden("缺少或错误的 CSRF 令牌（请刷新页面后重试）", field="csrf_token")


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )


def remember_pre_cookie(request: Request, response: Response) -> None:
    """Send the pre-login cookie a page's CSRF token was derived from (only when it was just made)."""
    pre = getattr(request.state, "new_pre", None)
    if pre:
        set_cookie(request, response, PRE_COOKIE, pre, max_age=None)


def limit_reports(request: Request, session: Session, actor: Actor, now: datetime) -> None:
    """How many new reports one person may file a minute, whichever way they come (the JSON API, the report
    page, Open311 with any of their keys): GOVGRID_REPORTS_PER_MINUTE. Checked before a report; counted by
    `count_report` once a new case exists (a retry is not counted). A connector has its own limit."""
    from datetime import timedelta

    from govgrid.services.people import throttle

    if actor.user_id is not None:
        limit = request.app.state.settings.reports_per_minute
        throttle.check_failures(
            session,
            key=f"report:user:{actor.user_id}",
            limit=limit,
            window=timedelta(minutes=1),
            now=now,
            message=f"上报过于频繁：每人每分钟最多 {limit} 件，请 {{seconds}} 秒后再试",
        )


def count_report(session: Session, actor: Actor, now: datetime) -> None:
    from datetime import timedelta

    from govgrid.services.people import throttle

    if actor.user_id is not None:
        throttle.record_failure(
            session, key=f"report:user:{actor.user_id}", window=timedelta(minutes=1), now=now
        )


def require_login(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    if actor.is_anonymous:
        raise NotAuthenticated("请先登录")
    return actor


def get_case_rules(request: Request) -> CaseRules:
    return request.app.state.case_rules  # loaded and checked at start-up


def get_ledger_rules(request: Request) -> LedgerRules:
    return request.app.state.ledger_rules


CaseRulesDep = Annotated[CaseRules, Depends(get_case_rules)]
LedgerRulesDep = Annotated[LedgerRules, Depends(get_ledger_rules)]
ActorDep = Annotated[Actor, Depends(get_actor)]
LoggedInDep = Annotated[Actor, Depends(require_login)]
AddressDep = Annotated[str, Depends(client_address)]
# the coordinate system a map speaks (its tiles'): the stored GCJ-02, or WGS-84 (天地图), BD-09
CrsQuery = Annotated[
    str, Query(max_length=16, description="坐标系：gcj02（默认，存储）、wgs84（天地图）或 bd09")
]


async def page_csrf(request: Request, actor: ActorDep) -> None:
    """The one CSRF check of the pages (a dependency of their router, so every page POST has it): a form
    sent with the login cookie — or the pre-login cookie of the login form — carries its token in the field
    `csrf_token` (or, from a script, the X-CSRF-Token header). A bearer token is no ambient credential and
    needs none."""
    if request.method in SAFE_METHODS or bearer_secret(request):
        return
    kind = request.headers.get("content-type", "")
    is_form = kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
    given = (await request.form()).get("csrf_token") if is_form else None
    verify_csrf(request, given if given is not None else request.headers.get(CSRF_HEADER))
