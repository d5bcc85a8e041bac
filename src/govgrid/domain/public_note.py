"""What may be published about a case step. Staff choose to publish a short note (the follow page, Open311
without a key); it must not carry personal data, which the public must never see: phone numbers, ID
numbers, e-mail addresses, house or flat numbers, or the reporter's name."""

from __future__ import annotations

import re

from govgrid.domain.errors import InvalidInput
from govgrid.domain.text import check_chars

MAX_PUBLIC_NOTE = 200
PATTERNS = (
    (re.compile(r"\d[\d\s-]{6,}\d"), "电话号码或证件号码"),  # 7+ digits in a row: phones, IDs, card numbers
    (re.compile(r"\d{17}[\dXx]"), "身份证号"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), "电子邮箱"),
    (re.compile(r"\d+\s*(?:号楼|栋|幢|单元|室|户|层|楼)\s*\d*"), "门牌、楼栋或房号"),
    (re.compile(r"\d+\s*-\s*\d+\s*-\s*\d+"), "房号（如 3-2-501）"),
)


def check_public_note(text: str, *, reporter_name: str = "") -> str:
    """The note, stripped, if it may be published; else InvalidInput saying what to take out."""
    note = check_chars(text, "public_note").strip()
    if len(note) > MAX_PUBLIC_NOTE:
        raise InvalidInput(f"公开说明过长（{len(note)} 字，上限 {MAX_PUBLIC_NOTE}）", field="public_note")
    for pattern, what in PATTERNS:
        if pattern.search(note):
            raise InvalidInput(f"公开说明中不能含{what}：市民可见的内容不得有个人信息", field="public_note")
    name = reporter_name.strip()
    if len(name) >= 2 and name in note:
        raise InvalidInput("公开说明中不能含报案人姓名", field="public_note")
    return note
