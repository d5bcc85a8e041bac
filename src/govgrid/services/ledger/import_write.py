"""Writing a checked ledger import as a staged batch: items level by level and their milestones, reports,
investment months and import events in chunks of CHUNK rows, each chunk its own short transaction; lights
computed while still staged; then one short step makes the whole ledger live. If anything fails, the batch
is dropped and nothing of it remains. Rows have the shapes a person's 交办 and 填报 store (items.item_row,
reports.report_row); the events go through the history's one writer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerInvestment, LedgerItem, LedgerMilestone, ProgressReport
from govgrid.domain.areas import district_of
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.ledger_items import PATH_SEP, Unit
from govgrid.domain.ledger_states import EventKind
from govgrid.domain.permissions import Actor
from govgrid.services import audit, import_batches
from govgrid.services.ledger.events import Event, record_events
from govgrid.services.ledger.import_check import Plan, PlannedItem
from govgrid.services.ledger.items import item_row
from govgrid.services.ledger.lights import recompute
from govgrid.services.ledger.reports import report_row

CHUNK = 2000


@dataclass
class Written:
    campaigns: list[tuple[int, str]]  # (id, number)
    items: int


def write_staged(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    plan: Plan,
    units: dict[str, Unit],
    area_code: str,
    filename: str,
    now: datetime,
    progress: Callable[[str], None],
) -> Written:
    """Stage, compute, make live; on any failure drop the batch and re-raise."""
    batch = import_batches.start(
        session,
        kind="ledger",
        district_code=district_of(area_code),
        filename=filename,
        actor_name=actor.username,
        rows=len(plan.items),
        now=now,
    )
    try:
        district = district_of(area_code)
        ids, campaigns = _items(session, batch, plan.items, units, area_code, now, progress)
        milestones = _milestones(session, batch, plan, ids, district, now)
        _rows(
            session,
            batch,
            ProgressReport,
            [_report(row, ids, milestones, district, actor) for row in plan.reports],
            now,
        )
        _rows(
            session,
            batch,
            LedgerInvestment,
            [
                {
                    "item_id": ids[r["path"]],
                    "district_code": district,
                    "month": r["month"],
                    "planned": r["planned"] or 0.0,
                    "completed": r["completed"] or 0.0,
                }
                for r in plan.investment
            ],
            now,
        )
        for start in range(0, len(plan.items), CHUNK):
            chunk = plan.items[start : start + CHUNK]
            record_events(
                session,
                [
                    Event(
                        ids[p.path],
                        district,
                        EventKind.IMPORT,
                        now,
                        actor.name[:64],
                        f"由 {filename[:80]} 第{p.row}行导入",
                    )
                    for p in chunk
                ],
            )
            import_batches.touch(session, batch, now)
            session.commit()
        for number, (campaign_id, _) in enumerate(campaigns, start=1):
            progress(f"计算进度和预警灯 {number}/{len(campaigns)}")
            recompute(session, rules=rules, now=now, campaign_id=campaign_id)
        import_batches.make_live(
            session,
            batch,
            now,
            before=lambda: _still_free(session, campaigns),
            after=lambda: _audit(session, actor, plan, campaigns, area_code, filename, now),
        )
    except BaseException:
        import_batches.drop(session, batch, now)
        raise
    return Written(campaigns=campaigns, items=len(plan.items))


def _items(
    session: Session,
    batch: int,
    items: Sequence[PlannedItem],
    units: dict[str, Unit],
    area_code: str,
    now: datetime,
    progress: Callable[[str], None],
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Insert items parents first (level by level); path → id, and the new campaigns."""
    ids: dict[str, int] = {}
    campaign_of: dict[str, int] = {}
    levels: dict[int, list[PlannedItem]] = defaultdict(list)
    for planned in items:
        levels[planned.path.count(PATH_SEP)].append(planned)
    done = 0
    for depth in sorted(levels):
        for start in range(0, len(levels[depth]), CHUNK):
            chunk = levels[depth][start : start + CHUNK]
            values = [_item(p, ids, campaign_of, units, area_code, batch) for p in chunk]
            new = session.scalars(
                insert(LedgerItem).returning(LedgerItem.id, sort_by_parameter_order=True), values
            ).all()
            for planned, item_id in zip(chunk, new, strict=True):
                ids[planned.path] = item_id
                campaign_of[planned.path] = campaign_of[planned.parent] if planned.parent else item_id
            if depth == 0:
                session.execute(
                    update(LedgerItem).where(LedgerItem.id.in_(new)).values(campaign_id=LedgerItem.id)
                )
            import_batches.touch(session, batch, now)
            session.commit()
            done += len(chunk)
            progress(f"写入事项 {done:,}/{len(items):,}")
    campaigns = [(ids[p.path], p.data.number) for p in levels.get(0, [])]
    return ids, campaigns


def _item(
    planned: PlannedItem,
    ids: dict[str, int],
    campaign_of: dict[str, int],
    units: dict[str, Unit],
    area_code: str,
    batch: int,
) -> dict[str, Any]:
    row = item_row(
        planned.data,
        area_code=area_code,
        units=units,
        status=planned.status,
        rung=planned.rung,
        batch_id=batch,
    )
    parent = planned.parent
    return row | {
        "parent_id": ids[parent] if parent else None,
        "campaign_id": campaign_of[parent] if parent else None,
    }


def _milestones(
    session: Session, batch: int, plan: Plan, ids: dict[str, int], district: str, now: datetime
) -> dict[tuple[str, str], int]:
    """Insert the 时间节点 (one met by an imported report is done on that report's day); key → id."""
    met: dict[tuple[str, str], datetime] = {}
    for row in plan.reports:
        if row["milestone"]:
            key = (row["path"], row["milestone"])
            met[key] = min(met.get(key, row["at"]), row["at"])
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(plan.milestones), CHUNK):
        chunk = plan.milestones[start : start + CHUNK]
        values = [
            {
                "item_id": ids[r["path"]],
                "district_code": district,
                "label": r["label"],
                "kind": r["kind"],
                "due_at": r["due_at"],
                "done_at": r["done_at"] or met.get((r["path"], r["label"])),
            }
            for r in chunk
        ]
        new = session.scalars(
            insert(LedgerMilestone).returning(LedgerMilestone.id, sort_by_parameter_order=True), values
        ).all()
        found.update(
            {(r["path"], r["label"]): milestone_id for r, milestone_id in zip(chunk, new, strict=True)}
        )
        import_batches.touch(session, batch, now)
        session.commit()
    return found


def _report(
    row: dict[str, Any],
    ids: dict[str, int],
    milestones: dict[tuple[str, str], int],
    district: str,
    actor: Actor,
) -> dict[str, Any]:
    milestone = milestones.get((row["path"], row["milestone"])) if row["milestone"] else None
    values = report_row(row["report"], None, reported_at=row["at"], reported_by=row["by"] or actor.name)
    return values | {"item_id": ids[row["path"]], "district_code": district, "milestone_id": milestone}


def _rows(session: Session, batch: int, table: Any, values: list[dict[str, Any]], now: datetime) -> None:
    for start in range(0, len(values), CHUNK):
        session.execute(insert(table), values[start : start + CHUNK])
        import_batches.touch(session, batch, now)
        session.commit()


def _still_free(session: Session, campaigns: list[tuple[int, str]]) -> None:
    """A campaign number taken meanwhile (by another import) stops this one: nothing of it goes live."""
    ours = {item_id for item_id, _ in campaigns}
    taken = set(
        session.scalars(
            select(LedgerItem.number).where(
                LedgerItem.parent_id.is_(None),
                LedgerItem.batch_id.is_(None),
                LedgerItem.number.in_([n for _, n in campaigns]),
                LedgerItem.id.not_in(ours),
            )
        )
    )
    if taken:
        raise InvalidInput(f"台账“{'、'.join(sorted(taken))}”已由别处导入，本次导入未生效", field="file")


def _audit(
    session: Session,
    actor: Actor,
    plan: Plan,
    campaigns: list[tuple[int, str]],
    area_code: str,
    filename: str,
    now: datetime,
) -> None:
    audit.record(
        session,
        actor=actor,
        action="ledger.import",
        entity_type="ledger_item",
        entity_id=",".join(str(c) for c, _ in campaigns)[:64],
        now=now,
        scope_code=area_code,
        detail={
            "file": filename[:200],
            "items": len(plan.items),
            "reports": len(plan.reports),
            "milestones": len(plan.milestones),
            "investment": len(plan.investment),
        },
    )
