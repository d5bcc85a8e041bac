"""ZIP containers (Office files are ZIPs) checked from their central directory before any part is read:
the number of parts, each part's declared size, the total and the compression ratio (a zip bomb declares
its true size there, and Python's zipfile never inflates a part beyond it)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from govgrid.domain.errors import InvalidInput

ONE_MB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_parts: int
    max_part_bytes: int
    max_total_bytes: int
    max_ratio: int


def open_zip(data: bytes, limits: ZipLimits, *, what: str, field: str) -> zipfile.ZipFile:
    """The archive, if it is a ZIP within the limits; else InvalidInput naming the problem."""
    if not data.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{what}不是有效的 Office（ZIP）文件", field=field)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(f"{what}已损坏，无法打开（{str(exc)[:80]}）", field=field) from None
    if len(parts) > limits.max_parts:
        raise InvalidInput(f"{what}含 {len(parts)} 个部件，超过上限 {limits.max_parts}", field=field)
    total = 0
    for part in parts:
        if part.flag_bits & 0x1:
            raise InvalidInput(f"{what}中的“{part.filename[:60]}”已加密，无法读取", field=field)
        if part.filename.startswith(("/", "\\")) or ".." in part.filename.split("/"):
            raise InvalidInput(f"{what}中有可疑的路径“{part.filename[:60]}”", field=field)
        if part.file_size > limits.max_part_bytes:
            raise InvalidInput(
                f"{what}中的“{part.filename[:60]}”解压后 {part.file_size / ONE_MB:.0f} MB，"
                f"超过上限 {limits.max_part_bytes / ONE_MB:.0f} MB",
                field=field,
            )
        if part.file_size > ONE_MB and part.file_size > limits.max_ratio * max(part.compress_size, 1):
            raise InvalidInput(
                f"{what}中的“{part.filename[:60]}”压缩比 {part.file_size // max(part.compress_size, 1)}:1，"
                "疑为压缩炸弹，已拒绝",
                field=field,
            )
        total += part.file_size
    if total > limits.max_total_bytes:
        raise InvalidInput(
            f"{what}解压后共 {total / ONE_MB:.0f} MB，超过上限 {limits.max_total_bytes / ONE_MB:.0f} MB",
            field=field,
        )
    return archive
