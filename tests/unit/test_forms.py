"""一表通's registry and templates: the ten seed forms are composed of registry fields, most of their columns
shared; a value is checked by its field's type (the ID number's check digit, a phone, a choice, bounds)
and named when wrong; personal values are masked; a catalogue that breaks 一数一源 is refused."""

from __future__ import annotations

from datetime import date

import pytest

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.catalog.form_catalog import load_form_catalog
from govgrid.domain.errors import InvalidInput
from govgrid.domain.forms import check_value, find_header, id_number_problem, mask

CATALOG = load_form_catalog()
SEED_FORMS = {
    "新增人员表", "随访记录表", "发烧报告表", "九小排查表", "租户排查表",
    "企业员工明细表", "重点管理人员表", "返乡人员表", "核酸检测申请表", "复工情况调查表",
}  # fmt: skip


def test_the_ten_seed_forms_ship_and_most_of_their_columns_are_shared_registry_fields():
    assert {t.name for t in CATALOG.templates.values()} == SEED_FORMS
    found = CATALOG.stats()
    assert found.templates == 10 and found.shared_share >= 0.6
    uses = CATALOG.uses()
    shared = sum(uses[c] >= 2 for t in CATALOG.templates.values() for c in t.fields)
    assert found.shared_share == pytest.approx(shared / found.fields)
    local = sum(len(t.local) for t in CATALOG.templates.values())
    assert local > 0 and found.fields == local + sum(len(t.fields) for t in CATALOG.templates.values())


def test_a_field_every_epidemic_form_asks_is_defined_once():
    phone = CATALOG.registry["person.phone"]
    assert phone.is_personal and CATALOG.uses()["person.phone"] >= 5


def test_an_id_number_is_checked_by_its_check_digit_and_birth_date():
    assert id_number_problem("370102198001011237") is None
    assert id_number_problem("11010519491231002X") is None
    assert "校验位应为 7" in id_number_problem("370102198001011238")
    assert "出生日期" in id_number_problem("370102198002301230")
    spec = CATALOG.registry["person.id_number"]
    assert check_value(spec, " 11010519491231002x ") == "11010519491231002X"
    with pytest.raises(InvalidInput, match=r"第 3 行身份证号“370102\*+1238”校验位应为 7") as caught:
        check_value(spec, "370102198001011238", where="第 3 行")
    assert caught.value.field == "person.id_number"  # the wrong number itself is not echoed whole


def test_phones_choices_numbers_and_dates_are_checked_and_named():
    registry = CATALOG.registry
    assert check_value(registry["person.phone"], "13812345678") == "13812345678"
    assert check_value(registry["person.phone"], "0531-86123456") == "0531-86123456"
    with pytest.raises(InvalidInput, match="联系电话“12345”不是手机号"):
        check_value(registry["person.phone"], "12345")
    with pytest.raises(InvalidInput, match="性别“未知”须为 男、女 之一"):
        check_value(registry["person.gender"], "未知")
    with pytest.raises(InvalidInput, match="体温（℃）“45”须在 34 到 43 之间"):
        check_value(registry["event.temperature"], "45")
    assert check_value(registry["event.date"], "2026/3/05".replace("/3/", "/03/")) == date(2026, 3, 5)
    with pytest.raises(InvalidInput, match="不是日期"):
        check_value(registry["event.date"], "昨天")
    assert check_value(registry["person.name"], "  ") is None


def test_personal_values_are_masked_and_open_ones_are_not():
    registry = CATALOG.registry
    assert mask(registry["person.id_number"], "370102198001011237") == "370102********1237"
    assert mask(registry["person.phone"], "13812345678") == "138****5678"
    assert mask(registry["person.name"], "张三") == "张三"


def test_a_local_field_that_repeats_a_registered_one_is_refused():
    templates = SHIPPED_SOURCE.load("form_templates.yaml")
    templates["templates"][0]["local"] = [{"code": "tel", "name": "联系电话", "type": "phone"}]

    class Source:
        def load(self, name):  # type: ignore[no-untyped-def]
            return templates if name == "form_templates.yaml" else SHIPPED_SOURCE.load(name)

    with pytest.raises(CatalogError, match="“联系电话”已登记为 person.phone，请直接使用登记字段"):
        load_form_catalog(Source())  # type: ignore[arg-type]


def test_a_template_naming_an_unregistered_field_is_refused():
    templates = SHIPPED_SOURCE.load("form_templates.yaml")
    templates["templates"][1]["fields"].append("person.blood_type")

    class Source:
        def load(self, name):  # type: ignore[no-untyped-def]
            return templates if name == "form_templates.yaml" else SHIPPED_SOURCE.load(name)

    with pytest.raises(CatalogError, match="随访记录表）：登记簿中没有字段 person.blood_type"):
        load_form_catalog(Source())  # type: ignore[arg-type]


def test_admission_finds_a_new_forms_registered_columns_under_their_other_names():
    found = CATALOG.admission(
        ["序号", "姓名", "身份证号码（必填）", "手 机 号", "现居住地址", "是否接种", None]
    )
    assert found.registered == (
        ("姓名", "person.name"),
        ("身份证号码（必填）", "person.id_number"),
        ("手 机 号", "person.phone"),
        ("现居住地址", "person.address"),
    )
    assert found.new == ("是否接种",) and found.share == pytest.approx(0.8)


def test_a_sheets_header_is_found_under_its_merged_title_row():
    rows = [
        ["历下区返乡人员登记表"] * 4,
        ["填报单位：", None, None, None],
        ["姓名", "电话", "返乡日期", "车次"],
        ["张三"],
    ]
    assert find_header(rows) == ["姓名", "电话", "返乡日期", "车次"]


def test_an_alias_may_not_name_two_fields():
    fields = SHIPPED_SOURCE.load("form_fields.yaml")
    fields["fields"]["enterprise.contact_phone"]["aliases"] = ["手机号"]

    class Source:
        def load(self, name):  # type: ignore[no-untyped-def]
            return fields if name == "form_fields.yaml" else SHIPPED_SOURCE.load(name)

    with pytest.raises(CatalogError, match="“手机号”同时是 person.phone 和 enterprise.contact_phone 的名称"):
        load_form_catalog(Source())  # type: ignore[arg-type]
