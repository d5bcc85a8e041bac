"""A city's own catalogues (GOVGRID_CATALOG_DIR) replace the shipped files of the same name, and are
checked exactly as the shipped ones: a bad file stops the start naming the city's file, the row and the
field; a misspelt file name is refused rather than silently changing nothing."""

from __future__ import annotations

from importlib import resources

import pytest

from govgrid.catalog import CatalogError
from govgrid.catalog.bundle import load_catalogs


def shipped(name: str) -> str:
    return resources.files("govgrid.catalog").joinpath(name).read_text(encoding="utf-8")


def test_a_citys_own_case_classes_replace_the_shipped_ones(tmp_path):
    own = shipped("case_classes.yaml").replace(
        "code: E0102, name: 暴露垃圾, time_limit: [4, 工作时]",
        "code: E0102, name: 暴露垃圾, time_limit: [2, 工作时]",
    )
    (tmp_path / "case_classes.yaml").write_text(own, encoding="utf-8")
    city = load_catalogs(tmp_path).case_rules.classes["E0102"]
    assert city.time_limit == 2
    assert load_catalogs().case_rules.classes["E0102"].time_limit == 4  # the shipped file is untouched


def test_a_bad_city_file_is_refused_naming_that_file_and_the_row(tmp_path):
    broken = shipped("case_classes.yaml").replace("code: E0103, name: 积存垃圾渣土, ", "code: E0103, ")
    (tmp_path / "case_classes.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogError) as refused:
        load_catalogs(tmp_path)
    assert str(tmp_path / "case_classes.yaml") in refused.value.message
    assert "第 3 条" in refused.value.message and "name" in refused.value.message


def test_a_city_file_that_is_not_yaml_is_refused_by_name(tmp_path):
    (tmp_path / "supervision.yaml").write_text("ledger: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match="supervision.yaml 不是有效的 YAML"):
        load_catalogs(tmp_path)


def test_a_misspelt_file_name_in_the_city_folder_is_refused(tmp_path):
    (tmp_path / "case_class.yaml").write_text(shipped("case_classes.yaml"), encoding="utf-8")
    with pytest.raises(CatalogError, match="case_class.yaml 不是可替换的目录文件"):
        load_catalogs(tmp_path)


def test_the_server_starts_with_the_citys_catalogues(tmp_path):
    from govgrid.settings import load_settings
    from govgrid.web.app import create_app

    folder = tmp_path / "city"
    folder.mkdir()
    own = shipped("supervision.yaml").replace("urge_after_workdays: ", "urge_after_workdays: 9 #")
    (folder / "supervision.yaml").write_text(own, encoding="utf-8")
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'city.db'}", secret_key="x" * 40, catalog_dir=folder
    )
    assert create_app(settings).state.catalogs.policy.urge_after_workdays == 9
