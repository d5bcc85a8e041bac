"""Evidence files on progress reports (佐证材料): photos, PDFs and Office files, checked by their bytes,
stored by content hash, audited. Whoever may see the report's item may read its evidence."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerItem, ProgressReport, ReportEvidence
from govgrid.domain.errors import NotFound
from govgrid.domain.permissions import Action, Actor
from govgrid.services import blobs
from govgrid.services.ledger.items import authorize_on
from govgrid.services.ledger.reports import add_evidence


def _report(session: Session, report_id: int) -> tuple[ProgressReport, LedgerItem]:
    report = session.get(ProgressReport, report_id)
    item = session.get(LedgerItem, report.item_id) if report else None
    if report is None or item is None:
        raise NotFound(f"进展填报 {report_id} 不存在")
    return report, item


def attach_evidence(
    session: Session, *, actor: Actor, media_dir: Path, report_id: int, upload: blobs.Upload, now: datetime
) -> ReportEvidence:
    """The reporting unit adds a checked file to one of its reports."""
    report, item = _report(session, report_id)
    authorize_on(actor, Action.REPORT_PROGRESS, item)
    saved = add_evidence(session, report, item, actor=actor, upload=upload, media_dir=media_dir, now=now)
    session.commit()
    return saved


def evidence_of(session: Session, report_ids: list[int]) -> dict[int, list[ReportEvidence]]:
    found: dict[int, list[ReportEvidence]] = {}
    for row in session.scalars(
        select(ReportEvidence).where(ReportEvidence.report_id.in_(report_ids)).order_by(ReportEvidence.id)
    ):
        found.setdefault(row.report_id, []).append(row)
    return found


def evidence_file(
    session: Session, *, actor: Actor, media_dir: Path, evidence_id: int
) -> tuple[ReportEvidence, Path]:
    evidence = session.get(ReportEvidence, evidence_id)
    if evidence is None:
        raise NotFound("佐证材料不存在")
    _, item = _report(session, evidence.report_id)
    authorize_on(actor, Action.READ_LEDGER, item)
    return evidence, blobs.path_of(media_dir, evidence.sha256)
