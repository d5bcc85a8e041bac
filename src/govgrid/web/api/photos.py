"""Case photos: upload (size and type checked), list, download (scoped by the case)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse

from govgrid.db.case_models import Attachment
from govgrid.domain.errors import InvalidInput
from govgrid.services.cases import photos as attachments
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.params import IdPath
from govgrid.web.schemas import PhotoPublic
from govgrid.web.uploads import photo_of

router = APIRouter(tags=["photos"])


def photo_public(photo: Attachment) -> PhotoPublic:
    return PhotoPublic(
        id=photo.id,
        case_id=photo.case_id,
        filename=photo.filename,
        content_type=photo.content_type,
        size=photo.size,
        uploaded_by=photo.uploaded_by,
        uploaded_at=photo.uploaded_at,
        phase=photo.phase,
        url=f"/api/v1/photos/{photo.id}",
    )


@router.post(
    "/cases/{case_id}/photos",
    response_model=PhotoPublic,
    status_code=201,
    summary="上传现场照片（JPEG/PNG/WebP/GIF，按文件内容、结构和尺寸检查）",
)
def upload_photo(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    photo: Annotated[UploadFile, File()],
) -> PhotoPublic:
    checked = photo_of(request, photo)
    if checked is None:
        raise InvalidInput("请选择照片", field="photo")
    saved = attachments.attach_photo(
        session, actor=actor, media_dir=request.app.state.media_dir, case_id=case_id, photo=checked, now=now
    )
    return photo_public(saved)


@router.get("/cases/{case_id}/photos", response_model=list[PhotoPublic], summary="案件照片列表")
def list_photos(case_id: IdPath, session: SessionDep, actor: LoggedInDep) -> list[PhotoPublic]:
    return [photo_public(p) for p in attachments.photos_of(session, actor=actor, case_id=case_id)]


@router.get("/photos/{photo_id}", summary="下载照片", response_class=FileResponse)
def get_photo(photo_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> FileResponse:
    photo, path = attachments.photo_file(
        session, actor=actor, media_dir=request.app.state.media_dir, attachment_id=photo_id
    )
    return FileResponse(path, media_type=photo.content_type, filename=photo.filename)
