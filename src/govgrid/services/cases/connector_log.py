"""The linked systems' log (/connectors): every push taken in through `take` is kept as received — taken, a
duplicate, or rejected with why — so each connector's health can be read (its last message, volume today
and this week, rejects, latency), and a rejected message can be replayed once its mapping is fixed: the
replay runs the same intake as a push (connectors.receive), so it files at most one case however often it
is replayed, and it is audited."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.connector_models import ConnectorMessage
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.worktime import CHINA
from govgrid.services import audit
from govgrid.services.cases import connector_keys, connectors
from govgrid.services.geo.locate import LocatorCache

TAKEN, DUPLICATE, REJECTED = "taken", "duplicate", "rejected"


def take(
    session: Session,
    *,
    actor: Actor,
    connector_id: str,
    payload: Any,
    rules: CaseRules,
    locator: LocatorCache,
    now: datetime,
) -> tuple[Case, bool]:
    """A push from an inbound system (connectors.receive), kept in the log either way; a refused one is
    kept with its reason before the refusal goes back to the sender."""
    _, case, is_new, refused = _run(session, actor, actor, connector_id, payload, rules, locator, now)
    session.commit()
    if refused is not None or case is None:
        raise refused or ValueError("intake returned no case")
    return case, is_new


def _run(
    session: Session,
    as_connector: Actor,
    logged_as: Actor,
    connector_id: str,
    payload: Any,
    rules: CaseRules,
    locator: LocatorCache,
    now: datetime,
    replay_of: int | None = None,
) -> tuple[ConnectorMessage, Case | None, bool, InvalidInput | None]:
    """Run one message through intake as its connector and log the outcome (the caller commits)."""
    started = time.perf_counter()
    try:
        case, is_new = connectors.receive(
            session,
            actor=as_connector,
            connector_id=connector_id,
            payload=payload,
            rules=rules,
            locator=locator,
            now=now,
        )
    except InvalidInput as exc:
        session.rollback()
        row = _keep(
            session,
            logged_as,
            connector_id,
            payload,
            REJECTED,
            now,
            started,
            reason=exc.message,
            field=exc.field,
            replay_of=replay_of,
        )
        return row, None, False, exc
    row = _keep(
        session,
        logged_as,
        connector_id,
        payload,
        TAKEN if is_new else DUPLICATE,
        now,
        started,
        case_id=case.id,
        replay_of=replay_of,
    )
    return row, case, is_new, None


def _keep(
    session: Session,
    actor: Actor,
    connector_id: str,
    payload: Any,
    outcome: str,
    now: datetime,
    started: float,
    *,
    reason: str = "",
    field: str | None = None,
    case_id: int | None = None,
    replay_of: int | None = None,
) -> ConnectorMessage:
    row = ConnectorMessage(
        district_code=(actor.scope_code or "000000")[:6],
        connector_id=connector_id,
        received_at=now,
        outcome=outcome,
        reason=reason[:2000],
        field=(field or None) and field[:64],
        payload=payload,
        case_id=case_id,
        millis=round((time.perf_counter() - started) * 1000, 3),
        replay_of=replay_of,
        actor_name=actor.name[:64],
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Health:
    connector_id: str
    name: str
    last_at: datetime | None
    today: int
    week: int
    rejected_today: int
    rejected_week: int
    waiting: int  # rejected and not yet replayed into a case
    millis_p50: float | None  # today's handling time, middle value
    millis_max: float | None


def health(session: Session, *, actor: Actor, rules: CaseRules, now: datetime) -> list[Health]:
    authorize(actor, Action.MANAGE_CONNECTORS)
    today = datetime.combine(now.astimezone(CHINA).date(), datetime.min.time(), CHINA)
    week = today - timedelta(days=6)
    found = []
    for cid, connector in rules.connectors.items():
        rows = session.execute(
            select(ConnectorMessage.received_at, ConnectorMessage.outcome, ConnectorMessage.millis)
            .where(ConnectorMessage.connector_id == cid, ConnectorMessage.received_at >= week)
            .where(ConnectorMessage.replay_of.is_(None))
        ).all()
        last = session.scalar(
            select(func.max(ConnectorMessage.received_at)).where(ConnectorMessage.connector_id == cid)
        )
        todays = [r for r in rows if r.received_at >= today]
        times = sorted(r.millis for r in todays)
        found.append(
            Health(
                connector_id=cid,
                name=connector.name,
                last_at=last,
                today=len(todays),
                week=len(rows),
                rejected_today=sum(1 for r in todays if r.outcome == REJECTED),
                rejected_week=sum(1 for r in rows if r.outcome == REJECTED),
                waiting=len(waiting(session, connector_id=cid)),
                millis_p50=times[len(times) // 2] if times else None,
                millis_max=times[-1] if times else None,
            )
        )
    return found


def waiting(session: Session, *, connector_id: str | None = None, limit: int = 200) -> list[ConnectorMessage]:
    """Rejected messages no replay has yet filed (newest first)."""
    filed = select(ConnectorMessage.replay_of).where(
        ConnectorMessage.replay_of.is_not(None), ConnectorMessage.outcome != REJECTED
    )
    query = select(ConnectorMessage).where(
        ConnectorMessage.outcome == REJECTED,
        ConnectorMessage.replay_of.is_(None),
        ConnectorMessage.id.not_in(filed),
    )
    if connector_id is not None:
        query = query.where(ConnectorMessage.connector_id == connector_id)
    return list(session.scalars(query.order_by(ConnectorMessage.id.desc()).limit(limit)))


def replays_of(session: Session, message_id: int) -> list[ConnectorMessage]:
    return list(
        session.scalars(
            select(ConnectorMessage)
            .where(ConnectorMessage.replay_of == message_id)
            .order_by(ConnectorMessage.id)
        )
    )


def replay(
    session: Session, *, actor: Actor, message_id: int, rules: CaseRules, locator: LocatorCache, now: datetime
) -> ConnectorMessage:
    """Run a rejected message through intake again, under the catalogue as it is now (its mapping fixed):
    as its connector, audited under the administrator. A message already filed gives its case again."""
    authorize(actor, Action.MANAGE_CONNECTORS)
    message = session.scalar(select(ConnectorMessage).where(ConnectorMessage.id == message_id))
    if message is None or message.outcome != REJECTED or message.replay_of is not None:
        raise NotFound(f"没有被拒收的消息 #{message_id}")
    connector = connectors.known(rules, message.connector_id)
    as_connector = connector_keys.connector_actor(connector.id, message.district_code)
    row, _, _, refused = _run(
        session, as_connector, actor, connector.id, message.payload, rules, locator, now, replay_of=message_id
    )
    outcome: dict[str, Any] = {"outcome": row.outcome}
    outcome.update({"reason": refused.message} if refused else {"case_id": row.case_id})
    audit.record(
        session,
        actor=actor,
        action="connector.replay",
        entity_type="connector_message",
        entity_id=str(message_id),
        now=now,
        detail={"connector": connector.id, **outcome},
    )
    session.commit()
    return row
