"""市民注册: a citizen opens their own account with a mainland mobile number and a password, so that
they can report on the web and find their reports again. Throttled per client address (a few accounts an
hour from one address, every attempt counted, so numbers cannot be probed or accounts mass-made), and
audited as the new citizen's own act. Staff accounts are only ever made by an administrator."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import User
from govgrid.domain.case_fields import is_mobile
from govgrid.domain.errors import Conflict, InvalidInput
from govgrid.domain.roles import Role
from govgrid.domain.text import check_chars
from govgrid.services import audit
from govgrid.services.people import accounts, throttle

SIGNUP_WINDOW = timedelta(hours=1)


def sign_up(
    session: Session,
    *,
    phone: str,
    name: str,
    password: str,
    repeated: str,
    address: str,
    limit: int,
    now: datetime,
) -> User:
    """The new citizen's account (its user name is the phone number). Every attempt from the address
    counts against `limit` an hour, successful or not."""
    throttle.hit_rate(
        session,
        key=throttle.address_key("signup", address),
        limit=limit,
        window=SIGNUP_WINDOW,
        now=now,
        message="注册过于频繁：同一网络每小时最多注册 {limit} 次，请 {seconds} 秒后再试",
    )
    phone = phone.strip()
    if not is_mobile(phone):
        raise InvalidInput(f"手机号“{phone[:20]}”无效：须为 11 位手机号码", field="phone")
    name = check_chars(name.strip(), "name")
    if len(name) > 32:
        raise InvalidInput("称呼不超过 32 个字", field="name")
    accounts.check_password(password)  # add_user takes an empty one as "no password": refuse it first
    if password != repeated:
        raise InvalidInput("两次输入的密码不一致", field="repeated")
    if session.scalar(select(User.id).where(User.username == phone)) is not None:
        raise Conflict("该手机号已注册：请直接登录", field="phone")
    user = accounts.add_user(
        session,
        username=phone,
        display_name=name or f"市民{phone[-4:]}",
        role=Role.CITIZEN,
        unit_code=None,
        scope_code=None,
        phone=phone,
        password=password,
        now=now,
    )
    audit.record(
        session,
        actor=accounts.actor_for(user),
        action="user.signup",
        entity_type="user",
        entity_id=user.username,
        now=now,
        scope_code=None,
        detail={"role": Role.CITIZEN.value},
    )
    session.commit()
    return user
