"""Throttles, kept in the database so that every server process counts the same attempts.

- Logins, per account: a few free failures, then each retry waits longer (doubling), then the account is
  locked — for `login_lock_minutes`, or until an administrator lifts it. While it waits or is locked even
  the right password is refused, or the delay would mean nothing.
- Logins and the public follow page, per client address: failures in a window, then a wait.
- Writes per API key (Open311, connectors): requests per minute.
Every limit is a setting (docs/settings.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govgrid.db.models import ThrottleCounter
from govgrid.domain.errors import InvalidInput, TooManyAttempts
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.services import audit

FOREVER = timedelta(days=365 * 100)  # a lock only an administrator lifts


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int = 3
    delay_seconds: int = 2
    max_delay_seconds: int = 300
    lock_failures: int = 10
    lock_minutes: int = 30  # 0: until an administrator unlocks
    address_failures: int = 30
    window_minutes: int = 15

    @classmethod
    def from_settings(cls, settings: Any) -> LoginPolicy:
        return cls(
            free_failures=settings.login_free_failures,
            delay_seconds=settings.login_delay_seconds,
            max_delay_seconds=settings.login_max_delay_seconds,
            lock_failures=settings.login_lock_failures,
            lock_minutes=settings.login_lock_minutes,
            address_failures=settings.login_address_failures,
            window_minutes=settings.throttle_window_minutes,
        )


def account_key(username: str) -> str:
    return f"login:user:{username.strip().lower()[:64]}"


def address_key(kind: str, address: str) -> str:
    return f"{kind}:addr:{address[:64]}"


def _wait(seconds: float, message: str) -> TooManyAttempts:
    return TooManyAttempts(message.format(seconds=math.ceil(seconds)), retry_after=math.ceil(seconds))


def check_login(session: Session, *, username: str, address: str, now: datetime, policy: LoginPolicy) -> None:
    """Refuse an attempt (before the password is checked) while the account waits or is locked, or the
    client address has failed too often in the window."""
    account = session.get(ThrottleCounter, account_key(username))
    if account is not None:
        if account.locked_until is not None and now < account.locked_until:
            if account.locked_until - now > FOREVER / 2:
                raise TooManyAttempts("该账号因多次密码错误已锁定，请联系系统管理员解锁", retry_after=3600)
            raise _wait(
                (account.locked_until - now).total_seconds(),
                "该账号因多次密码错误已锁定，请 {seconds} 秒后再试",
            )
        extra = account.count - policy.free_failures
        if extra >= 0 and account.locked_until is None:
            delay = min(policy.delay_seconds * 2**extra, policy.max_delay_seconds)
            ready = account.last_at + timedelta(seconds=delay)
            if now < ready:
                raise _wait((ready - now).total_seconds(), "密码错误次数较多，请 {seconds} 秒后再试")
    check_failures(
        session,
        key=address_key("login", address),
        limit=policy.address_failures,
        window=timedelta(minutes=policy.window_minutes),
        now=now,
        message="此地址登录失败次数过多，请 {seconds} 秒后再试",
    )


def record_login_failure(
    session: Session, *, username: str, address: str, now: datetime, policy: LoginPolicy
) -> bool:
    """Count a wrong password for the account and the address; True when this failure locks the account."""
    account = _bump(session, account_key(username), now, window=None)
    _bump(session, address_key("login", address), now, window=timedelta(minutes=policy.window_minutes))
    if account.count >= policy.lock_failures and account.locked_until is None:
        account.locked_until = now + (
            timedelta(minutes=policy.lock_minutes) if policy.lock_minutes else FOREVER
        )
        return True
    return False


def clear_account(session: Session, username: str) -> None:
    """A successful login (or an administrator's unlock) starts the account's count afresh."""
    found = session.get(ThrottleCounter, account_key(username))
    if found is not None:
        session.delete(found)


def unlock(session: Session, *, actor: Actor, username: str, now: datetime, scope_code: str | None) -> bool:
    """An administrator lifts an account's lock (audited). False when it was not locked."""
    authorize(actor, Action.MANAGE_PEOPLE)
    found = session.get(ThrottleCounter, account_key(username))
    was_locked = found is not None and found.locked_until is not None and found.locked_until > now
    clear_account(session, username)
    audit.record(
        session,
        actor=actor,
        action="user.unlock",
        entity_type="user",
        entity_id=username[:64],
        now=now,
        scope_code=scope_code,
        detail={"was_locked": was_locked},
    )
    session.commit()
    return was_locked


def check_failures(
    session: Session, *, key: str, limit: int, window: timedelta, now: datetime, message: str
) -> None:
    """Refuse while `key` has failed `limit` times in its current window."""
    found = session.get(ThrottleCounter, key)
    if found is not None and now - found.window_started_at < window and found.count >= limit:
        raise _wait((found.window_started_at + window - now).total_seconds(), message)


def record_failure(session: Session, *, key: str, window: timedelta, now: datetime) -> None:
    _bump(session, key, now, window=window)
    session.commit()


def hit_rate(
    session: Session,
    *,
    key: str,
    limit: int,
    now: datetime,
    window: timedelta = timedelta(minutes=1),
    message: str = "请求过于频繁：每分钟最多 {limit} 次，请 {seconds} 秒后再试",
) -> None:
    """Count one request for `key`; refuse the ones beyond `limit` in the window (they are not counted)."""
    check_failures(
        session, key=key, limit=limit, window=window, now=now, message=message.replace("{limit}", str(limit))
    )
    _bump(session, key, now, window=window)
    session.commit()


def _bump(session: Session, key: str, now: datetime, *, window: timedelta | None) -> ThrottleCounter:
    """Add one to a counter, starting a new window when the old one is over (None: never resets)."""
    if len(key) > 160:
        raise InvalidInput("计数键过长", field="key")
    found = session.get(ThrottleCounter, key)
    if found is None:
        try:
            with session.begin_nested():
                found = ThrottleCounter(key=key, count=1, window_started_at=now, last_at=now)
                session.add(found)
            return found
        except IntegrityError:  # another process made it first: count on theirs
            found = session.get(ThrottleCounter, key)
            assert found is not None
    if window is not None and now - found.window_started_at >= window:
        found.count, found.window_started_at, found.locked_until = 1, now, None
    else:
        session.execute(
            update(ThrottleCounter).where(ThrottleCounter.key == key).values(count=ThrottleCounter.count + 1)
        )
        session.refresh(found)
    found.last_at = now
    return found
