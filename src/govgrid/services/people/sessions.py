"""Logins kept on the server. The browser holds a random token; the server keeps its hash, the user, the
CSRF token and when the login ends. Logout, a password change and disabling a user end every session
and every API token of that user at once (the user's `auth_generation` moves on)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import LoginSession, User
from govgrid.domain.errors import NotAuthenticated
from govgrid.domain.permissions import Actor
from govgrid.services import audit
from govgrid.services.people import accounts as people
from govgrid.services.people import throttle

TOUCH_INTERVAL = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    hours: int = 8
    idle_minutes: int = 120


def start(session: Session, *, user: User, address: str, now: datetime, policy: SessionPolicy) -> str:
    """A new login for the user; returns the cookie's token (shown to the browser only)."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            district_code=(user.scope_code or "000000")[:6],
            token_hash=digest(token),
            user_id=user.id,
            generation=user.auth_generation,
            csrf_token=secrets.token_urlsafe(24),
            client_address=address[:64],
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=policy.hours),
        )
    )
    return token


def find(
    session: Session, *, token: str, now: datetime, policy: SessionPolicy
) -> tuple[LoginSession, User] | None:
    """The live login behind a cookie token, or None (ended, expired, idle too long, the user disabled or
    their sessions ended since)."""
    found = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == digest(token))
    ).first()
    if found is None:
        return None
    login, user = found
    idle = now - login.last_seen_at > timedelta(minutes=policy.idle_minutes)
    if (
        login.ended_at is not None
        or now >= login.expires_at
        or idle
        or not user.is_active
        or login.generation != user.auth_generation
    ):
        return None
    if now - login.last_seen_at > TOUCH_INTERVAL:
        login.last_seen_at = now  # at most once a minute, so reading pages does not write on every request
        session.commit()
    return login, user


def log_in(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime,
    login_policy: throttle.LoginPolicy,
    policy: SessionPolicy,
) -> tuple[User, str]:
    """Check the password under the login throttle and start a session. Every failure is audited, with the
    client address; an attempt refused by the throttle is not even checked."""
    name = username.strip()[:64]
    throttle.check_login(session, username=name, address=address, now=now, policy=login_policy)
    try:
        user = people.authenticate(session, username=name, password=password)
    except NotAuthenticated:
        locked = throttle.record_login_failure(
            session, username=name, address=address, now=now, policy=login_policy
        )
        known = session.scalar(select(User).where(User.username == name))
        audit.record(
            session,
            actor=Actor(user_id=None, username="anonymous", role=None),
            action="session.login_failed",
            entity_type="user",
            entity_id=name or "-",
            now=now,
            scope_code=known.scope_code if known else None,
            detail={"address": address[:64], "locked": locked},
        )
        session.commit()
        raise
    throttle.clear_account(session, name)
    token = start(session, user=user, address=address, now=now, policy=policy)
    audit.record(
        session,
        actor=people.actor_for(user),
        action="session.login",
        entity_type="user",
        entity_id=user.username,
        now=now,
        scope_code=user.scope_code,
        detail={"address": address[:64]},
    )
    session.commit()
    return user, token


def log_out(session: Session, *, user: User, now: datetime) -> None:
    """Logging out ends every session and token of the user (all devices)."""
    people.end_all(session, user=user, actor=people.actor_for(user), now=now, reason="logout")
    session.commit()
