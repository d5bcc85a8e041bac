"""The rules a case is handled by: class catalogue, responsibility list, working calendar (loaded once)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from govgrid.catalog.calendars import load_calendar
from govgrid.catalog.case_catalog import CaseClass, ResponsibilityList, load_case_classes, load_responsibility
from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import WorkCalendar


@dataclass(frozen=True)
class CaseRules:
    classes: dict[str, CaseClass]
    responsibility: ResponsibilityList
    calendar: WorkCalendar

    def case_class(self, code: str) -> CaseClass:
        found = self.classes.get(code)
        if found is None:
            raise InvalidInput(f"案件分类编码“{code}”不存在（见 catalog/case_classes.yaml）", field="class_code")
        return found


@lru_cache(maxsize=1)
def shipped_rules() -> CaseRules:
    """The catalogues shipped in the package, validated (errors name file, row and field)."""
    classes = load_case_classes()
    return CaseRules(classes, load_responsibility(classes), load_calendar())
