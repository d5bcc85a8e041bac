"""Files stored by content hash under the media folder (photos on cases, evidence on progress reports).
A file's kind is read from its bytes (signature), never from its name or declared type."""

from __future__ import annotations

import hashlib
from pathlib import Path

from govgrid.domain.errors import InvalidInput

IMAGE_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"RIFF": "image/webp",
                    b"GIF87a": "image/gif", b"GIF89a": "image/gif"}  # fmt: skip
OFFICE = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}  # fmt: skip


def image_type(data: bytes) -> str | None:
    for signature, kind in IMAGE_SIGNATURES.items():
        if data.startswith(signature) and (kind != "image/webp" or data[8:12] == b"WEBP"):
            return kind
    return None


def evidence_type(data: bytes, filename: str) -> str | None:
    """An image, a PDF, or an Office file (a ZIP named .docx/.xlsx/.pptx); None for anything else."""
    if kind := image_type(data):
        return kind
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"PK\x03\x04") and suffix in OFFICE:
        return OFFICE[suffix]
    return None


def check_size(data: bytes, filename: str, max_bytes: int, field: str) -> None:
    """Refuse an empty file or one over the limit, naming it (before anything is written)."""
    if not data:
        raise InvalidInput(f"“{filename}”为空", field=field)
    if len(data) > max_bytes:
        raise InvalidInput(f"“{filename}”过大：{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB",
                           field=field)  # fmt: skip


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
