"""Staged imports. A long import writes its rows in short transactions (so the SQLite write lock is never
held for long, and other requests go on), into a batch no reader sees; one short final step makes the batch
live; a failed batch is dropped, and one a crash abandoned is dropped by the worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import (
    LedgerEvent,
    LedgerInvestment,
    LedgerItem,
    LedgerMilestone,
    ProgressReport,
    ReportEvidence,
)
from govgrid.db.models import ImportBatch


class BatchState(StrEnum):
    STAGED = "staged"  # rows written, seen by no reader
    LIVE = "live"  # made visible in one step
    DROPPED = "dropped"  # failed, or abandoned by a crash


ABANDONED_AFTER = timedelta(minutes=30)  # no chunk written for this long: the importer died


def start(
    session: Session,
    *,
    kind: str,
    district_code: str,
    filename: str,
    actor_name: str,
    rows: int,
    now: datetime,
) -> int:
    batch = ImportBatch(
        district_code=district_code[:6],
        kind=kind,
        state=BatchState.STAGED,
        filename=filename[:200],
        actor_name=actor_name[:64],
        rows=rows,
        started_at=now,
        touched_at=now,
    )
    session.add(batch)
    session.commit()
    return batch.id


def touch(session: Session, batch_id: int, now: datetime) -> None:
    """Mark the batch alive (with the chunk the caller is about to commit)."""
    session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(touched_at=now))


def make_live(
    session: Session,
    batch_id: int,
    now: datetime,
    *,
    before: Callable[[], None] = lambda: None,
    after: Callable[[], None] = lambda: None,
) -> None:
    """The one short step that makes a staged ledger batch visible: `before` may still refuse it, `after`
    adds to the same transaction (the audit row)."""
    before()
    session.execute(update(LedgerItem).where(LedgerItem.batch_id == batch_id).values(batch_id=None))
    session.execute(
        update(ImportBatch).where(ImportBatch.id == batch_id).values(state=BatchState.LIVE, finished_at=now)
    )
    after()
    session.commit()


def drop(session: Session, batch_id: int, now: datetime) -> None:
    """Delete everything a batch staged, children first, in short transactions."""
    session.rollback()
    while True:
        # newest first: an item's children were inserted after it, so they are gone before it (or go with it)
        ids = list(
            session.scalars(
                select(LedgerItem.id)
                .where(LedgerItem.batch_id == batch_id)
                .order_by(LedgerItem.id.desc())
                .limit(2000)
            )
        )
        if not ids:
            break
        reports = select(ProgressReport.id).where(ProgressReport.item_id.in_(ids))
        session.execute(delete(ReportEvidence).where(ReportEvidence.report_id.in_(reports)))
        session.execute(delete(ProgressReport).where(ProgressReport.item_id.in_(ids)))
        for table in (LedgerEvent, LedgerInvestment, LedgerMilestone):
            session.execute(delete(table).where(table.item_id.in_(ids)))
        # children before parents: a chunk deletes the deepest rows it holds first
        remaining = set(ids)
        while remaining:
            parents = set(
                session.scalars(select(LedgerItem.parent_id).where(LedgerItem.parent_id.in_(remaining)))
            )
            leaves = remaining - parents
            session.execute(delete(LedgerItem).where(LedgerItem.id.in_(leaves)))
            remaining -= leaves
        session.commit()
    session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .values(state=BatchState.DROPPED, finished_at=now)
    )
    session.commit()


def drop_abandoned_once(session: Session, *, now: datetime) -> bool:
    """Drop one staged batch whose importer has not written for ABANDONED_AFTER (a crash). False: none."""
    stale = session.scalar(
        select(ImportBatch.id)
        .where(ImportBatch.state == BatchState.STAGED, ImportBatch.touched_at < now - ABANDONED_AFTER)
        .limit(1)
    )
    if stale is None:
        return False
    drop(session, stale, now)
    return True
