"""Files stored by content hash under the media folder (photos on cases, evidence on progress reports).

An upload is checked by its bytes (uploads.files: signature, structure, dimensions, OOXML, no markup)
into an `Upload` before any record is written; services then store it and write its row in the same
transaction as the record it belongs to, so a bad file never leaves half a report behind."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from govgrid.uploads.files import Checked, check_evidence, check_image
from govgrid.uploads.limits import ImageLimits, OfficeLimits


@dataclass(frozen=True)
class Upload:
    """A file that passed its checks, ready to store."""

    filename: str
    data: bytes
    checked: Checked

    @property
    def content_type(self) -> str:
        return self.checked.content_type


@dataclass(frozen=True)
class FileLimits:
    images: ImageLimits = ImageLimits()
    office: OfficeLimits = OfficeLimits()


def photo(filename: str, data: bytes, limits: FileLimits, field: str = "photo") -> Upload:
    """A case photo: a JPEG, PNG, GIF or WebP within the limits (InvalidInput naming `field` otherwise)."""
    return Upload(_name(filename, "photo"), data, check_image(data, filename, limits.images, field))


def evidence(filename: str, data: bytes, limits: FileLimits, field: str = "file") -> Upload:
    """Evidence on a progress report: an image, a PDF or a real Office file."""
    return Upload(
        _name(filename, "file"), data, check_evidence(data, filename, limits.images, limits.office, field)
    )


def _name(filename: str, fallback: str) -> str:
    """The name as shown and offered on download: no path, no control characters, at most 200 characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return clean[:200] or fallback


def save_upload(media_dir: Path, upload: Upload, *, actor_name: str, now: datetime) -> dict[str, Any]:
    """Store a checked upload; the columns of its row (db.models.StoredFile: a case photo or a report's
    evidence), which the caller writes in the transaction of the record it belongs to."""
    return {
        "uploaded_by": actor_name,
        "uploaded_at": now,
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": len(upload.data),
        "sha256": store(media_dir, upload.data),
    }


def store(media_dir: Path, data: bytes) -> str:
    """Write the bytes once under their SHA-256 and return it; a crash never leaves half a file under its name."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(media_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return digest


def path_of(media_dir: Path, digest: str) -> Path:
    return media_dir / digest[:2] / digest
