"""填报进展: the lead unit (or a co-unit) reports progress on a task, with its checked evidence files, in one
transaction, and the tree's progress and lights are recomputed. The rules are domain.ledger_items
.check_report; `report_row` is the one shape of a stored report, which the staged import inserts too. A
report may meet a 时间节点; on a key project its funds count as completed investment of its month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import (
    LedgerInvestment,
    LedgerItem,
    LedgerMilestone,
    ProgressReport,
    ReportEvidence,
)
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.ledger_items import NewReport, ReportContext, check_report, raise_first
from govgrid.domain.ledger_states import EventKind, ItemKind, ItemStatus
from govgrid.domain.permissions import Action, Actor
from govgrid.domain.worktime import CHINA
from govgrid.services import blobs
from govgrid.services.ledger.events import record_event
from govgrid.services.ledger.items import item_for
from govgrid.services.ledger.lights import recompute


def report_progress(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    item_id: int,
    data: NewReport,
    now: datetime,
    evidence: Sequence[blobs.Upload] = (),
    media_dir: Path | None = None,
) -> ProgressReport:
    """The lead unit or a co-unit reports on a task of theirs that is still open; the ledger recomputes."""
    item = item_for(session, actor, Action.REPORT_PROGRESS, item_id)
    raise_first(check_report(data, report_context(session, item)))
    report = ProgressReport(**report_row(data, item, reported_at=now, reported_by=actor.name))
    session.add(report)
    if data.milestone_id is not None:
        session.get_one(LedgerMilestone, data.milestone_id).done_at = now
    if item.kind == ItemKind.PROJECT and data.funds_used:
        add_completed_investment(session, item, now, data.funds_used)
    session.flush()
    record_event(
        session,
        item,
        EventKind.REPORT,
        actor=actor,
        now=now,
        note=data.narrative.strip()[:60],
        detail={"report_id": report.id},
        audit_detail={"value": data.value_reached, "kind": data.kind},
    )
    for upload in evidence:
        if media_dir is None:
            raise ValueError("evidence needs a media folder")
        add_evidence(session, report, item, actor=actor, upload=upload, media_dir=media_dir, now=now)
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return report


def report_context(session: Session, item: LedgerItem) -> ReportContext:
    has_children = session.scalar(select(LedgerItem.id).where(LedgerItem.parent_id == item.id).limit(1))
    open_milestones = session.scalars(
        select(LedgerMilestone.id).where(
            LedgerMilestone.item_id == item.id, LedgerMilestone.done_at.is_(None)
        )
    )
    return ReportContext(
        item_kind=ItemKind(item.kind),
        item_status=ItemStatus(item.status),
        has_children=has_children is not None,
        milestone_ids=set(open_milestones),
    )


def report_row(
    data: NewReport, item: LedgerItem | None, *, reported_at: datetime, reported_by: str
) -> dict[str, Any]:
    """The columns of a new report from a checked command (item_id and district_code are the import's own
    when `item` is None: the item is still being staged)."""
    row = {
        "kind": data.kind,
        "reported_at": reported_at,
        "reported_by": reported_by,
        "value_reached": data.value_reached,
        "narrative": data.narrative.strip(),
        "problems": data.problems.strip(),
        "next_steps": data.next_steps.strip(),
        "funds_used": data.funds_used,
        "milestone_id": data.milestone_id,
    }
    if item is not None:
        row |= {"item_id": item.id, "district_code": item.district_code}
    return row


def add_evidence(
    session: Session,
    report: ProgressReport,
    item: LedgerItem,
    *,
    actor: Actor,
    upload: blobs.Upload,
    media_dir: Path,
    now: datetime,
) -> ReportEvidence:
    """The one writer of an evidence file (the caller commits): the file by its hash, its row, an event and
    an audit row. A closed item takes no more evidence."""
    if item.status == ItemStatus.CLOSED:
        raise InvalidInput("事项已销号，不能再添加佐证材料", field="file")
    stored = blobs.save_upload(media_dir, upload, actor_name=actor.name, now=now)
    saved = ReportEvidence(report_id=report.id, district_code=item.district_code, **stored)
    session.add(saved)
    session.flush()
    record_event(
        session,
        item,
        EventKind.EVIDENCE,
        actor=actor,
        now=now,
        note=f"上传佐证材料 {upload.filename[:60]}",
        detail={"report_id": report.id, "sha256": saved.sha256},
    )
    return saved


def add_completed_investment(session: Session, item: LedgerItem, now: datetime, amount: float) -> None:
    month = now.astimezone(CHINA).strftime("%Y-%m")
    row = session.scalar(
        select(LedgerInvestment).where(LedgerInvestment.item_id == item.id, LedgerInvestment.month == month)
    )
    if row is None:
        row = LedgerInvestment(
            item_id=item.id, district_code=item.district_code, month=month, planned=0.0, completed=0.0
        )
        session.add(row)
    row.completed = (row.completed or 0.0) + amount
