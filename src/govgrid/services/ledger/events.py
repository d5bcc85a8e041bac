"""The one writer of a ledger item's history (ledger_event): every kind of event — created, imported,
reported, a light turned, a rung taken, 销号 applied for, approved, refused or reopened, milestones and
plans — goes through `record_events`, one row per event, in the caller's transaction. A person's event is
audited with it; the sweeper's light changes and an import's rows are the history itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from govgrid.db.bulk import insert_many
from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.ledger_states import EventKind
from govgrid.domain.permissions import Actor
from govgrid.services import audit, chains

SYSTEM = "system:ledger"  # the name of the sweeper and of the recompute in the history
COLUMNS = ("item_id", "district_code", "at", "actor_name", "action", "note", "detail")


@dataclass(frozen=True)
class Event:
    item_id: int
    district_code: str
    kind: EventKind
    at: datetime
    actor_name: str
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        values = (self.item_id, self.district_code, self.at, self.actor_name, self.kind.value)
        return dict(zip(COLUMNS, (*values, self.note, self.detail), strict=True))


def record_events(session: Session, events: Sequence[Event]) -> None:
    """Append the events, each linked into its item's chain (the caller commits)."""
    rows = [event.row() for event in events]
    chains.link(session, LedgerEvent, rows)
    columns = (*COLUMNS, *chains.CHAIN_FIELDS)
    insert_many(session, LedgerEvent, columns, [[row[name] for name in columns] for row in rows])


def record_event(
    session: Session,
    item: LedgerItem,
    kind: EventKind,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    detail: dict[str, Any] | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> None:
    """A person's event on an item, with its audit row (action "ledger.<kind>")."""
    detail = detail or {}
    event = Event(item.id, item.district_code, kind, now, actor.name[:64], note, detail)
    record_events(session, [event])
    audit.record(
        session,
        actor=actor,
        action=f"ledger.{kind.value}",
        entity_type="ledger_item",
        entity_id=str(item.id),
        now=now,
        scope_code=item.area_code,
        detail=audit_detail if audit_detail is not None else detail,
    )
