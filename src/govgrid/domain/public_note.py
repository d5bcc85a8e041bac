"""What may be published about a case step. Staff choose to publish a short note (the follow page, Open311
without a key); it must not carry personal data, which the public must never see: phone or ID numbers,
e-mail addresses, house, building or flat numbers, or the reporter's name.

The note is read the way a person reads it, not as typed: full-width characters folded (NFKC), Chinese
digits read as digits, and the separators people put inside numbers (spaces, dots, dashes, slashes) ignored,
so "138.0013.8000", "一三八零零一三八零零零", "5-501" and "三号楼" are all caught. A name is caught with
or without spaces in it."""

from __future__ import annotations

import re
import unicodedata

from govgrid.domain.errors import InvalidInput
from govgrid.domain.text import check_chars

MAX_PUBLIC_NOTE = 200
CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九两幺", "0012345678921")
SEPARATORS = re.compile(r"(?<=\d)[\s.\-/·、_,，]+(?=\d)")
HOUSING = "号楼|号院|楼|栋|幢|座|单元|室|户|层|房"
DATES = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}:\d{2}"
)  # a date or a time is not a number to hide
PATTERNS = (
    (re.compile(r"\d{7,}"), "电话号码或证件号码"),  # 7+ digits in a row, once separators are ignored
    (re.compile(r"\d{17}[\dXx]"), "身份证号"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "电子邮箱"),
    (re.compile(rf"\d+\s*(?:{HOUSING})|(?:{HOUSING})\s*\d+"), "门牌、楼栋或房号"),
    (re.compile(r"\d+-\d+(?:-\d+)?"), "房号（如 3-2-501）"),
    (re.compile(r"[路街巷道里弄村]\s*\d+\s*号"), "门牌号"),
)


def readable(text: str) -> str:
    """The note as a person reads it: NFKC, Chinese digits as digits; separators inside numbers dropped."""
    folded = unicodedata.normalize("NFKC", text).translate(CHINESE_DIGITS)
    return folded


def check_public_note(text: str, *, reporter_names: tuple[str, ...] = ()) -> str:
    """The note, stripped, if it may be published; else InvalidInput saying what to take out."""
    note = check_chars(text, "public_note").strip()
    if len(note) > MAX_PUBLIC_NOTE:
        raise InvalidInput(f"公开说明过长（{len(note)} 字，上限 {MAX_PUBLIC_NOTE}）", field="public_note")
    read = DATES.sub("·", readable(note))
    joined = SEPARATORS.sub("", read)
    for pattern, what in PATTERNS:
        if pattern.search(joined) or pattern.search(read):
            raise InvalidInput(f"公开说明中不能含{what}：市民可见的内容不得有个人信息", field="public_note")
    squeezed = re.sub(r"\s+", "", read)
    for name in reporter_names:
        plain = re.sub(r"\s+", "", readable(name))
        if len(plain) >= 2 and plain in squeezed:
            raise InvalidInput("公开说明中不能含报案人姓名", field="public_note")
    return note
