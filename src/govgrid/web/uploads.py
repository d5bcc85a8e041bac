"""Reading an uploaded file in a route: synchronously (routes that take files are plain `def`, so their
parsing runs in the thread pool, never on the event loop), at most one byte past the limit, so that an
oversized file is refused without being read whole."""

from __future__ import annotations

from fastapi import Request, UploadFile

from govgrid.domain.errors import InvalidInput
from govgrid.services import blobs


def read_upload(upload: UploadFile, max_bytes: int, field: str) -> bytes:
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(
            f"“{(upload.filename or field)[:60]}”过大：超过 {max_bytes // 1048576} MB", field=field
        )
    return data


def photo_of(request: Request, upload: UploadFile | None, field: str = "photo") -> blobs.Upload | None:
    """The photo in a form, checked; None when the form has none."""
    if upload is None or not upload.filename:
        return None
    limits = request.app.state.file_limits
    return blobs.photo(upload.filename, read_upload(upload, limits.images.max_bytes, field), limits, field)


def evidence_of(request: Request, upload: UploadFile | None, field: str = "file") -> blobs.Upload | None:
    if upload is None or not upload.filename:
        return None
    limits = request.app.state.file_limits
    size = max(limits.images.max_bytes, limits.office.max_bytes)
    return blobs.evidence(upload.filename, read_upload(upload, size, field), limits, field)
