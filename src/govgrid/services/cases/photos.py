"""Photos on cases: the one writer of a photo row (checked by services.blobs before), listing and files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Attachment, Case
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.photos import PHASE_LABEL, phase_of
from govgrid.domain.workflow import FINAL, Status
from govgrid.services import blobs
from govgrid.services.cases.history import record_history
from govgrid.services.cases.queries import get_case


def add_photo(
    session: Session, case: Case, *, actor: Actor, photo: blobs.Upload, media_dir: Path, now: datetime
) -> Attachment:
    """The one writer of a case photo (the caller commits): permission, the file by its hash, its row and
    a history row. A closed or cancelled case takes no more photos."""
    authorize(
        actor, Action.ATTACH_PHOTO, area_code=case.scope_code, owner_id=case.reporter_id, unit_id=case.unit_id
    )
    if Status(case.status) in FINAL:
        raise InvalidInput("案件已办结，不能再添加照片", field="photo")
    stored = blobs.save_upload(media_dir, photo, actor_name=actor.name, now=now)
    phase = phase_of(Status(case.status))
    saved = Attachment(case_id=case.id, district_code=case.district_code, phase=phase.value, **stored)
    session.add(saved)
    session.flush()
    record_history(
        session,
        case,
        actor=actor,
        step="photo",
        from_status=case.status,
        now=now,
        note=f"上传{PHASE_LABEL[phase]}照片 {photo.filename}",
        detail={"attachment_id": saved.id},
    )
    return saved


def attach_photo(
    session: Session, *, actor: Actor, media_dir: Path, case_id: int, photo: blobs.Upload, now: datetime
) -> Attachment:
    """Add a checked photo to a case the actor may attach photos to."""
    case = get_case(session, actor=actor, case_id=case_id)
    saved = add_photo(session, case, actor=actor, photo=photo, media_dir=media_dir, now=now)
    session.commit()
    return saved


def photos_of(session: Session, *, actor: Actor, case_id: int) -> list[Attachment]:
    get_case(session, actor=actor, case_id=case_id)
    return list(
        session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id))
    )


def photo_file(
    session: Session, *, actor: Actor, media_dir: Path, attachment_id: int
) -> tuple[Attachment, Path]:
    """A photo and its file, if the actor may see its case."""
    photo = session.get(Attachment, attachment_id)
    if photo is None:
        raise NotFound("照片不存在")
    get_case(session, actor=actor, case_id=photo.case_id)
    return photo, blobs.path_of(media_dir, photo.sha256)
