"""People and units: users with roles and data scopes, passwords (argon2), API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from govgrid.db.models import ApiToken, LoginSession, OrgUnit, User
from govgrid.db.paging import fetch_page
from govgrid.domain.areas import level_of
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Action, Actor, authorize, scope_filter
from govgrid.domain.roles import ADMINISTRATORS, Role
from govgrid.domain.text import check_chars, required
from govgrid.services import audit

_hasher = PasswordHasher()
TOKEN_PREFIX = "ggt_"
MIN_PASSWORD = 8
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        scope_code=user.scope_code,
        unit_id=user.unit_id,
        display_name=user.display_name or "",
    )


def check_password(password: str) -> str:
    """What any new password must be (an administrator's, a person's own, a citizen's sign-up)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位", field="password")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role,
    now: datetime,
    unit_code: str | None = None,
    scope_code: str | None = None,
    phone: str = "",
    password: str | None = None,
) -> User:
    """Only the security administrator creates accounts; every staff account has a data scope (an area
    code). The three administrators' accounts are made at the console only (三员分立)."""
    authorize(actor, Action.MANAGE_PEOPLE)
    _console_only(actor, role)
    user = add_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        unit_code=unit_code,
        scope_code=scope_code,
        phone=phone,
        password=password,
        now=now,
    )
    audit.record(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=username,
        now=now,
        scope_code=user.scope_code,
        detail={"role": role.value},
    )
    session.commit()
    return user


def add_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    unit_code: str | None,
    scope_code: str | None,
    phone: str,
    password: str | None,
    now: datetime,
) -> User:
    username = required(username, "username", "用户名")
    if len(username) > 64:
        raise InvalidInput("用户名不能为空且不超过 64 个字符", field="username")
    for name, value in (("display_name", display_name), ("phone", phone)):
        check_chars(value or "", name)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名“{username}”已存在", field="username")
    if role is not Role.CITIZEN:
        if not scope_code:
            raise InvalidInput(f"角色 {role.value} 须指定数据范围（区划代码）", field="scope_code")
        level_of(scope_code)
    unit = None
    if unit_code:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            raise InvalidInput(f"单位“{unit_code}”不存在", field="unit_code")
    if role is Role.CONNECTOR:
        raise InvalidInput("外部系统使用连接器密钥（govgrid connectors key），不能建为账号", field="role")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role.value,
        unit_id=unit.id if unit else None,
        scope_code=scope_code,
        phone=phone,
        created_at=now,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, username: str, password: str) -> User:
    """The user whose password matches; one vague answer for every failure (no account probing)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active or not user.password_hash:
        _hasher.hash(password)  # spend the same time as a real check
        raise NotAuthenticated("用户名或密码错误")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("用户名或密码错误") from None
    return user


def set_password(session: Session, *, actor: Actor, username: str, password: str, now: datetime) -> None:
    """An administrator resets anyone's password (people change their own through
    services.people.own_account, which first checks the current one). Every session and token of the user
    ends (a stolen cookie or token dies with the old password)."""
    authorize(actor, Action.MANAGE_PEOPLE)
    user = _user_by_name(session, username)
    _console_only(actor, Role(user.role))
    _replace_password(session, actor=actor, user=user, password=password, now=now)


def _console_only(actor: Actor, role: Role) -> None:
    """三员分立: no administrator's account is made, reset or disabled from the web — not even by the
    security administrator, who could otherwise take over the auditor's account and clean the log."""
    if role in ADMINISTRATORS and actor.user_id is not None:
        raise Forbidden("系统管理员、安全管理员、安全审计员的账号只能在服务器控制台创建和变更（三员分立）")


def store_own_password(session: Session, *, actor: Actor, password: str, now: datetime) -> None:
    """The person's own new password — only once their current one was checked (own_account)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotAuthenticated("请先登录")
    _replace_password(session, actor=actor, user=user, password=password, now=now)


def _replace_password(session: Session, *, actor: Actor, user: User, password: str, now: datetime) -> None:
    user.password_hash = hash_password(password)
    end_all(session, user=user, actor=actor, now=now, reason="password")
    audit.record(
        session,
        actor=actor,
        action="user.password",
        entity_type="user",
        entity_id=user.username,
        now=now,
        scope_code=user.scope_code,
    )
    session.commit()


def set_active(session: Session, *, actor: Actor, username: str, active: bool, now: datetime) -> User:
    """An administrator disables (every session and token ends) or enables an account."""

    authorize(actor, Action.MANAGE_PEOPLE)
    user = _user_by_name(session, username)
    if not active and user.id == actor.user_id:
        raise InvalidInput("不能停用自己的账号（请由另一位管理员操作）", field="active")
    _console_only(actor, Role(user.role))
    user.is_active = active
    if not active:
        end_all(session, user=user, actor=actor, now=now, reason="disabled")
    audit.record(
        session,
        actor=actor,
        action="user.enable" if active else "user.disable",
        entity_type="user",
        entity_id=user.username,
        now=now,
        scope_code=user.scope_code,
    )
    session.commit()
    return user


def _user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户“{username}”不存在", field="username")
    return user


def issue_token(session: Session, *, actor: Actor, name: str, now: datetime, days: int = 90) -> str:
    """A new bearer token for the actor's own integrations, valid `days`; the secret is shown once, only its
    hash is kept. It dies with the user's sessions (logout, a new password, disabling)."""
    authorize(actor, Action.MANAGE_OWN_TOKENS, owner_id=actor.user_id)
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotAuthenticated("请先登录")
    if not 1 <= days <= 3650:
        raise InvalidInput("令牌有效期须为 1–3650 天", field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=name[:64] or "token",
            token_hash=_digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
            generation=user.auth_generation,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="token.issue",
        entity_type="user",
        entity_id=actor.username,
        now=now,
        scope_code=actor.scope_code,
        detail={"name": name, "days": days},
    )
    session.commit()
    return secret


def revoke_token(session: Session, *, actor: Actor, token_id: int, now: datetime) -> None:
    """A token's owner revokes it; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("令牌不存在")
    authorize(actor, Action.MANAGE_OWN_TOKENS, owner_id=token.user_id)
    token.revoked_at = now
    audit.record(
        session,
        actor=actor,
        action="token.revoke",
        entity_type="api_token",
        entity_id=str(token_id),
        now=now,
        scope_code=actor.scope_code,
    )
    session.commit()


def user_for_token(session: Session, *, secret: str, now: datetime) -> User:
    """The active user behind a bearer token."""
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(secret))
    ).first()
    if found is None or found[0].revoked_at is not None:
        raise NotAuthenticated("令牌无效或已吊销")
    token, user = found
    if not user.is_active:
        raise NotAuthenticated("令牌所属账号已停用")
    if token.generation != user.auth_generation:
        raise NotAuthenticated("令牌已失效（账号已退出登录、改过密码或被停用），请重新签发")
    if token.expires_at is not None and now >= token.expires_at:
        raise NotAuthenticated("令牌已过期，请重新签发")
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now  # at most once a minute: a busy integration must not write on every call
        session.commit()
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def list_users(
    session: Session, *, actor: Actor, role: Role | None = None, paging: Paging = Paging(), text: str = ""
) -> Paged[User]:
    """A page of the people the actor may see (their own record, or everyone inside their area scope),
    optionally those whose name or account contains `text`."""
    narrowing = scope_filter(actor, Action.READ_PEOPLE)
    query = select(User).order_by(User.username, User.id)
    text = " ".join(text.split())[:64]
    if text:
        query = query.where(
            or_(
                User.username.icontains(text, autoescape=True),
                User.display_name.icontains(text, autoescape=True),
            )
        )
    if role is not None:
        query = query.where(User.role == role.value)
    if not narrowing.everything:
        clauses = [User.id == narrowing.owner_id]
        if narrowing.area_prefix:
            clauses.append(User.scope_code.startswith(narrowing.area_prefix))
        query = query.where(or_(*clauses))
    return fetch_page(session, query, paging)


def get_user(session: Session, *, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    authorize(actor, Action.READ_PEOPLE, area_code=user.scope_code, owner_id=user.id)
    return user


def list_units(session: Session, *, actor: Actor) -> list[OrgUnit]:
    """The directory of units (departments, streets, command center) — the same for every staff role."""
    scope_filter(actor, Action.READ_UNITS)
    return list(session.scalars(select(OrgUnit).order_by(OrgUnit.kind, OrgUnit.code)))


def end_all(session: Session, *, user: User, actor: Actor, now: datetime, reason: str) -> None:
    """End every session and token of the user (the caller commits): logout, a new password, disabling."""
    user.auth_generation += 1
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    audit.record(
        session,
        actor=actor,
        action="session.end_all",
        entity_type="user",
        entity_id=user.username,
        now=now,
        scope_code=user.scope_code,
        detail={"reason": reason},
    )
