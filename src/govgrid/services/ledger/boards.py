"""The ledger's boards of what is late: the supervisor's 督办看板 (red, then yellow tasks, the most overdue
first, with what the ladder last did on each) and a workspace's count of its own tasks by light."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.ledger import Light
from govgrid.domain.ledger_states import EventKind
from govgrid.domain.permissions import Actor
from govgrid.services.ledger.views import LedgerFilter, load_items, shown_ids, visible_rows


@dataclass
class LateRow:
    item: LedgerItem
    campaign: str
    last_rung_at: datetime | None
    last_rung_by: str


def late_board(session: Session, *, actor: Actor, limit: int = 500) -> list[LateRow]:
    """督办看板: red then yellow tasks (leaves) the actor may see, the most overdue first, with what the
    ladder last did on each."""
    late = set()
    for colour in (Light.RED.value, Light.YELLOW.value):
        matched, _ = shown_ids(session, actor=actor, wanted=LedgerFilter(light=colour))
        late |= matched
    parents = set(session.scalars(select(LedgerItem.parent_id).where(LedgerItem.parent_id.is_not(None))))
    leaves = [i for i in load_items(session, late - parents)] if late else []
    leaves.sort(
        key=lambda i: (
            i.light != Light.RED.value,
            i.deadline_at.timestamp() if i.deadline_at else float("inf"),
            i.id,
        )
    )
    leaves = leaves[:limit]
    roots = select(LedgerItem.id, LedgerItem.content).where(LedgerItem.parent_id.is_(None))
    names = {item_id: content for item_id, content in session.execute(roots)}
    rungs: dict[int, LedgerEvent] = {}
    for event in session.scalars(
        select(LedgerEvent)
        .where(LedgerEvent.action == EventKind.RUNG.value, LedgerEvent.item_id.in_([i.id for i in leaves]))
        .order_by(LedgerEvent.id)
    ):
        rungs[event.item_id] = event
    return [
        LateRow(
            item=i,
            campaign=names.get(i.campaign_id or 0, ""),
            last_rung_at=rungs[i.id].at if i.id in rungs else None,
            last_rung_by=rungs[i.id].actor_name if i.id in rungs else "",
        )
        for i in leaves
    ]


@dataclass
class Attention:
    counts: dict[str, int]  # the actor's tasks (leaves) by light
    late: list[LedgerItem]  # the red, then yellow, ones — most urgent first


def attention(session: Session, *, actor: Actor, limit: int = 8) -> Attention:
    """For a workspace: how the actor's tasks stand, and which need them first (red, then yellow). The
    counts are of tasks only, as the ledger page counts them with 只看任务 (tasks=1)."""
    found = visible_rows(session, actor, LedgerFilter(tasks_only=True))
    leaves = [found.rows[i] for i in found.matched]
    counts: dict[str, int] = defaultdict(int)
    for row in leaves:
        counts[row.light] += 1
    order = {Light.RED.value: 0, Light.YELLOW.value: 1}
    urgent = sorted((r for r in leaves if r.light in order), key=lambda r: (order[r.light], r.id))[:limit]
    items = {i.id: i for i in load_items(session, {r.id for r in urgent})} if urgent else {}
    return Attention(counts=dict(counts), late=[items[r.id] for r in urgent])
