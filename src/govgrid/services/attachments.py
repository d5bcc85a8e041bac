"""Photos on cases. Checked before anything is written: size, and that the bytes are really an image of
an accepted kind (by their signature, not by the name or the declared type)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Attachment
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.services import blobs
from govgrid.services.blobs import image_type
from govgrid.services.cases import get_case, record_history


def attach_photo(session: Session, *, actor: Actor, media_dir: Path, case_id: int, filename: str, data: bytes,
                 max_bytes: int, now: datetime) -> Attachment:  # fmt: skip
    """Add a photo to a case the actor can see; too large or not an image → InvalidInput naming `photo`."""
    case = get_case(session, actor=actor, case_id=case_id)
    authorize(
        actor, Action.ATTACH_PHOTO, area_code=case.scope_code, owner_id=case.reporter_id, unit_id=case.unit_id
    )
    blobs.check_size(data, filename, max_bytes, field="photo")
    kind = image_type(data)
    if kind is None:
        raise InvalidInput(f"“{filename}”不是 JPEG、PNG、WebP 或 GIF 图片", field="photo")
    digest = blobs.store(media_dir, data)
    photo = Attachment(case_id=case.id, uploaded_by=actor.username, uploaded_at=now, filename=filename[:200],
                       content_type=kind, size=len(data), sha256=digest)  # fmt: skip
    session.add(photo)
    session.flush()
    record_history(session, case, actor=actor, step="photo", from_status=case.status, now=now,
                   note=f"上传照片 {filename}", detail={"attachment_id": photo.id})  # fmt: skip
    session.commit()
    return photo


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
