"""Evidence files on progress reports (佐证材料): photos, PDFs and Office files, checked by their bytes,
stored by content hash, audited. Whoever may see the report's item may read its evidence."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerEvent, LedgerItem, ProgressReport, ReportEvidence
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import Action, Actor
from govgrid.services import audit, blobs
from govgrid.services.ledgers import authorize_on


def _report(session: Session, report_id: int) -> tuple[ProgressReport, LedgerItem]:
    report = session.get(ProgressReport, report_id)
    item = session.get(LedgerItem, report.item_id) if report else None
    if report is None or item is None:
        raise NotFound(f"进展填报 {report_id} 不存在")
    return report, item


def attach_evidence(session: Session, *, actor: Actor, media_dir: Path, report_id: int, filename: str, data: bytes,
                    max_bytes: int, now: datetime) -> ReportEvidence:  # fmt: skip
    """The reporting unit adds a file to its report; the wrong kind or too large → InvalidInput naming `file`."""
    report, item = _report(session, report_id)
    authorize_on(actor, Action.REPORT_PROGRESS, item)
    if item.status == "closed":
        raise InvalidInput("事项已销号，不能再添加佐证材料", field="file")
    blobs.check_size(data, filename, max_bytes, field="file")
    kind = blobs.evidence_type(data, filename)
    if kind is None:
        raise InvalidInput(f"“{filename}”不是图片、PDF 或 Word/Excel/PPT 文件", field="file")
    digest = blobs.store(media_dir, data)
    evidence = ReportEvidence(report_id=report.id, uploaded_by=actor.username, uploaded_at=now, filename=filename[:200],
                              content_type=kind, size=len(data), sha256=digest)  # fmt: skip
    session.add(evidence)
    session.flush()
    session.add(LedgerEvent(item_id=item.id, at=now, actor_name=actor.username, action="evidence",
                            note=f"上传佐证材料 {filename[:60]}", detail={"evidence_id": evidence.id}))  # fmt: skip
    audit.record(session, actor=actor, action="ledger.evidence", entity_type="ledger_item", entity_id=str(item.id),
                 now=now, scope_code=item.area_code, detail={"report_id": report.id, "sha256": digest})  # fmt: skip
    session.commit()
    return evidence


def evidence_of(session: Session, report_ids: list[int]) -> dict[int, list[ReportEvidence]]:
    found: dict[int, list[ReportEvidence]] = {}
    for row in session.scalars(select(ReportEvidence).where(ReportEvidence.report_id.in_(report_ids))
                               .order_by(ReportEvidence.id)):  # fmt: skip
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
