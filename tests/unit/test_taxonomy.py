"""The city's 12345 taxonomy: read by path, malformed rows named, connector categories checked against it."""

from pathlib import Path

import pytest

from govgrid.catalog import CatalogError
from govgrid.catalog.connector_catalog import load_connectors
from govgrid.catalog.taxonomy import check_connector_categories, load_taxonomy
from tests.catalogs import CATALOGS

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "messages" / "taxonomy_3level.csv"


def test_a_missing_column_or_empty_cell_is_named(tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("一级分类,二级分类\n城乡建设,安全生产\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="三级分类"):
        load_taxonomy(bad)
    bad.write_text("一级分类,二级分类,三级分类\n城乡建设,安全生产,\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="第 2 行"):
        load_taxonomy(bad)


def test_a_mapped_category_missing_from_the_taxonomy_is_refused():
    connectors = load_connectors(set(CATALOGS.case_rules.classes))
    with pytest.raises(CatalogError, match="环境卫生"):
        check_connector_categories(connectors, {"环境保护/环境污染/噪音污染"})


@pytest.mark.shared
def test_every_shipped_12345_mapping_is_a_path_of_the_real_taxonomy():
    if not SHARED.is_file():
        pytest.skip(f"参考数据 {SHARED} 不存在")
    paths = load_taxonomy(SHARED)
    assert len(paths) > 300 and len({p.split("/")[0] for p in paths}) == 15
    check_connector_categories(load_connectors(set(CATALOGS.case_rules.classes)), paths)
