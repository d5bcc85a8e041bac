"""Retention of the audit log (等保 level 3: at least six months, `GOVGRID_AUDIT_RETENTION_DAYS`): the worker
removes the audit rows of an object none of whose rows is younger than the retention — its whole chain, so
every chain that stays is whole — and only rows a daily anchor made before the cutoff sealed. A `pruned`
marker in chain_anchor tells `audit verify` that the anchors up to it cover removed rows; the anchors after
it, and every remaining chain, still verify. The removal is itself audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select, tuple_
from sqlalchemy.orm import Session

from govgrid.db.models import AuditEvent, ChainAnchor
from govgrid.domain.chain import GENESIS
from govgrid.domain.permissions import SYSTEM
from govgrid.services import audit

PRUNED = "audit_event:pruned"  # chain_anchor.table_name of a removal marker
BATCH = 5_000  # chains removed per round


def prune(session: Session, *, now: datetime, retention_days: int) -> int:
    """Remove what is past its retention; the rows removed. Commits."""
    cutoff = now - timedelta(days=retention_days)
    removed = 0
    sealed = session.execute(
        select(ChainAnchor.district_code, func.max(ChainAnchor.upto_id))
        .where(ChainAnchor.table_name == "audit_event", ChainAnchor.made_at < cutoff)
        .group_by(ChainAnchor.district_code)
    ).all()
    for district, upto in sealed:
        a = AuditEvent
        chains = session.execute(
            select(a.entity_type, a.entity_id)
            .where(a.district_code == district)
            .group_by(a.entity_type, a.entity_id)
            .having(and_(func.max(a.at) < cutoff, func.max(a.id) <= upto))
            .limit(BATCH)
        ).all()
        if not chains:
            continue
        for start in range(0, len(chains), 300):
            keys = [tuple(c) for c in chains[start : start + 300]]
            done = session.execute(
                delete(a).where(a.district_code == district, tuple_(a.entity_type, a.entity_id).in_(keys))
            )
            removed += done.rowcount  # type: ignore[attr-defined]
        marker = session.scalars(
            select(ChainAnchor).where(ChainAnchor.district_code == district, ChainAnchor.table_name == PRUNED)
        ).first()
        if marker is None:
            marker = ChainAnchor(district_code=district, table_name=PRUNED, upto_id=upto, rows=0, made_at=now)
            marker.prev_hash = marker.anchor_hash = GENESIS
            session.add(marker)
        marker.upto_id, marker.rows, marker.made_at = max(marker.upto_id, upto), marker.rows + removed, now
        audit.record(
            session, actor=SYSTEM, action="audit.prune", entity_type="audit_log", entity_id=district, now=now,
            scope_code=district, detail={"chains": len(chains), "rows": removed, "before": cutoff.isoformat()},
        )  # fmt: skip
        session.commit()
    return removed


def pruned_upto(session: Session, district: str) -> int:
    """Anchors of the district's audit log up to this id cover rows removed by retention (0: none)."""
    found = session.scalar(
        select(ChainAnchor.upto_id).where(
            ChainAnchor.district_code == district, ChainAnchor.table_name == PRUNED
        )
    )
    return int(found or 0)
