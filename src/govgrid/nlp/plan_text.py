"""A work plan's OCR text made readable for extraction, with a map back to the original characters.

OCR breaks lines mid-word and spaces decimals ("1685 . 4亿元"); plans mix half- and full-width digits and
punctuation. `Readable` removes line breaks, the spaces inside numbers and between Chinese characters,
and folds full-width forms, keeping for every character its offset in the original, so that any span
found in the readable text is quoted exactly from the original."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ENDS = set("。！？!?”）)：:")  # a blank line after these ends a paragraph; elsewhere it is an OCR gap
_SPACES = {" ", "\t", "\u3000", "\xa0"}
_KEEP_WIDE = set(
    "“”‘’、。，；：！？（）《》【】"
)  # brackets are kept: units are quoted as written  # Chinese punctuation stays as written


def _fold(ch: str) -> str:
    if ch in _KEEP_WIDE:
        return {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?"}.get(ch, ch)
    return unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch


@dataclass(frozen=True)
class Readable:
    original: str
    text: str
    origin: tuple[int, ...]  # origin[i]: the offset in `original` of text[i]

    @classmethod
    def of(cls, original: str) -> Readable:
        chars: list[str] = []
        origin: list[int] = []
        n = len(original)
        for i, ch in enumerate(original):
            if ch == "\r":
                continue  # CRLF (a browser's form, a Windows file) is a line break like LF
            if (
                ch == "\n"
                and original[i + 1 : i + 3].lstrip("\r")[:1] == "\n"
                and chars
                and chars[-1] != "\n"
                and (chars[-1] in _ENDS or _is_caption(original, i))
            ):
                chars.append("\n")  # a blank line: a paragraph ends (or an OCR block does)
                origin.append(i)
                continue
            if ch in "\r\n" or ch in _SPACES:
                before = chars[-1] if chars else ""
                after = next((original[j] for j in range(i + 1, n) if original[j] not in " \t\r\n\u3000"), "")
                if ch in _SPACES and not (_joinable(before) and _joinable(after)) and before not in ("", " "):
                    chars.append(" ")
                    origin.append(i)
                continue
            chars.append(_fold(ch))
            origin.append(i)
        return cls(original, "".join(chars), tuple(origin))

    def quote(self, start: int, end: int) -> tuple[int, int, str]:
        """The original span behind text[start:end]: (start, end, exact original text)."""
        first, last = self.origin[start], self.origin[end - 1] + 1
        return first, last, self.original[first:last]


def _joinable(ch: str) -> bool:
    """Characters a stray OCR space between them should not separate: digits, the decimal point, CJK."""
    return bool(ch) and (ch.isdigit() or ch in ".．" or "\u4e00" <= ch <= "\u9fff" or ch in "%％")


def _is_caption(original: str, at: int) -> bool:
    """The block after the blank line at `at` is a caption or heading set into the column: short, standing
    alone between blank lines, and a whole sentence (or no sentence at all)."""
    start = at
    while start < len(original) and original[start] in "\r\n \t\u3000":
        start += 1
    end = original.find("\n\n", start)
    block = original[start : end if end >= 0 else len(original)].strip()
    return (
        0 < len(block) <= 60
        and "\n" not in block
        and (block[-1] in "。！？" or not re.search(r"[，,。]", block))
    )
