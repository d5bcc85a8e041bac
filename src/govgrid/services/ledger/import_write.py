"""Writing a checked ledger import as a staged batch: items level by level and their milestones, reports,
investment months and import events in chunks of CHUNK rows, each chunk its own short transaction; lights
computed while still staged; then one short step makes the whole ledger live. If anything fails, the batch
is dropped and nothing of it remains."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import (
    LedgerEvent,
    LedgerInvestment,
    LedgerItem,
    LedgerMilestone,
    ProgressReport,
)
from govgrid.domain import ledger_sheet as ls
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import Direction, Light, Rung
from govgrid.domain.permissions import Actor
from govgrid.services import audit, import_batches
from govgrid.services.ledger.lights import LedgerRules, recompute

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
    plan: Any,
    area_code: str,
    filename: str,
    now: datetime,
    progress: Callable[[str], None],
) -> Written:
    """Stage, compute, make live; on any failure drop the batch and re-raise."""
    batch = import_batches.start(
        session,
        kind="ledger",
        district_code=area_code,
        filename=filename,
        actor_name=actor.username,
        rows=len(plan.items),
        now=now,
    )
    try:
        ids, campaigns = _items(session, batch, plan.items, area_code, now, progress)
        milestones = _milestones(session, batch, plan, ids, now)
        _rows(
            session,
            batch,
            ProgressReport,
            [_report(row, ids, milestones, actor) for row in plan.reports],
            now,
        )
        _rows(
            session,
            batch,
            LedgerInvestment,
            [
                {
                    "item_id": ids[r["path"]],
                    "month": r["month"],
                    "planned": r["planned"] or 0.0,
                    "completed": r["completed"] or 0.0,
                }
                for r in plan.investment
            ],
            now,
        )
        _rows(
            session,
            batch,
            LedgerEvent,
            [
                {
                    "item_id": ids[r["path"]],
                    "at": now,
                    "actor_name": actor.username,
                    "action": "import",
                    "note": f"由 {filename[:80]} 第{r['row']}行导入",
                    "detail": {},
                }
                for r in plan.items
            ],
            now,
        )
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
    items: Sequence[dict[str, Any]],
    area_code: str,
    now: datetime,
    progress: Callable[[str], None],
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Insert items parents first (level by level); path → id, and the new campaigns."""
    ids: dict[str, int] = {}
    campaign_of: dict[str, int] = {}
    levels: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in items:
        levels[row["path"].count(ls.PATH_SEP)].append(row)
    done = 0
    for depth in sorted(levels):
        for start in range(0, len(levels[depth]), CHUNK):
            chunk = levels[depth][start : start + CHUNK]
            values = [_item(row, ids, campaign_of, area_code, batch, now) for row in chunk]
            new = session.scalars(
                insert(LedgerItem).returning(LedgerItem.id, sort_by_parameter_order=True), values
            ).all()
            for row, item_id in zip(chunk, new, strict=True):
                ids[row["path"]] = item_id
                campaign_of[row["path"]] = campaign_of[row["parent"]] if row["parent"] else item_id
            if depth == 0:
                session.execute(
                    update(LedgerItem).where(LedgerItem.id.in_(new)).values(campaign_id=LedgerItem.id)
                )
            import_batches.touch(session, batch, now)
            session.commit()
            done += len(chunk)
            progress(f"写入事项 {done:,}/{len(items):,}")
    campaigns = [(ids[row["path"]], row["number"]) for row in levels.get(0, [])]
    return ids, campaigns


def _item(
    row: dict[str, Any],
    ids: dict[str, int],
    campaign_of: dict[str, int],
    area_code: str,
    batch: int,
    now: datetime,
) -> dict[str, Any]:
    parent = row["parent"]
    return {
        "parent_id": ids[parent] if parent else None,
        "campaign_id": campaign_of[parent] if parent else None,
        "kind": row["kind"],
        "number": row["number"],
        "content": row["content"],
        "source": row["source"],
        "area_code": area_code,
        "lead_unit_id": row["lead_unit_id"],
        "co_unit_ids": row["co_unit_ids"],
        "leader": row["leader"],
        "officer": row["officer"],
        "ambassador": row["ambassador"],
        "assigned_at": row["assigned_at"] or now,
        "deadline_at": row["deadline_at"],
        "consequence": row["consequence"],
        "weight": row["weight"],
        "sla_code": row["sla_code"],
        "target_subject": row["target_subject"],
        "target_unit": row["target_unit"],
        "target_value": row["target_value"],
        "target_baseline": row["target_baseline"],
        "target_direction": Direction(row["direction"]).value,
        "target_qualifier": row["target_qualifier"],
        "status": row["status"],
        "progress": 0.0,
        "light": Light.GREEN.value,
        "rung": Rung(row["rung"]).value if row["rung"] else None,
        "version": 1,
        "batch_id": batch,
    }


def _milestones(
    session: Session, batch: int, plan: Any, ids: dict[str, int], now: datetime
) -> dict[tuple[str, str], int]:
    """Insert the 时间节点 (one met by an imported report is done on that report's day); key → id."""
    met: dict[tuple[str, str], datetime] = {}
    for row in plan.reports:
        if row["milestone"]:
            key = (row["path"], row["milestone"])
            met[key] = min(met.get(key, row["reported_at"]), row["reported_at"])
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(plan.milestones), CHUNK):
        chunk = plan.milestones[start : start + CHUNK]
        values = [
            {
                "item_id": ids[r["path"]],
                "label": r["label"],
                "kind": r["kind"],
                "due_at": ls.day_end(r["due_at"]),
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
    row: dict[str, Any], ids: dict[str, int], milestones: dict[tuple[str, str], int], actor: Actor
) -> dict[str, Any]:
    return {
        "item_id": ids[row["path"]],
        "kind": row["kind"],
        "reported_at": row["reported_at"],
        "reported_by": row["reported_by"] or actor.username,
        "value_reached": row["value_reached"],
        "narrative": row["narrative"],
        "problems": row["problems"] or "",
        "next_steps": row["next_steps"] or "",
        "funds_used": row["funds_used"],
        "milestone_id": milestones.get((row["path"], row["milestone"])) if row["milestone"] else None,
    }


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
    plan: Any,
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
