"""Text files people upload (a CSV, a plan): UTF-8 with or without a BOM, else GB18030 (GBK, as Excel and
Notepad save it on Chinese Windows)."""

from __future__ import annotations


def decode_chinese(data: bytes) -> str | None:
    """The text of `data` in the first encoding that reads it whole; None when neither does."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
