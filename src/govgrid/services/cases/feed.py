"""The case history read as a feed in commit order: what the live stream (web.api.stream) sends and replays.

A position is (txid, id) of the last history row taken. On SQLite one writer at a time holds the database,
so ids commit in order and txid is 0. On PostgreSQL ids are drawn before commit, so a smaller id can
commit after a larger one; each row carries its transaction's id (txid), and only rows of transactions
below the oldest one still running (pg_snapshot_xmin) are taken: every such transaction has committed or
never will, so ordered by (txid, id) no row is passed over and none comes twice. A row waits while an older
transaction is still open (a long import holds the feed back until it commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.case_fields import case_code

T = CaseTransition


@dataclass(frozen=True, order=True)
class Position:
    txid: int
    id: int

    def __str__(self) -> str:
        return f"{self.txid}-{self.id}"

    @classmethod
    def parse(cls, value: str | None) -> Position | None:
        """A Last-Event-ID as sent back by a browser; None when absent or not one of ours."""
        if not value or len(value) > 40:
            return None
        txid, _, row = value.partition("-")
        if not (txid.isdigit() and row.isdigit()):
            return None
        return cls(int(txid), int(row))


@dataclass(frozen=True)
class Change:
    """One history row with what a reader needs to decide who may see it and to draw it."""

    position: Position
    case_id: int
    code: str
    step: str
    status: str
    at: datetime
    lng: float | None
    lat: float | None
    class_code: str
    scope_code: str
    reporter_id: int | None
    unit_id: int | None


def head(session: Session) -> Position:
    """The position after every row committed so far: a new reader starts here."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        limit = snapshot_xmin(session)
        last = session.execute(
            select(T.txid, T.id).where(T.txid < limit).order_by(T.txid.desc(), T.id.desc()).limit(1)
        ).first()
        return Position(int(last[0] or 0), int(last[1])) if last else Position(0, 0)
    return Position(0, int(session.scalar(select(func.max(T.id))) or 0))


def beyond(session: Session, position: Position) -> tuple[ColumnElement[bool], tuple[Any, ...]]:
    """The history rows committed beyond `position`, as a condition and the commit order: for readers
    that select their own columns (the stream's `after`, the push outbox)."""
    if session.get_bind().dialect.name == "postgresql":
        later = or_(T.txid > position.txid, and_(T.txid == position.txid, T.id > position.id))
        return and_(later, T.txid < snapshot_xmin(session)), (T.txid, T.id)
    return T.id > position.id, (T.id,)


def position_of(session: Session, txid: int | None, row_id: int) -> Position:
    """A history row's position as `beyond` orders it (SQLite's txid is always 0)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    return Position(int(txid or 0) if postgres else 0, row_id)


def after(session: Session, position: Position, *, limit: int = 1_000) -> list[Change]:
    """Rows committed beyond `position`, in commit order, at most `limit`."""
    query = select(
        T.txid,
        T.id,
        T.case_id,
        T.step,
        T.to_status,
        T.at,
        Case.reported_at,
        Case.lng,
        Case.lat,
        Case.class_code,
        Case.scope_code,
        Case.reporter_id,
        Case.unit_id,
    ).join(Case, and_(Case.district_code == T.district_code, Case.id == T.case_id))
    later, order = beyond(session, position)
    return [
        Change(
            position=position_of(session, row.txid, row.id),
            case_id=row.case_id,
            code=case_code(row.reported_at, row.case_id),
            step=row.step,
            status=row.to_status,
            at=row.at,
            lng=row.lng,
            lat=row.lat,
            class_code=row.class_code,
            scope_code=row.scope_code,
            reporter_id=row.reporter_id,
            unit_id=row.unit_id,
        )
        for row in session.execute(query.where(later).order_by(*order).limit(limit))
    ]


def snapshot_xmin(session: Session) -> int:
    """PostgreSQL: the oldest transaction still running; every history row with a smaller txid has committed
    or never will (the feed's and the rollups' commit order)."""
    return int(session.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")))
