"""Photos on cases, checked by their bytes before anything is written (services.blobs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Attachment
from govgrid.domain.errors import NotFound
from govgrid.domain.permissions import Actor
from govgrid.services import blobs
from govgrid.services.cases import add_photo, get_case


def attach_photo(session: Session, *, actor: Actor, media_dir: Path, case_id: int, photo: blobs.Upload,
                 now: datetime) -> Attachment:  # fmt: skip
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
