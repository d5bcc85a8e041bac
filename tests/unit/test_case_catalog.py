"""The shipped case-class catalogue and responsibility list load, and bad rows are named."""

import copy

import pytest

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.catalog.case_catalog import load_case_classes, load_responsibility
from govgrid.domain.worktime import TimeUnit

classes = load_case_classes()
responsibility = load_responsibility(classes)


def test_exposed_garbage_must_be_handled_in_four_work_hours_by_sanitation():
    garbage = classes["E0102"]
    assert garbage.name == "暴露垃圾" and garbage.major_name == "市容环境"
    assert (garbage.time_limit, garbage.time_unit) == (4, TimeUnit.WORK_HOURS)
    assert responsibility.unit_for(garbage, "370102004001001") == "LX-CGJ"


def test_a_class_with_no_owning_department_falls_to_the_street_of_the_grid():
    assert responsibility.unit_for(classes["E0201"], "370102004001001") == "370102004"


def test_a_rule_for_an_area_wins_over_the_default_unit():
    city = load_responsibility(
        classes,
        {
            **SHIPPED_SOURCE.load("responsibility.yaml"),
            "rules": [{"class": "E0102", "area": "370102004", "unit": "370102004"}],
        },
    )
    assert city.unit_for(classes["E0102"], "370102004001001") == "370102004"
    assert city.unit_for(classes["E0102"], "370102005001001") == "LX-CGJ"


def test_the_catalogue_has_components_and_events_of_every_major_class():
    assert {c.major_code for c in classes.values()} == {
        "E01",
        "E02",
        "E03",
        "E04",
        "E05",
        "C01",
        "C02",
        "C03",
        "C04",
    }


def broken(change):
    doc = copy.deepcopy(SHIPPED_SOURCE.load("case_classes.yaml"))
    change(doc["classes"][1])
    return doc


@pytest.mark.parametrize(
    "change,field",
    [
        (lambda row: row.pop("register"), "register"),
        (lambda row: row.update(time_limit=[4, "小时"]), "time_limit"),
        (lambda row: row.update(time_limit=[0, "工作日"]), "time_limit"),
        (lambda row: row.update(code="E9901"), "code"),
    ],
)
def test_a_malformed_row_is_named_by_file_row_and_field(change, field):
    with pytest.raises(CatalogError) as caught:
        load_case_classes(broken(change))
    assert caught.value.field == field and "case_classes.yaml 第 2 条" in caught.value.message


def test_an_undefined_responsibility_key_is_refused():
    doc = broken(lambda row: row.update(unit="外星局"))
    with pytest.raises(CatalogError, match="外星局"):
        load_responsibility(load_case_classes(doc))


def test_a_district_with_a_list_of_its_own_goes_by_it_alone_and_falls_to_its_street():
    garbage, greens = classes["E0102"], classes["E0106"]  # 环卫 (named by 市中区), 园林 (not)
    assert responsibility.unit_for(garbage, "370103001001001") == "SZ-CGJ"
    assert responsibility.unit_for(greens, "370103001001001") == "370103001"
    assert responsibility.unit_for(greens, "370102004001001") == "LX-YL"  # 历下区: the default list
    assert responsibility.unit_for(garbage, None, "370103") == "SZ-CGJ"  # no grid yet: by the case's district
    assert responsibility.unit_for(greens, None, "370103") is None  # 属地, and no street known


def test_a_district_list_under_a_bad_code_or_with_a_bad_rule_is_named():
    shipped = SHIPPED_SOURCE.load("responsibility.yaml")
    with pytest.raises(CatalogError, match="districts.3701"):
        load_responsibility(classes, {**shipped, "districts": {"3701": {"keys": {}}}})
    with pytest.raises(CatalogError, match="districts.370103 第 1 条"):
        load_responsibility(classes, {**shipped, "districts": {"370103": {"rules": [{"class": "X9"}]}}})
