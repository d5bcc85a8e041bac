"""Catalogues as data (YAML): shipped in the package, and overridable by a city's own files in
`GOVGRID_CATALOG_DIR` — a file there replaces the shipped file of the same name. Loaded and validated once
at start-up (catalog.bundle.load_catalogs), then injected; errors name the file, the row and the field."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from govgrid.domain.errors import InvalidInput

SHIPPED = (
    "assessment.yaml",
    "calendar.yaml",
    "case_classes.yaml",
    "connectors.yaml",
    "demo_cases.yaml",
    "demo_city.yaml",
    "demo_district.yaml",
    "demo_ledger.yaml",
    "hotline.yaml",
    "inspection_sheets.yaml",
    "navigation.yaml",
    "responsibility.yaml",
    "sla_templates.yaml",
    "supervision.yaml",
)


class CatalogError(InvalidInput):
    """A catalogue file is malformed; the message names file, row and field."""


@dataclass(frozen=True)
class CatalogSource:
    """Where catalogues are read from: a city's own folder first (if given), then the package."""

    directory: Path | None = None

    def __post_init__(self) -> None:
        if self.directory is None:
            return
        if not self.directory.is_dir():
            raise CatalogError(f"GOVGRID_CATALOG_DIR“{self.directory}”不是目录", field="catalog_dir")
        unknown = sorted(p.name for p in self.directory.glob("*.y*ml") if p.name not in SHIPPED)
        if unknown:  # a misspelt name would silently change nothing
            raise CatalogError(
                f"GOVGRID_CATALOG_DIR 中的 {'、'.join(unknown)} 不是可替换的目录文件（可替换：{'、'.join(SHIPPED)}）",
                field="catalog_dir",
            )

    def origin(self, name: str) -> str:
        """How errors name the file: the city's own file, or catalog/<name>."""
        own = self._own(name)
        return str(own) if own is not None else f"catalog/{name}"

    def load(self, name: str) -> Any:
        own = self._own(name)
        if own is not None:
            text = own.read_text(encoding="utf-8")
        else:
            text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CatalogError(f"目录文件 {self.origin(name)} 不是有效的 YAML：{exc}") from None

    def load_bytes(self, name: str) -> bytes | None:
        """A binary catalogue file (a form's layout workbook), the city's own first; None if neither has it."""
        own = self._own(name)
        if own is not None:
            return own.read_bytes()
        shipped = resources.files(__package__).joinpath(name)
        return shipped.read_bytes() if shipped.is_file() else None

    def named(self, error: CatalogError) -> CatalogError:
        """The error with each file it names as where it was really read from (a city's own file by its
        path): the loaders name files by their shipped name."""
        message = error.message
        for name in SHIPPED:
            if self._own(name) is not None:
                message = message.replace(f"catalog/{name}", self.origin(name))
        return CatalogError(message, field=error.field)

    def _own(self, name: str) -> Path | None:
        if self.directory is None:
            return None
        path = self.directory / name
        return path if path.is_file() else None


SHIPPED_SOURCE = CatalogSource()


def require(name: str, rows: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    """Every row has every field, non-empty; else a CatalogError naming file, row and field."""
    for number, row in enumerate(rows, start=1):
        for key in fields:
            if not isinstance(row, dict) or row.get(key) in (None, ""):
                raise CatalogError(f"目录文件 catalog/{name} 第 {number} 条缺少字段 {key}", field=key)
