"""The platform's three levels (三级平台), as the plans name them, and which roles land on which:

- 综合指挥 (command): the command center and leaders, the whole district;
- 网格运行 (grid operation): a street, its communities and grids, and their grid workers;
- 服务保障 (service support): the departments that handle the cases.

Each level's landing links (the workspace's first card) lead to its own views in the caller's data scope;
a link shows only when its page is in the caller's menu (catalog/navigation.yaml), so the landing never
offers what the permissions refuse."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from govgrid.domain.roles import Role


class Level(StrEnum):
    COMMAND = "command"
    GRID = "grid"
    SERVICE = "service"


LEVEL_LABEL = {Level.COMMAND: "综合指挥", Level.GRID: "网格运行", Level.SERVICE: "服务保障"}

LEVEL_OF = {
    Role.DISPATCHER: Level.COMMAND,
    Role.SUPERVISOR: Level.COMMAND,
    Role.LEADER: Level.COMMAND,
    Role.ADMIN: Level.COMMAND,
    Role.SECURITY_ADMIN: Level.COMMAND,
    Role.AUDITOR: Level.COMMAND,
    Role.STREET_OFFICER: Level.GRID,
    Role.GRID_WORKER: Level.GRID,
    Role.DEPARTMENT_OFFICER: Level.SERVICE,
}


@dataclass(frozen=True)
class Link:
    label: str
    href: str  # its path (before "?") must be in the caller's menu

    @property
    def path(self) -> str:
        return self.href.split("?", 1)[0]


LINKS = {
    Level.COMMAND: (
        Link("大屏", "/screen"),
        Link("今日概览", "/today"),
        Link("指挥地图", "/map"),
        Link("超期未办结", "/cases?open=true&overdue=true"),
        Link("督办看板", "/ledger/board"),
        Link("考核排名", "/assessment"),
    ),
    Level.GRID: (
        Link("本街道大屏", "/screen"),
        Link("本范围在办案件", "/cases?open=true"),
        Link("今日巡查上报", "/cases?channel=patrol&reported_from={today}&reported_to={today}"),
        Link("网格地图", "/map"),
        Link("督办台账", "/ledger"),
        Link("本街道排名", "/assessment"),
    ),
    Level.SERVICE: (
        Link("本单位大屏", "/screen"),
        Link("本单位在办", "/cases?open=true"),
        Link("超期未办结", "/cases?open=true&overdue=true"),
        Link("督办台账", "/ledger"),
        Link("考核", "/assessment"),
    ),
}


def landing(role: Role | None, menu_paths: set[str], today: str) -> tuple[Level, str, list[Link]] | None:
    """The caller's level, its label and the links their menu allows; None for citizens."""
    level = LEVEL_OF.get(role) if role is not None else None
    if level is None:
        return None
    links = [
        Link(link.label, link.href.format(today=today)) for link in LINKS[level] if link.path in menu_paths
    ]
    return level, LEVEL_LABEL[level], links
