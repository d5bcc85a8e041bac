"""The 12345 three-level message taxonomy (一级/二级/三级分类), read from the city's CSV file.

govgrid ships no copy: a city points GOVGRID_TAXONOMY_FILE at its own file (columns 一级分类, 二级分类,
三级分类). When one is configured, every category the 12345 connector maps must be a path in it."""

from __future__ import annotations

import csv
from pathlib import Path

from govgrid.catalog import CatalogError
from govgrid.domain.case_rules import Connector

COLUMNS = ("一级分类", "二级分类", "三级分类")


def load_taxonomy(path: Path) -> set[str]:
    """Every "一级/二级/三级" path in the file; a missing column or an empty cell is named by row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CatalogError(f"分类文件 {path} 缺少列 {missing}", field=missing[0])
            paths = set()
            for number, row in enumerate(reader, start=2):
                cells = [(row.get(c) or "").strip() for c in COLUMNS]
                if not all(cells):
                    raise CatalogError(
                        f"分类文件 {path} 第 {number} 行有空的分类", field=COLUMNS[cells.index("")]
                    )
                paths.add("/".join(cells))
    except UnicodeDecodeError:
        raise CatalogError(f"分类文件 {path} 不是 UTF-8 编码", field="taxonomy_file") from None
    return paths


def check_connector_categories(connectors: dict[str, Connector], paths: set[str]) -> None:
    """Categories mapped by 12345 connectors must exist in the taxonomy."""
    for connector in connectors.values():
        if connector.loop.value != "hotline":
            continue
        unknown = sorted(key for key in connector.class_map if key not in paths)
        if unknown:
            raise CatalogError(
                f"catalog/connectors.yaml 连接器 {connector.id} 映射的分类不在 12345 分类体系中：{unknown}",
                field="class",
            )
