"""A case's fields as people meet them: the lengths of the text a report carries (the table is declared
with them, the API's schema shows them, intake checks them: one answer on every engine), and the case
number people quote (案件编号) — the report's date in Beijing time and the case's id, such as
20261118000042, derived and never stored, so it cannot disagree with the case."""

from __future__ import annotations

from datetime import datetime

from govgrid.domain.worktime import CHINA

MAX_CASE_ID = 2**31 - 1
LENGTHS = {
    "title": 200,
    "description": 4000,
    "address": 200,
    "external_id": 64,
    "reporter_name": 64,
    "reporter_phone": 32,
    "channel": 24,
}
LABELS = {  # as the report form names them
    "class_code": "分类",
    "title": "标题",
    "description": "描述",
    "address": "地址",
    "external_id": "外部编号",
    "reporter_name": "联系人",
    "reporter_phone": "联系电话",
    "channel": "渠道",
    "photo": "现场照片",
}


def case_code(reported_at: datetime, case_id: int) -> str:
    return f"{reported_at.astimezone(CHINA):%Y%m%d}{case_id:06d}"


def case_id_from_code(code: str) -> int | None:
    """The id inside a case number, or None when the text is not one (ASCII digits only, an id that fits)."""
    if not (14 <= len(code) <= 20 and code.isascii() and code.isdigit()):
        return None
    case_id = int(code[8:])
    return case_id if 0 < case_id <= MAX_CASE_ID else None


def is_phone(text: str) -> bool:
    """A telephone number as people write it: 5 to 20 digits, with spaces, + or - between."""
    digits = sum(c.isascii() and c.isdigit() for c in text)
    return 5 <= digits <= 20 and all((c.isascii() and c.isdigit()) or c in " +-" for c in text)


def is_mobile(text: str) -> bool:
    """A mainland mobile number (11 digits from 13x to 19x): what a citizen signs up with."""
    return len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1" and text[1] in "3456789"
