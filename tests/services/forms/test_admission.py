"""报表准入: a department's proposed form is checked column by column against the registry; the 准入 office
sees how many of its columns are registered and which existing forms it repeats, and approves it — it can
then be sent down, its registered columns filled from the register — or refuses it with a kind and a
reason, counted by month. A department sees only its own requests, and nobody decides twice."""

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook

from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.services.forms import admission, returns, tasks
from tests.catalogs import CATALOGS
from tests.services.cases.test_cases import WEDNESDAY_10, who
from tests.services.forms.test_form_tasks import CALENDAR, COMMUNITY, resident

CATALOG = CATALOGS.forms
VACCINE = ["序号", "姓名", "身份证号码（必填）", "联系电话", "现居住地址", "是否接种", "接种日期"]


def sheet(headers, title="历下区疫苗接种情况统计表"):
    book = Workbook()
    if title:
        book.active.append([title])
    if headers:
        book.active.append(headers)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def proposed(session, name="疫苗接种情况统计表", headers=VACCINE, username="dept_officer"):
    return admission.request_form(
        session, actor=who(session, username), catalog=CATALOG, name=name, frequency="weekly",
        basis="区疫情防控指挥部通知", headers=admission.headers_of(sheet(headers), "x.xlsx"), now=WEDNESDAY_10,
    )  # fmt: skip


def test_a_proposal_names_the_registered_fields_to_reuse_and_the_forms_it_repeats(session, district):
    request = proposed(session)
    found = admission.view(session, actor=who(session, "supervisor"), catalog=CATALOG, request_id=request.id)
    assert found["registered"] == 4 and len(found["columns"]) == 6  # 序号 is not a datum
    assert [spec.code if spec else None for _, spec in found["columns"]] == [
        "person.name", "person.id_number", "person.phone", "person.address", None, None,
    ]  # fmt: skip
    assert {o.template for o in found["overlaps"]} >= {
        "随访记录表",
        "新增人员表",
    }  # they ask all four already


def test_an_approved_form_is_sent_down_and_filled_from_the_register(session, district):
    request = proposed(session, name="疫苗接种登记表（准入测试）")
    admission.decide(
        session, actor=who(session, "supervisor"), catalog=CATALOG, request_id=request.id, approve=True,
        refusal="", reason="复用登记字段", now=WEDNESDAY_10,
    )  # fmt: skip
    merged = admission.with_approved(session, CATALOG)
    template = merged.templates[f"req{request.id}"]
    assert template.fields == ("person.name", "person.id_number", "person.phone", "person.address")
    assert [spec.name for spec in template.local] == ["是否接种", "接种日期"]
    day = WEDNESDAY_10.date() + timedelta(weeks=30)
    task = tasks.issue(
        session, actor=who(session, "dept_officer"), catalog=merged, template_code=template.code,
        community_codes=[COMMUNITY], starts_on=day, ends_on=None, due_workdays=2, now=WEDNESDAY_10,
    )[0]  # fmt: skip
    zhang = resident(session, district, day)
    worker = who(session, "grid_worker")
    entry_id = returns.include_row(
        session, actor=worker, catalog=merged, calendar=CALENDAR, task_id=task.id, period=day,
        label=f"#{zhang.id}", now=WEDNESDAY_10,
    )  # fmt: skip
    assert entry_id == zhang.id
    row = returns.sheet(
        session, actor=worker, catalog=merged, calendar=CALENDAR, task_id=task.id, period=day
    ).rows
    assert [(r.value("person.phone"), r.value("own_a")) for r in row] == [("13812345678", "")]
    with pytest.raises(NotFound, match="没有“无此人”"):
        returns.include_row(
            session, actor=worker, catalog=merged, calendar=CALENDAR, task_id=task.id, period=day,
            label="无此人", now=WEDNESDAY_10,
        )  # fmt: skip


def test_a_refusal_needs_its_kind_and_reason_and_is_counted_and_nobody_decides_twice(session, district):
    request = proposed(session, name="重复的人员表")
    supervisor = who(session, "supervisor")
    with pytest.raises(InvalidInput, match="退回须选择原因"):
        admission.decide(
            session, actor=supervisor, catalog=CATALOG, request_id=request.id, approve=False, refusal="",
            reason="", now=WEDNESDAY_10,
        )  # fmt: skip
    admission.decide(
        session, actor=supervisor, catalog=CATALOG, request_id=request.id, approve=False, refusal="duplicate",
        reason="数据均已在台账中，请向卫健局的新增人员表取数", now=WEDNESDAY_10,
    )  # fmt: skip
    with pytest.raises(Conflict, match="已审核"):
        admission.decide(
            session, actor=supervisor, catalog=CATALOG, request_id=request.id, approve=True, refusal="",
            reason="", now=WEDNESDAY_10,
        )  # fmt: skip
    month = next(m for m in admission.monthly(session, actor=supervisor) if m["month"] == "2026-11")
    assert month["duplicate"] >= 1 and month["refused"] >= month["duplicate"]
    assert f"req{request.id}" not in admission.with_approved(session, CATALOG).templates


def test_only_a_department_proposes_only_the_office_decides_and_a_department_sees_its_own(session, district):
    with pytest.raises(Forbidden):
        proposed(session, username="grid_worker")
    request = proposed(session, name="供水情况表", username="water_officer")
    with pytest.raises(Forbidden):
        admission.decide(
            session, actor=who(session, "water_officer"), catalog=CATALOG, request_id=request.id, approve=True,
            refusal="", reason="", now=WEDNESDAY_10,
        )  # fmt: skip
    with pytest.raises(NotFound):
        admission.view(session, actor=who(session, "dept_officer"), catalog=CATALOG, request_id=request.id)
    mine = admission.list_requests(session, actor=who(session, "dept_officer"))
    assert request.id not in {r.id for r, _ in mine}
    assert request.status == "pending"


def test_a_bad_proposal_is_named(session, district):
    with pytest.raises(InvalidInput, match="前 10 行中没有表头"):
        admission.headers_of(sheet([], title=""), "empty.xlsx")
    with pytest.raises(InvalidInput, match="填报频次"):
        admission.request_form(
            session, actor=who(session, "dept_officer"), catalog=CATALOG, name="某表", frequency="hourly",
            basis="", headers=["姓名"], now=WEDNESDAY_10,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="超过 40 个字"):
        proposed(session, headers=["姓名", "很" * 60])
