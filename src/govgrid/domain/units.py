"""Kinds of unit (单位) that act in a district: what the directory and its forms offer."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    COMMAND_CENTER = "command_center"
    DEPARTMENT = "department"
    STREET = "street"
    SUPERVISION_OFFICE = "supervision_office"
    LEADERSHIP = "leadership"


UNIT_KIND_LABEL = {
    UnitKind.COMMAND_CENTER: "指挥中心",
    UnitKind.DEPARTMENT: "职能部门",
    UnitKind.STREET: "街道办事处",
    UnitKind.SUPERVISION_OFFICE: "督查室",
    UnitKind.LEADERSHIP: "区领导",
}


def unit_kind_label(kind: str) -> str:
    return next((label for k, label in UNIT_KIND_LABEL.items() if k.value == kind), kind)
