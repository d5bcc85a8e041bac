"""Key projects and 时间节点: 倒排工期 from the deadline, milestones met by reports, investment by month,
and evidence files on reports."""

from datetime import datetime

import pytest
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerEvent
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.ledger_items import NewReport
from govgrid.domain.ledger_schedule import Phase
from govgrid.domain.worktime import CHINA
from govgrid.services import blobs
from govgrid.services.ledger import evidence as ledger_evidence
from govgrid.services.ledger import projects as ledger_projects
from govgrid.services.ledger.lights import recompute
from govgrid.services.ledger.reports import report_progress
from tests import samples
from tests.services.cases.test_cases import who
from tests.services.ledger.test_ledgers import RULES, add

START = datetime(2026, 3, 2, 9, tzinfo=CHINA)
PNG = samples.png()
LIMITS = blobs.FileLimits()


def project(session):
    campaign = add(session, kind="campaign", content="项目为王（测试）", assigned_at=START)
    return add(
        session,
        kind="project",
        parent_id=campaign.id,
        content="泉城路片区城市更新项目",
        lead_unit_code="LX-CGJ",
        assigned_at=START,
        deadline_at=datetime(2026, 12, 31, 17, tzinfo=CHINA),
    )


def test_a_backward_schedule_ends_on_the_deadline_and_skips_holidays(session, district):
    item = project(session)
    phases = [
        Phase("前期手续", 20),
        Phase("开工", 5, "start"),
        Phase("主体施工", 60),
        Phase("竣工验收", 10, "finish"),
    ]
    milestones = ledger_projects.schedule_backwards(
        session, actor=who(session, "supervisor"), rules=RULES, item_id=item.id, phases=phases, now=START
    )
    dues = [m.due_at.astimezone(CHINA).date().isoformat() for m in milestones]
    assert dues[-1] == "2026-12-31"  # 竣工验收 ends on the deadline
    assert [m.kind for m in milestones] == ["step", "start", "step", "finish"]
    # 主体施工 ends the working day before the ten working days of 竣工验收 (12-18 … 12-31)
    assert dues[2] == "2026-12-17"
    assert all(RULES.calendar.is_workday(m.due_at.astimezone(CHINA).date()) for m in milestones)
    assert dues == sorted(dues)


def test_a_missed_milestone_turns_the_light_yellow_until_a_report_meets_it(session, district):
    item = project(session)
    start = ledger_projects.add_milestone(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        item_id=item.id,
        label="主体开工",
        kind="start",
        due_at=datetime(2026, 4, 30, 17, tzinfo=CHINA),
        now=START,
    )
    recompute(session, rules=RULES, now=datetime(2026, 5, 6, 9, tzinfo=CHINA), campaign_id=item.campaign_id)
    session.refresh(item)
    assert item.light == "yellow"
    report_progress(
        session,
        actor=who(session, "dept_officer"),
        rules=RULES,
        item_id=item.id,
        data=NewReport(kind="progress", value_reached=40, narrative="已开工", milestone_id=start.id),
        now=datetime(2026, 5, 6, 10, tzinfo=CHINA),
    )
    session.refresh(item)
    session.refresh(start)
    assert start.done_at is not None and item.light == "green"


def test_reported_funds_on_a_project_count_as_completed_investment_of_that_month(session, district):
    item = project(session)
    ledger_projects.plan_investment(
        session,
        actor=who(session, "supervisor"),
        item_id=item.id,
        planned={"2026-03": 500, "2026-04": 800},
        ambassador="刘洋",
        now=START,
    )
    for day, funds in ((10, 120.5), (20, 200)):
        report_progress(
            session,
            actor=who(session, "dept_officer"),
            rules=RULES,
            item_id=item.id,
            data=NewReport(kind="progress", value_reached=10, narrative="推进", funds_used=funds),
            now=datetime(2026, 4, day, 10, tzinfo=CHINA),
        )
    months = {m.month: (m.planned, m.completed) for m in ledger_projects.investment_of(session, item.id)}
    assert months == {"2026-03": (500, 0), "2026-04": (800, 320.5)}
    session.refresh(item)
    assert item.ambassador == "刘洋"


def test_an_investment_plan_refuses_a_month_written_otherwise_and_keeps_nothing(session, district):
    item = project(session)
    with pytest.raises(InvalidInput, match="2026年4月"):
        ledger_projects.plan_investment(
            session,
            actor=who(session, "supervisor"),
            item_id=item.id,
            planned={"2026-03": 500, "2026年4月": 800},
            now=START,
        )
    assert ledger_projects.investment_of(session, item.id) == []


def test_a_report_carries_evidence_files_checked_by_their_bytes(session, district, tmp_path):
    item = project(session)
    report = report_progress(
        session,
        actor=who(session, "dept_officer"),
        rules=RULES,
        item_id=item.id,
        data=NewReport(kind="progress", value_reached=5, narrative="完成立项"),
        now=START,
    )
    officer = who(session, "dept_officer")
    pdf = ledger_evidence.attach_evidence(
        session,
        actor=officer,
        media_dir=tmp_path,
        report_id=report.id,
        upload=blobs.evidence("立项批复.pdf", samples.PDF, LIMITS),
        now=START,
    )
    ledger_evidence.attach_evidence(
        session,
        actor=officer,
        media_dir=tmp_path,
        report_id=report.id,
        upload=blobs.evidence("现场.png", PNG, LIMITS),
        now=START,
    )
    with pytest.raises(InvalidInput, match="不是图片、PDF"):
        blobs.evidence("说明.docx", b"plain text", LIMITS)
    found = ledger_evidence.evidence_of(session, [report.id])[report.id]
    assert [(e.filename, e.content_type) for e in found] == [
        ("立项批复.pdf", "application/pdf"),
        ("现场.png", "image/png"),
    ]
    _, path = ledger_evidence.evidence_file(
        session, actor=who(session, "supervisor"), media_dir=tmp_path, evidence_id=pdf.id
    )
    assert path.read_bytes().startswith(b"%PDF")
    events = session.scalars(select(LedgerEvent.action).where(LedgerEvent.item_id == item.id)).all()
    assert events.count("evidence") == 2


def test_another_unit_can_neither_add_nor_read_evidence(session, district, tmp_path):
    item = project(session)
    report = report_progress(
        session,
        actor=who(session, "dept_officer"),
        rules=RULES,
        item_id=item.id,
        data=NewReport(kind="progress", value_reached=5, narrative="完成立项"),
        now=START,
    )
    with pytest.raises(NotFound):
        ledger_evidence.attach_evidence(
            session,
            actor=who(session, "water_officer"),
            media_dir=tmp_path,
            report_id=report.id,
            upload=blobs.evidence("a.png", PNG, LIMITS),
            now=START,
        )


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("说明.docx", samples.plain_zip(), "不是 Office 文档"),
        ("说明.docx", samples.docx(main_part="word/other.xml"), "不是真正的 .docx"),
        ("表格.xlsx", samples.docx(), "不是真正的 .xlsx"),
        ("扫描件.pdf", b"%PDF-1.4 truncated", "不是完整的 PDF"),
    ],
)
def test_a_zip_named_docx_that_is_not_real_ooxml_is_refused(name, data, reason):
    with pytest.raises(InvalidInput, match=reason):
        blobs.evidence(name, data, LIMITS)


def test_a_real_docx_is_accepted_as_word():
    assert blobs.evidence("汇报.docx", samples.docx(), LIMITS).content_type.endswith(
        "wordprocessingml.document"
    )
