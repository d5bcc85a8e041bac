"""Photos and evidence files, checked by their bytes before they are stored.

- An image must be what its signature says, end the way its format ends, and declare dimensions within
  the limits (a 20000 × 20000 PNG is a few KB and gigabytes once drawn); and no image may carry markup
  that a browser could run — a GIF/HTML polyglot is refused.
- A PDF must start and end like one.
- A .docx/.xlsx/.pptx must be a real Office Open XML package of that kind (its [Content_Types].xml names
  the main part, which exists), without macros, within the ZIP limits. Any other ZIP renamed is refused."""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from govgrid.domain.errors import InvalidInput
from govgrid.uploads.limits import ImageLimits, OfficeLimits
from govgrid.uploads.zips import ZipLimits, open_zip

# Markup a browser would run if it ever took the file for a page. Long enough that the random bytes of a real
# photo never match by chance (a six-letter pattern appears by chance about once in 10^8 photos of 10 MB).
MARKUP = re.compile(
    rb"<\s*(?:script|html|body|iframe|object|embed|svg|style|details|img|video|audio|input|form)"
    rb"[\s>/]|<!doctype|javascript:|<\?php|\bon(?:load|error|click)\s*=|"
    rb"<[a-z][a-z0-9]{0,10}\s[^<>]{0,200}?\bon[a-z]{3,20}\s*=",
    re.IGNORECASE,
)
OFFICE = {  # extension: (content type, main part's content type)
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}


@dataclass(frozen=True)
class Checked:
    content_type: str
    width: int = 0
    height: int = 0


def check_image(data: bytes, filename: str, limits: ImageLimits, field: str = "photo") -> Checked:
    """A JPEG, PNG, GIF or WebP within the limits, or InvalidInput naming the file and the reason."""
    label = f"“{filename[:60]}”"
    _size(data, label, limits.max_bytes, field)
    kind, dims = _image_kind(data)
    if kind is None:
        raise InvalidInput(f"{label}不是 JPEG、PNG、WebP 或 GIF 图片", field=field)
    if dims is None:
        raise InvalidInput(f"{label}的图片结构不完整或已损坏", field=field)
    width, height = dims
    if (
        not (0 < width <= limits.max_side and 0 < height <= limits.max_side)
        or width * height > limits.max_pixels
    ):
        raise InvalidInput(
            f"{label}尺寸 {width}×{height} 超出上限（单边 {limits.max_side} 像素、"
            f"共 {limits.max_pixels // 1_000_000} 百万像素）",
            field=field,
        )
    if MARKUP.search(data):
        raise InvalidInput(f"{label}中夹带网页或脚本代码，已拒绝", field=field)
    return Checked(kind, width, height)


def check_evidence(
    data: bytes, filename: str, images: ImageLimits, office: OfficeLimits, field: str = "file"
) -> Checked:
    """An image, a PDF, or a real Office file named as its kind; else InvalidInput saying which it is not."""
    label = f"“{filename[:60]}”"
    _size(data, label, max(images.max_bytes, office.max_bytes), field)
    if _image_kind(data)[0] is not None:
        return check_image(data, filename, images, field)
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise InvalidInput(f"{label}不是完整的 PDF 文件", field=field)
        return Checked("application/pdf")
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"PK\x03\x04") and suffix in OFFICE:
        return _check_office(data, label, suffix, office, field)
    raise InvalidInput(f"{label}不是图片、PDF 或 Word/Excel/PPT 文件", field=field)


def _size(data: bytes, label: str, max_bytes: int, field: str) -> None:
    if not data:
        raise InvalidInput(f"{label}为空", field=field)
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{label}过大：{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB", field=field
        )


def _check_office(data: bytes, label: str, suffix: str, limits: OfficeLimits, field: str) -> Checked:
    archive = open_zip(
        data,
        ZipLimits(limits.max_parts, limits.max_total_bytes, limits.max_total_bytes, limits.max_ratio),
        what=label,
        field=field,
    )
    content_type, main = OFFICE[suffix]
    try:
        types = archive.read("[Content_Types].xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        raise InvalidInput(f"{label}不是 Office 文档（缺少 [Content_Types].xml）", field=field) from None
    overrides = re.findall(rb'PartName="/([^"]+)"\s+ContentType="([^"]+)"', types) + [
        (name, kind) for kind, name in re.findall(rb'ContentType="([^"]+)"\s+PartName="/([^"]+)"', types)
    ]
    mains = [name.decode("utf-8", "replace") for name, kind in overrides if kind.decode() == main]
    if not mains or mains[0] not in archive.namelist():
        raise InvalidInput(f"{label}不是真正的 {suffix} 文档（内容与扩展名不符）", field=field)
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in archive.namelist()):
        raise InvalidInput(f"{label}含宏，已拒绝（请另存为不含宏的 {suffix}）", field=field)
    for name in (n for n in archive.namelist() if n.endswith(".rels")):
        if _external_links(archive.read(name)):
            raise InvalidInput(
                f"{label}引用了外部的模板或对象（{name}），已拒绝：请另存为独立的文档", field=field
            )
    return Checked(content_type)


def _external_links(rels: bytes) -> bool:
    """Whether a relationships part points outside the package at anything but a hyperlink (a remote
    template is how macros are smuggled into a "macro-free" document)."""
    for tag in re.findall(rb"<Relationship\b[^>]*>", rels):
        if re.search(rb'TargetMode\s*=\s*"External"', tag) and not re.search(
            rb'Type\s*=\s*"[^"]*/hyperlink"', tag
        ):
            return True
    return False


def _image_kind(data: bytes) -> tuple[str | None, tuple[int, int] | None]:
    """(content type, (width, height)) from the signature and the header; dimensions None when the
    structure is broken (a truncated or fake file)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", _jpeg(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", _gif(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", _webp(data)
    return None, None


def _png(data: bytes) -> tuple[int, int] | None:
    """IHDR first, then chunks to IEND with nothing after it."""
    pos, dims = 8, None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if not kind.isalpha() or pos + 12 + length > len(data):
            return None
        if pos == 8:
            if kind != b"IHDR" or length != 13:
                return None
            dims = struct.unpack(">II", data[16:24])
        if kind == b"IEND":
            return dims if pos + 12 + length == len(data) else None
        pos += 12 + length
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """The frame header (SOFn) gives the size. The end is not checked: phones append metadata or a whole
    motion-photo video after the image's EOI."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _gif(data: bytes) -> tuple[int, int] | None:
    if len(data) < 14 or not data.rstrip(b"\x00").endswith(b";"):
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None
