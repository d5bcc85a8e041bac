"""A case history from an incumbent system comes in through the history replay: the 天门 figures come back
from an imported month, an imported history gives the same metrics as the same cases entered live, each
case's steps are rebuilt with the old deadlines kept, a file imported again adds nothing, an order a
connector already pushed is present, and a file with bad rows is refused whole, naming each row."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import OrgUnit
from govgrid.domain.assessment import Period
from govgrid.domain.errors import Forbidden
from govgrid.domain.workflow import Loop
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.metrics import Slice, metrics
from govgrid.services.cases import intake
from govgrid.services.cases.history_import import CasesRejected, import_cases
from govgrid.services.geo.locate import LocatorCache
from tests.factories import connector_actor
from tests.services.cases.test_cases import RULES, who

HEADERS = [
    "案件编号",
    "来源",
    "问题分类",
    "标题",
    "地址",
    "经度",
    "纬度",
    "上报时间",
    "立案时间",
    "派遣时间",
    "处置单位",
    "处置时限",
    "延期后时限",
    "反馈时间",
    "结案时间",
    "返工次数",
    "当前状态",
    "回访联系",
    "回访解决",
    "满意度",
]
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def sheet(rows: list[dict[str, object]], headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _text(v) for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def _text(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)


def march(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=CHINA)


def run(session, data: bytes, *, source: str = "szcg", username: str = "admin", name: str = "history.csv"):  # type: ignore[no-untyped-def]
    return import_cases(
        session,
        actor=who(session, username),
        rules=RULES,
        locator=LocatorCache(),
        data=data,
        filename=name,
        now=NOW,
        source=source,
    )


def case_row(number: str, point, **cells: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "案件编号": number,
        "来源": "巡查",
        "问题分类": "E0102",
        "标题": "路边暴露垃圾",
        "经度": point[0],
        "纬度": point[1],
        "处置单位": "LX-CGJ",
        **cells,
    }


def tianmen_month(point) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """996 registered in March: 972 due in March (911 closed, 737 of them on time), 24 due in April."""
    rows = []
    for n in range(996):
        day = 3 + n % 18
        start = march(day)
        times = {"上报时间": start - timedelta(minutes=30), "立案时间": start - timedelta(minutes=10)}
        times |= {"派遣时间": start, "处置时限": start + timedelta(days=3)}
        if n < 737:  # closed on time
            times |= {
                "反馈时间": start + timedelta(days=1),
                "结案时间": start + timedelta(days=2),
                "当前状态": "已结案",
            }
        elif n < 911:  # closed late, still in March
            late = start + timedelta(days=4)
            times |= {"反馈时间": late, "结案时间": late + timedelta(hours=2), "当前状态": "已结案"}
        elif n < 972:  # due in March, open at its end
            times |= {"当前状态": "处置中"}
        else:  # due in April
            times |= {"处置时限": datetime(2025, 4, 10, 17, tzinfo=CHINA), "当前状态": "处置中"}
        rows.append(case_row(f"TM{n:04d}", point, **times))
    return rows


def test_the_tianmen_figures_come_back_through_the_import_and_a_second_import_adds_nothing(fresh):
    sessions, point = fresh
    data = sheet(tianmen_month(point))
    with sessions() as session:
        first = run(session, data)
        assert (first.rows, first.created, first.present) == (996, 996, 0)
        found = metrics(
            session, actor=who(session, "dispatcher"), rules=RULES, period=MARCH, by=Slice.DISTRICT
        )
        total = found["total"]
        assert (total["registered"], total["due"], total["closed"], total["closed_on_time"]) == (
            996,
            972,
            911,
            737,
        )
        assert (total["closure_rate"], total["on_time_rate"]) == (0.9372, 0.7582)
        again = run(session, data)
        assert (again.created, again.present) == (0, 996)
        assert session.scalar(select(func.count()).select_from(Case)) == 996


def test_each_imported_case_has_its_steps_rebuilt_with_the_old_deadline_and_extension_kept(fresh):
    sessions, point = fresh
    row = case_row(
        "SZ-1",
        point,
        上报时间=march(3, 8),
        立案时间=march(3, 9),
        派遣时间=march(3, 10),
        处置时限=march(4, 10),
        延期后时限=march(6, 17),
        反馈时间=march(5, 10),
        结案时间=march(6, 10),
        返工次数=1,
        当前状态="已结案",
    )
    with sessions() as session:
        run(session, sheet([row]))
        case = session.scalars(select(Case)).one()
        history = session.scalars(
            select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.id)
        ).all()
    assert [h.step for h in history] == [
        "report",
        "verify",
        "register",
        "dispatch",
        "extension_approve",
        "sign",
        "feed_back",
        "check_fail",
        "feed_back",
        "check_pass",
    ]
    assert (case.status, case.rework_count, case.source, case.external_id) == ("closed", 1, "szcg", "SZ-1")
    assert case.due_at == march(6, 17)  # the old system's extended deadline, not recomputed
    assert history[3].detail["due_at"] == march(4, 10).isoformat()
    assert history[1].note.startswith("历史导入：原系统未记录") and history[5].note.startswith(
        "历史导入：原系统未记录"
    )
    assert history[-1].at == march(6, 10) and history[6].at == march(5, 10)
    assert history[5].actor_name.endswith("（历史导入）")  # 签收 by the unit it was dispatched to


def test_an_imported_history_gives_the_same_metrics_as_the_same_cases_entered_live(session, may_cases, fresh):
    """The live May cases, written out as an incumbent system would export them and imported elsewhere."""
    rows = [export_row(session, case_id) for case_id in may_cases.values()]
    may = Period(date(2025, 5, 1), date(2025, 5, 31))
    live = metrics(session, actor=who(session, "dispatcher"), rules=RULES, period=may, by=Slice.DEPARTMENT)
    live_units = {u.id: u.code for u in session.scalars(select(OrgUnit))}
    sessions, _ = fresh
    with sessions() as other:
        run(other, sheet(rows))
        imported = metrics(
            other, actor=who(other, "dispatcher"), rules=RULES, period=may, by=Slice.DEPARTMENT
        )
        units = {u.id: u.code for u in other.scalars(select(OrgUnit))}
    assert imported["total"] == live["total"]
    by_code = {units[int(r["code"])]: r for r in imported["rows"] if r["code"]}
    for row in live["rows"]:
        if row["code"]:
            assert by_code[live_units[int(row["code"])]] | {"code": row["code"]} == row


def export_row(session, case_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A case as an incumbent system exports it: its times, unit, deadline, reworks and status."""
    case = session.get(Case, case_id)
    history = session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case_id).order_by(CaseTransition.id)
    ).all()
    first = {h.step: h for h in reversed(history)}
    status = {"closed": "已结案", "cancelled": "作废", "dispatched": "处置中", "signed": "处置中"}[
        case.status
    ]
    row: dict[str, object] = {
        "案件编号": case.code,
        "来源": "巡查",
        "问题分类": case.class_code,
        "标题": case.title,
        "经度": case.lng,
        "纬度": case.lat,
        "上报时间": case.reported_at.astimezone(CHINA),
        "当前状态": status,
        "返工次数": case.rework_count,
    }
    if "register" in first:
        row["立案时间"] = first["register"].at.astimezone(CHINA)
    if "dispatch" in first:
        dispatch = first["dispatch"]
        row |= {
            "派遣时间": dispatch.at.astimezone(CHINA),
            "处置时限": datetime.fromisoformat(dispatch.detail["due_at"]),
        }
        row["处置单位"] = session.get(OrgUnit, dispatch.detail["unit_id"]).code
    if "feed_back" in first:
        row["反馈时间"] = first["feed_back"].at.astimezone(CHINA)
    if "check_pass" in first:
        row["结案时间"] = first["check_pass"].at.astimezone(CHINA)
    if "cancel" in first:
        row["立案时间"] = ""
        row["结案时间"] = first["cancel"].at.astimezone(CHINA)
    return row


def test_12345_orders_bring_their_callbacks_and_an_order_the_connector_pushed_is_present(fresh):
    sessions, point = fresh
    order = {
        "来源": "12345",
        "上报时间": march(3, 8),
        "立案时间": march(3, 9),
        "派遣时间": march(3, 10),
        "处置时限": march(10, 17),
        "反馈时间": march(5, 10),
        "结案时间": march(6, 10),
        "当前状态": "已结案",
        "回访联系": "是",
        "回访解决": "是",
        "满意度": "基本满意",
    }
    with sessions() as session:
        pushed, _ = intake.report(
            session,
            actor=connector_actor(),
            rules=RULES,
            locator=LocatorCache(),
            data=intake.Report(
                channel="hotline",
                class_code="E0102",
                title="已推送的工单",
                external_id="H-2",
                lng=point[0],
                lat=point[1],
                loop=Loop.HOTLINE,
            ),
            now=march(3, 9),
        )
        result = run(
            session,
            sheet([case_row("H-1", point, **order), case_row("H-2", point, **order)]),
            source="hotline12345",
        )
        assert (result.created, result.present) == (1, 1)
        found = metrics(
            session, actor=who(session, "dispatcher"), rules=RULES, period=MARCH, by=Slice.CHANNEL
        )
        imported = session.scalar(select(Case).where(Case.external_id == "H-1"))
    assert (imported.loop, imported.status, imported.source) == ("hotline", "evaluated", "hotline12345")
    total = found["total"]
    assert (total["callbacks"], total["response_rate"], total["satisfaction_rate"]) == (1, 1.0, 0.9)
    assert pushed.status == "accepted"


def test_a_file_with_bad_rows_is_refused_whole_naming_each_row_column_and_value(fresh):
    sessions, point = fresh
    good = case_row("OK-1", point, 上报时间=march(3, 8), 立案时间=march(3, 9), 当前状态="待派遣")
    rows = [
        good,
        case_row("B-1", point, 问题分类="不存在的分类", 上报时间=march(3, 8), 当前状态="待立案"),
        case_row(
            "B-2",
            point,
            处置单位="火星局",
            上报时间=march(3, 8),
            立案时间=march(3, 9),
            派遣时间=march(3, 10),
            处置时限=march(4, 10),
            当前状态="处置中",
        ),
        case_row("B-3", (100.0, 20.0), 上报时间=march(3, 8), 当前状态="待立案"),
        case_row("B-4", point, 上报时间=march(3, 8), 立案时间=march(2, 9), 当前状态="待派遣"),
        case_row("B-5", point, 上报时间="三月三日", 当前状态="待立案"),
        case_row("B-6", point, 上报时间=march(3, 8), 立案时间=march(3, 9), 当前状态="已结案"),
        case_row("OK-1", point, 上报时间=march(3, 8), 当前状态="待立案"),
        case_row("B-8", point, 上报时间=march(3, 8), 当前状态="快好了"),
    ]
    with sessions() as session:
        with pytest.raises(CasesRejected) as refused:
            run(session, sheet(rows))
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    found = [str(e) for e in refused.value.errors]
    assert refused.value.total == 8
    assert "历史案件 第3行“问题分类”（不存在的分类）：问题分类不在分类目录中" in found[0]
    assert found[1].startswith("历史案件 第4行“处置单位”（火星局）")
    assert found[2].startswith("历史案件 第5行“经度”（100.0）：坐标不在本系统管辖范围内")
    assert found[3].startswith("历史案件 第6行“立案时间”") and "早于上报时间" in found[3]
    assert found[4].startswith("历史案件 第7行“上报时间”（三月三日）")
    assert found[5] == "历史案件 第8行“结案时间”：“已结案”的案件须填此时间"
    assert found[6] == "历史案件 第9行“案件编号”（OK-1）：与第 2 行重复"
    assert found[7].startswith("历史案件 第10行“当前状态”（快好了）")


def test_a_sheet_without_a_required_column_names_it(fresh):
    sessions, point = fresh
    headers = [h for h in HEADERS if h != "当前状态"]
    with sessions() as session, pytest.raises(CasesRejected) as refused:
        run(session, sheet([case_row("X", point, 上报时间=march(3, 8))], headers))
    assert "缺少必填列“当前状态”" in str(refused.value.errors[0])


def test_only_an_administrator_imports_a_case_history(fresh):
    sessions, point = fresh
    data = sheet([case_row("X", point, 上报时间=march(3, 8), 当前状态="待立案")])
    with sessions() as session:
        for username in ("dispatcher", "supervisor", "leader"):
            with pytest.raises(Forbidden):
                run(session, data, username=username)
        assert session.scalar(select(func.count()).select_from(Case)) == 0
