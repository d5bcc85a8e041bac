"""Connector keys: each inbound system authenticates as itself. A key is issued for one connector (its
secret shown once, only its SHA-256 kept), can expire and be revoked, and opens only that connector's
push endpoint; staff and citizen tokens are refused there."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import ConnectorKey
from govgrid.domain.case_rules import Connector
from govgrid.domain.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.roles import Role
from govgrid.domain.text import check_chars
from govgrid.services import audit
from govgrid.services.people import throttle
from govgrid.services.work_calendar import deployment_district

KEY_PREFIX = "ggc_"
TOUCH_INTERVAL = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_key(
    session: Session,
    *,
    actor: Actor,
    connectors: dict[str, Connector],
    connector_id: str,
    name: str,
    now: datetime,
    days: int | None = None,
    scope: str = "",
) -> tuple[ConnectorKey, str]:
    """A new key for a connector (administrators only); the secret is returned once and never stored. Its
    `scope`: a district of the deployment (the first when none is named), or a city's code — a city's
    12345 platform, whose orders stay with the city's center until it hands them to a district."""
    district = _key_scope(session, scope.strip())
    authorize(actor, Action.MANAGE_CONNECTORS, area_code=district)
    if connector_id not in connectors:
        raise NotFound(
            f"连接器“{connector_id[:32]}”不存在（可用：{'、'.join(connectors)}）", field="connector_id"
        )
    if days is not None and not 1 <= days <= 3650:
        raise InvalidInput("有效期须为 1–3650 天", field="days")
    label = check_chars(name.strip(), "name")[:64] or connectors[connector_id].name[:64]
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ConnectorKey(
        district_code=district,
        connector_id=connector_id,
        name=label,
        key_hash=_digest(secret),
        created_by=actor.username,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="connector.key_issue",
        entity_type="connector_key",
        entity_id=str(key.id),
        now=now,
        scope_code=district,
        detail={"connector": connector_id, "name": label, "days": days},
    )
    session.commit()
    return key, secret


def _key_scope(session: Session, scope: str) -> str:
    from govgrid.services.geo.geography import scope_area

    if not scope:
        return deployment_district(session)
    if len(scope) != 6 or scope_area(session, scope) is None:
        raise InvalidInput(f"“{scope[:15]}”不是本平台的区县代码或市级代码（如 370100）", field="scope")
    return scope


def revoke_key(session: Session, *, actor: Actor, key_id: int, now: datetime) -> ConnectorKey:
    """A revoked key stops working at once."""
    key = session.get(ConnectorKey, key_id)
    if key is None:
        raise NotFound(f"连接器密钥 {key_id} 不存在", field="key_id")
    authorize(actor, Action.MANAGE_CONNECTORS, area_code=key.district_code)
    if key.revoked_at is None:
        key.revoked_at = now
        audit.record(
            session,
            actor=actor,
            action="connector.key_revoke",
            entity_type="connector_key",
            entity_id=str(key.id),
            now=now,
            scope_code=key.district_code,
            detail={"connector": key.connector_id},
        )
        session.commit()
    return key


def list_keys(session: Session, *, actor: Actor) -> list[ConnectorKey]:
    authorize(actor, Action.MANAGE_CONNECTORS, area_code=deployment_district(session))
    return list(session.scalars(select(ConnectorKey).order_by(ConnectorKey.connector_id, ConnectorKey.id)))


def actor_for_key(
    session: Session, *, secret: str, connector_id: str, now: datetime, per_minute: int | None = None
) -> Actor:
    """The inbound system behind a key, for a push to `connector_id`: a key of another connector, a
    revoked or expired key, or a person's token are refused; beyond `per_minute` pushes a minute, 429."""
    if not secret.startswith(KEY_PREFIX):
        raise Forbidden("外部系统推送须使用连接器密钥（govgrid connectors key），不能使用个人令牌或登录会话")
    key = session.scalar(select(ConnectorKey).where(ConnectorKey.key_hash == _digest(secret)))
    if key is None or key.revoked_at is not None:
        raise NotAuthenticated("连接器密钥无效或已吊销")
    if key.expires_at is not None and now >= key.expires_at:
        raise NotAuthenticated("连接器密钥已过期，请重新签发")
    if key.connector_id != connector_id:
        raise Forbidden(f"此密钥属于连接器“{key.connector_id}”，不能向“{connector_id[:32]}”推送")
    if per_minute is not None:
        throttle.hit_rate(session, key=f"connector:key:{key.id}", limit=per_minute, now=now)
    if key.last_used_at is None or now - key.last_used_at > TOUCH_INTERVAL:
        key.last_used_at = now  # at most once a minute: a busy system must not write on every push
        session.commit()
    return connector_actor(key.connector_id, key.district_code)


def connector_actor(connector_id: str, district_code: str) -> Actor:
    """An inbound system acting (a push by its key, or an administrator's replay of its message)."""
    return Actor(
        user_id=None,
        username=f"connector:{connector_id}"[:64],
        role=Role.CONNECTOR,
        scope_code=district_code,
        source=connector_id,
    )
