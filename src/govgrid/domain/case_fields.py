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


def case_code(reported_at: datetime, case_id: int) -> str:
    return f"{reported_at.astimezone(CHINA):%Y%m%d}{case_id:06d}"


def case_id_from_code(code: str) -> int | None:
    """The id inside a case number, or None when the text is not one (ASCII digits only, an id that fits)."""
    if not (14 <= len(code) <= 20 and code.isascii() and code.isdigit()):
        return None
    case_id = int(code[8:])
    return case_id if 0 < case_id <= MAX_CASE_ID else None
