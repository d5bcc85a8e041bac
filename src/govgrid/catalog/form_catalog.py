"""Loading the 一表通 registry (form_fields.yaml) and the form templates (form_templates.yaml), with errors
naming the file, the field or template, and what is wrong. A template's local field may not repeat a
registered field's name: the datum has one source, and the template must use it (一数一源)."""

from __future__ import annotations

import re
from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError, CatalogSource
from govgrid.domain.forms import (
    ENTRY_PREFIX,
    Condition,
    FieldSpec,
    FieldType,
    FormCatalog,
    Frequency,
    RowRule,
    Template,
    Visibility,
    row_kind,
)

FIELDS, TEMPLATES = "form_fields.yaml", "form_templates.yaml"
_CODE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
_LOCAL = re.compile(r"^[a-z][a-z_]*$")


def load_form_catalog(source: CatalogSource = SHIPPED_SOURCE) -> FormCatalog:
    fields_doc, templates_doc = source.load(FIELDS), source.load(TEMPLATES)
    registers = {str(k): str(v) for k, v in (fields_doc.get("registers") or {}).items()}
    if not registers:
        raise CatalogError(f"catalog/{FIELDS} 缺少 registers（人、房、企、事）", field="registers")
    registry: dict[str, FieldSpec] = {}
    for code, spec in (fields_doc.get("fields") or {}).items():
        where = f"catalog/{FIELDS} 字段 {code}"
        if not _CODE.match(str(code)):
            raise CatalogError(
                f"{where}：代码须为“登记簿前缀.名称”（小写英文，如 person.phone）", field=str(code)
            )
        registry[str(code)] = _field(str(code), spec, where, registers)
    names: dict[str, str] = {}
    for code, spec in registry.items():
        for name in (spec.name, *spec.aliases):
            if name in names and names[name] != code:
                raise CatalogError(
                    f"catalog/{FIELDS}：“{name}”同时是 {names[name]} 和 {code} 的名称，一个数据只能有一个来源",
                    field=code,
                )
            names[name] = code
    templates: dict[str, Template] = {}
    for row, item in enumerate(templates_doc.get("templates") or [], start=1):
        template = _template(item, f"catalog/{TEMPLATES} 第 {row} 张表", registry, names)
        if template.code in templates:
            raise CatalogError(f"catalog/{TEMPLATES}：表 {template.code} 重复", field=template.code)
        templates[template.code] = template
    admission = templates_doc.get("admission") or {}
    refusals = {str(k): str(v) for k, v in (admission.get("refusals") or {}).items()}
    if "duplicate" not in refusals:
        raise CatalogError(
            f"catalog/{TEMPLATES} admission.refusals 须有 duplicate（重复采集）", field="admission"
        )
    overlap = admission.get("overlap_warning", 0.8)
    if not isinstance(overlap, int | float) or not 0 < overlap <= 1:
        raise CatalogError(f"catalog/{TEMPLATES} admission.overlap_warning 须在 0–1 之间", field="admission")
    ladder = templates_doc.get("ladder") or {}
    remind, report = ladder.get("remind_work_hours", 2), ladder.get("report_after_workdays", 1)
    if (
        not isinstance(remind, int | float)
        or not 0 <= remind <= 40
        or not isinstance(report, int)
        or report < 1
    ):
        raise CatalogError(
            f"catalog/{TEMPLATES} ladder：remind_work_hours 须为 0–40，report_after_workdays 须为正整数",
            field="ladder",
        )
    return FormCatalog(
        registers,
        registry,
        templates,
        _typing(templates_doc.get("typing_seconds")),
        refusals,
        float(overlap),
        float(remind),
        report,
    )


def _typing(doc: Any) -> dict[str, float]:
    """Seconds to type a value, by field type: every type named, each a positive number."""
    doc = doc or {}
    missing = [t.value for t in FieldType if t.value not in doc]
    if missing:
        raise CatalogError(
            f"catalog/{TEMPLATES} typing_seconds 缺少 {'、'.join(missing)}", field="typing_seconds"
        )
    try:
        seconds = {str(k): float(v) for k, v in doc.items()}
    except (TypeError, ValueError):
        raise CatalogError(f"catalog/{TEMPLATES} typing_seconds 须为秒数", field="typing_seconds") from None
    if any(v <= 0 or v > 600 for v in seconds.values()):
        raise CatalogError(f"catalog/{TEMPLATES} typing_seconds 须在 0–600 秒之间", field="typing_seconds")
    return seconds


def _rows(
    item: dict[str, Any], where: str, fields: tuple[str, ...], registry: dict[str, FieldSpec]
) -> RowRule:
    """A template's row rule: the register its rows are entries of (by default a resident where the form
    asks about people) and the conditions that pick them, each on a field of that register."""
    doc = item.get("rows") or {}
    default = row_kind(fields)
    kind = str(doc.get("kind", default))
    if kind not in ENTRY_PREFIX:
        raise CatalogError(f"{where}：rows.kind 须为 {'/'.join(ENTRY_PREFIX)}", field=str(item["code"]))
    conditions = []
    for spec in doc.get("any_of") or ():
        code = str((spec or {}).get("field", ""))
        if not code.startswith(ENTRY_PREFIX[kind] + ".") or code not in registry:
            raise CatalogError(f"{where}：rows 的条件字段“{code}”不在{kind}登记簿中", field=str(item["code"]))
        within = spec.get("within_days")
        values = tuple(str(v) for v in spec.get("values") or ())
        bad = [v for v in values if registry[code].choices and v not in registry[code].choices]
        if bad or (within is not None and (not isinstance(within, int) or within < 0)):
            raise CatalogError(
                f"{where}：rows 的条件 {code} 取值不对：{bad or within}", field=str(item["code"])
            )
        conditions.append(Condition(code, values, within, bool(spec.get("present"))))
    return RowRule(kind, tuple(conditions))


def _field(code: str, spec: Any, where: str, registers: dict[str, str] | None) -> FieldSpec:
    if not isinstance(spec, dict) or not spec.get("name"):
        raise CatalogError(f"{where}：须有 name（中文名）和 type", field=code)
    try:
        kind = FieldType(str(spec.get("type")))
        visibility = Visibility(spec.get("visibility", "open"))
    except ValueError:
        raise CatalogError(
            f"{where}：type 须为 {'/'.join(FieldType)}，visibility 须为 {'/'.join(Visibility)}", field=code
        ) from None
    register = spec.get("register")
    if registers is not None and register not in registers:
        raise CatalogError(f"{where}：register“{register}”不是 {'、'.join(registers)} 之一", field=code)
    choices = tuple(str(c) for c in spec.get("choices") or ())
    if (kind is FieldType.CHOICE) != bool(choices):
        raise CatalogError(f"{where}：选项字段须列出 choices，其他类型不可有", field=code)
    try:
        pattern = re.compile(spec["pattern"]) if spec.get("pattern") else None
        return FieldSpec(
            code=code,
            name=str(spec["name"]),
            type=kind,
            register=str(register) if registers is not None else None,
            visibility=visibility,
            choices=choices,
            minimum=float(spec["min"]) if "min" in spec else None,
            maximum=float(spec["max"]) if "max" in spec and kind is FieldType.NUMBER else None,
            max_length=int(spec["max"]) if "max" in spec and kind is not FieldType.NUMBER else 500,
            pattern=pattern,
            aliases=tuple(str(a) for a in spec.get("aliases") or ()),
        )
    except (re.error, TypeError, ValueError) as exc:
        raise CatalogError(f"{where}：{exc}", field=code) from None


def _template(item: Any, where: str, registry: dict[str, FieldSpec], names: dict[str, str]) -> Template:
    if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
        raise CatalogError(f"{where}：须有 code、name、department、frequency 和 fields", field="templates")
    code = str(item["code"])
    where = f"{where}（{item['name']}）"
    fields = tuple(str(c) for c in item.get("fields") or ())
    unknown = [c for c in fields if c not in registry]
    if unknown:
        raise CatalogError(f"{where}：登记簿中没有字段 {'、'.join(unknown)}", field=code)
    if len(set(fields)) != len(fields):
        raise CatalogError(f"{where}：字段重复", field=code)
    local = []
    for spec in item.get("local") or ():
        local_code = str((spec or {}).get("code", ""))
        if not _LOCAL.match(local_code):
            raise CatalogError(f"{where}：本表字段须有小写英文 code", field=code)
        field_spec = _field(local_code, spec, f"{where} 本表字段 {local_code}", None)
        if field_spec.name in names:
            raise CatalogError(
                f"{where}：本表字段“{field_spec.name}”已登记为 {names[field_spec.name]}，请直接使用登记字段",
                field=local_code,
            )
        local.append(field_spec)
    try:
        frequency = Frequency(str(item.get("frequency")))
    except ValueError:
        raise CatalogError(f"{where}：frequency 须为 {'/'.join(Frequency)}", field=code) from None
    return Template(
        code,
        str(item["name"]),
        str(item.get("department", "")),
        frequency,
        fields,
        tuple(local),
        _rows(item, where, fields, registry),
        _retention(item, where),
    )


def _retention(item: dict[str, Any], where: str) -> int | None:
    days = item.get("retention_days")
    if days is None:
        return None
    if not isinstance(days, int) or not 1 <= days <= 3650:
        raise CatalogError(f"{where}：retention_days 须为 1–3650 天", field=str(item["code"]))
    return days
