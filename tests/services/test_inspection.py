"""督导检查·现场评分: a supervisor scores communities on the sheet of the catalogue, a deduction raises a
rectification case that runs the normal loop to its close, places are ranked by score with ties sharing a
place, a resent form records once, and bad input or the wrong person is refused, naming what is wrong."""

import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Attachment, Case
from govgrid.db.inspection_models import InspectionDeduction, InspectionRecord
from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.inspection import rank_places, score
from govgrid.domain.workflow import Status, Step
from govgrid.domain.worktime import CHINA
from govgrid.services import blobs, inspection
from tests.catalogs import CATALOGS
from tests.factories import DISTRICT, STREET_A, STREET_B
from tests.samples import jpeg
from tests.services.cases.test_cases import LOCATOR, RULES, step, who

SHEETS = CATALOGS.inspection_sheets
SHEET = SHEETS["village-sanitation"]
WHEN = datetime(2026, 11, 10, 10, tzinfo=CHINA)


@pytest.fixture
def tools(tmp_path):
    return inspection.Tools(RULES, SHEETS, LOCATOR, tmp_path)


@pytest.fixture
def campaign(session):
    return inspection.create_campaign(
        session,
        actor=who(session, "supervisor"),
        sheets=SHEETS,
        name=f"环境卫生督导检查 {uuid.uuid4().hex[:6]}",
        sheet_id=SHEET.id,
        area_code=DISTRICT,
        now=WHEN,
    )


def scored(session, tools, campaign, place, ticked, username="supervisor"):
    return inspection.record(
        session,
        actor=who(session, username),
        tools=tools,
        campaign_id=campaign.id,
        place_code=place,
        ticked=ticked,
        note="",
        client_id=uuid.uuid4().hex,
        now=WHEN,
    )


def test_the_shipped_sheet_totals_one_hundred_and_each_item_loses_at_most_its_points():
    assert SHEET.full == 100
    total, lines = score(SHEET, ["order-building", "order-piles", "order-parking", "roads-dirty"])
    order = next(line for line in lines if line.item.code == "order")
    assert order.lost == 16 and total == 100 - 16 - 5
    everything = [d.code for item in SHEET.items for d in item.deductions]
    assert score(SHEET, everything)[0] >= 0


def test_a_deduction_raises_a_rectification_case_that_runs_the_normal_loop(session, tools, campaign):
    place = f"{STREET_A}001"
    photo = blobs.photo("现场.jpg", jpeg(), blobs.FileLimits())
    ticked = [
        inspection.Ticked("waste-exposed", note="村口垃圾堆放", photo=photo, rectify=True),
        inspection.Ticked("ads-posters"),
    ]
    saved = scored(session, tools, campaign, place, ticked)
    assert saved.score == 100 - 5 - 2
    rows = session.scalars(select(InspectionDeduction).where(InspectionDeduction.record_id == saved.id)).all()
    raised = next(r for r in rows if r.deduction_code == "waste-exposed")
    assert (
        raised.photo["sha256"] and next(r for r in rows if r.deduction_code == "ads-posters").case_id is None
    )
    case = session.get(Case, raised.case_id)
    assert (case.channel, case.class_code, case.status) == ("inspection", "E0102", Status.REPORTED.value)
    assert case.scope_code.startswith(place) and "村口垃圾堆放" in case.description
    assert (
        session.scalar(select(func.count()).select_from(Attachment).where(Attachment.case_id == case.id)) == 1
    )
    for action in (Step.VERIFY, Step.REGISTER):
        case = step(session, "dispatcher", case, action, WHEN)
    case = step(session, "dispatcher", case, Step.DISPATCH, WHEN, unit_code="LX-CGJ")
    step(session, "dept_officer", case, Step.SIGN, WHEN)
    step(session, "dept_officer", case, Step.FEED_BACK, WHEN)
    assert step(session, "dispatcher", case, Step.CHECK_PASS, WHEN).status == Status.CLOSED.value


def test_places_are_ranked_by_mean_score_and_ties_share_a_place(session, tools, campaign):
    a, b, c = f"{STREET_A}001", f"{STREET_A}002", f"{STREET_B}001"
    scored(session, tools, campaign, a, [inspection.Ticked("roads-dirty")])  # 95
    scored(session, tools, campaign, a, [])  # 100 → mean 97.5
    scored(session, tools, campaign, b, [inspection.Ticked("order-building")])  # 90
    scored(session, tools, campaign, c, [inspection.Ticked("order-building")])  # 90
    board = inspection.ranking(session, actor=who(session, "leader"), campaign=campaign)
    top = [(p.place, p.code, p.score, p.inspections) for p in board["rows"] if p.place is not None]
    assert top == [(1, a, 97.5, 2), (2, b, 90.0, 1), (2, c, 90.0, 1)]
    assert board["places"] > board["inspected"] == 3  # the others are listed, not ranked
    assert board["red"][0].code == a
    assert rank_places([("x", "X")], {})[0].place is None  # not inspected: not ranked


def test_a_resent_form_records_once_and_files_one_case(session, tools, campaign):
    args = dict(
        actor=who(session, "supervisor"),
        tools=tools,
        campaign_id=campaign.id,
        place_code=f"{STREET_A}002",
        ticked=[inspection.Ticked("green-litter", rectify=True)],
        note="",
        client_id="form-1-" + uuid.uuid4().hex[:8],
        now=WHEN,
    )
    first, again = inspection.record(session, **args), inspection.record(session, **args)
    assert first.id == again.id
    count = session.scalar(
        select(func.count())
        .select_from(InspectionRecord)
        .where(InspectionRecord.client_id == args["client_id"])
    )
    assert count == 1


def test_bad_input_is_refused_naming_it_and_writes_nothing(session, tools, campaign):
    before = session.scalar(select(func.count()).select_from(InspectionRecord))
    with pytest.raises(InvalidInput, match="no-such"):
        scored(session, tools, campaign, f"{STREET_A}001", [inspection.Ticked("no-such")])
    with pytest.raises(InvalidInput, match="只能勾选一次"):
        scored(session, tools, campaign, f"{STREET_A}001", [inspection.Ticked("ads-posters")] * 2)
    with pytest.raises(InvalidInput, match="不是本次检查"):
        scored(session, tools, campaign, "999999999999", [])
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InspectionRecord)) == before


def test_only_supervisors_in_scope_score_and_others_cannot_see_another_streets_places(
    session, tools, campaign
):
    for username in ("dispatcher", "grid_worker", "dept_officer", "leader"):
        with pytest.raises((Forbidden, NotFound)):
            scored(session, tools, campaign, f"{STREET_A}001", [], username=username)
    street = inspection.ranking(session, actor=who(session, "other_street_officer"), campaign=campaign)
    assert street["places"] > 0 and all(not p.code.startswith(STREET_A) for p in street["rows"])
    with pytest.raises(Forbidden):
        inspection.create_campaign(
            session,
            actor=who(session, "dispatcher"),
            sheets=SHEETS,
            name="x",
            sheet_id=SHEET.id,
            area_code=DISTRICT,
            now=WHEN,
        )


def test_a_form_id_another_inspector_used_is_refused_and_a_resend_files_what_is_missing(
    session, tools, campaign
):
    from govgrid.db.inspection_models import InspectionDeduction

    form = "shared-" + uuid.uuid4().hex[:8]
    args = dict(tools=tools, campaign_id=campaign.id, place_code=f"{STREET_A}001", note="", now=WHEN)
    first = inspection.record(
        session,
        actor=who(session, "supervisor"),
        ticked=[inspection.Ticked("order-piles", rectify=True)],
        client_id=form,
        **args,
    )
    row = session.scalars(select(InspectionDeduction).where(InspectionDeduction.record_id == first.id)).one()
    filed, row.case_id = row.case_id, None  # as if filing had failed after the record was written
    session.commit()
    again = inspection.record(session, actor=who(session, "supervisor"), ticked=[], client_id=form, **args)
    session.refresh(row)
    assert again.id == first.id and row.case_id == filed  # the same case, found by its retry key
    with pytest.raises(InvalidInput, match="已被使用"):
        inspection.record(session, actor=who(session, "admin"), ticked=[], client_id=form, **args)
