"""我的账号: a person changes their own password, after giving the current one. A wrong current password
counts as a failed login of the account (the same waits and lock), so a borrowed session cannot be used to
guess it; a new password ends every session and token of the person (services.people.accounts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import ApiToken
from govgrid.domain.errors import InvalidInput, NotAuthenticated
from govgrid.domain.permissions import Actor
from govgrid.services.people import accounts, throttle


def change_password(
    session: Session,
    *,
    actor: Actor,
    current: str,
    new: str,
    repeated: str,
    address: str,
    policy: throttle.LoginPolicy,
    now: datetime,
) -> None:
    if actor.user_id is None:
        raise NotAuthenticated("请先登录")
    throttle.check_login(session, username=actor.username, address=address, now=now, policy=policy)
    try:
        accounts.authenticate(session, username=actor.username, password=current)
    except NotAuthenticated:
        throttle.record_login_failure(
            session, username=actor.username, address=address, now=now, policy=policy
        )
        session.commit()
        raise InvalidInput("当前密码不正确", field="current") from None
    if new != repeated:
        raise InvalidInput("两次输入的新密码不一致", field="repeated")
    if new == current:
        raise InvalidInput("新密码不能与当前密码相同", field="new")
    accounts.store_own_password(session, actor=actor, password=new, now=now)


def own_tokens(session: Session, *, actor: Actor) -> list[ApiToken]:
    """The person's own API tokens, newest first (their secrets are never kept: only names and dates)."""
    if actor.user_id is None:
        return []
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
        )
    )
