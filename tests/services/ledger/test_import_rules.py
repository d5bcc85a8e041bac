"""An imported ledger is checked by the rules a person's 交办 and 填报 go through, not by rules of its own:
what report_progress or assign refuses, the import refuses too, naming the sheet, row and column."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger_items import NewItem, NewReport
from govgrid.domain.worktime import CHINA
from govgrid.services.ledger import items
from govgrid.services.ledger.importing import LedgerRejected, import_ledger
from govgrid.services.ledger.reports import report_progress
from tests.services.cases.test_cases import who
from tests.services.ledger.test_ledgers import RULES

NOW = datetime(2026, 11, 20, 10, tzinfo=CHINA)


def workbook(items_rows, report_rows):  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.title = "督办台账"
    sheet.append(["序号", "上级序号", "层级", "工作内容", "牵头单位", "完成时限"])
    for row in items_rows:
        sheet.append(row)
    reports = book.create_sheet("进展记录")
    reports.append(["事项序号", "填报时间", "完成值", "进展情况"])
    for row in report_rows:
        reports.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_report_on_a_measure_is_refused_by_the_import_as_by_the_report_form(session, district):
    supervisor = who(session, "supervisor")
    campaign = items.assign(
        session, actor=supervisor, rules=RULES, data=NewItem(kind="campaign", content="对照"), now=NOW
    )
    measure = items.assign(
        session,
        actor=supervisor,
        rules=RULES,
        data=NewItem(kind="measure", content="措施", parent_id=campaign.id, lead_unit_code="LX-CGJ"),
        now=NOW,
    )
    items.assign(
        session,
        actor=supervisor,
        rules=RULES,
        data=NewItem(
            kind="task",
            content="任务",
            parent_id=measure.id,
            lead_unit_code="LX-CGJ",
            deadline_at=datetime(2026, 12, 31, 17, tzinfo=CHINA),
        ),
        now=NOW,
    )
    with pytest.raises(InvalidInput) as by_hand:
        report_progress(
            session,
            actor=who(session, "dept_officer"),
            rules=RULES,
            item_id=measure.id,
            data=NewReport(narrative="措施的进展"),
            now=NOW,
        )
    data = workbook(
        [
            ["IR-1", None, "行动", "导入对照", None, None],
            ["一", "IR-1", "措施", "措施", "历下区城市管理局", None],
            ["1", "IR-1/一", "任务", "任务", "历下区城市管理局", "2026-12-31"],
        ],
        [["IR-1/一", "2026-11-01 10:00", 10, "措施的进展"]],
    )
    with pytest.raises(LedgerRejected) as imported:
        import_ledger(session, actor=supervisor, rules=RULES, data=data, filename="对照.xlsx", now=NOW)
    [error] = imported.value.errors
    assert (error.sheet, error.row, error.column) == ("进展记录", 2, "事项序号")
    assert error.message == by_hand.value.message


def test_a_task_under_a_measure_with_a_deadline_takes_it_as_by_hand(session, district):
    data = workbook(
        [
            ["IR-2", None, "行动", "继承时限", None, "2026-12-31"],
            ["一", "IR-2", "措施", "措施", "历下区城市管理局", None],
            ["1", "IR-2/一", "任务", "没写时限的任务", "历下区城市管理局", None],
        ],
        [],
    )
    import_ledger(
        session, actor=who(session, "supervisor"), rules=RULES, data=data, filename="继承.xlsx", now=NOW
    )
    from sqlalchemy import select

    from govgrid.db.ledger_models import LedgerItem

    task = session.scalar(select(LedgerItem).where(LedgerItem.content == "没写时限的任务"))
    assert (
        task.deadline_at is not None and task.deadline_at.astimezone(CHINA).date().isoformat() == "2026-12-31"
    )
