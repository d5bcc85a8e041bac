"""Collect once: a department issues a form to a community; the community's form for the day comes
pre-filled from the base register; a changed phone entered on one form changes the register, so every
other form shows it and none asks for it again; a person added on one form is registered and on every form
that picks them; daily forms carry yesterday's rows forward; a return counts its cells pre-filled and typed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from govgrid.db.form_models import FormEvent
from govgrid.db.register_models import RegisterChange
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.domain.form_sheets import Source
from govgrid.services.forms import register, returns, tasks
from tests.catalogs import CATALOGS
from tests.factories import STREET_A
from tests.services.cases.test_cases import WEDNESDAY_10, point_in, who

# The test district is shared by the whole suite: each test works on its own Wednesday, weeks apart, so
# the rows its forms pick (arrived within 14 days …) are its own residents only.
CATALOG = CATALOGS.forms
CALENDAR = CATALOGS.case_rules.calendar
KEY = b"test-secret"
COMMUNITY = f"{STREET_A}001"
# two years before the test district's today, so no page or browser test's residents (who arrive in 2026)
# are picked: 2024-11-20, 10-23, 09-25 …
WEDNESDAYS = {n: WEDNESDAY_10.date() - timedelta(weeks=104 + 4 * n) for n in range(8)}


def arrived(day):
    return {
        "person.name": "张三",
        "person.id_number": "370102198001011237",
        "person.phone": "13812345678",
        "person.came_from": "上海市",
        "person.arrived_on": (day - timedelta(days=2)).isoformat(),
    }


def resident(session, district, day):
    _, grid = point_in(district, COMMUNITY)
    return register.add_entry(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, kind="resident", grid_code=grid,
        values=arrived(day), now=WEDNESDAY_10, key=KEY,
    )  # fmt: skip


def issued(session, form, starts_on, *, username="health_officer"):
    return tasks.issue(
        session, actor=who(session, username), catalog=CATALOG, template_code=form, community_codes=[COMMUNITY],
        starts_on=starts_on, ends_on=None, due_workdays=1, now=WEDNESDAY_10,
    )[0]  # fmt: skip


def form_of(session, task, day, username="grid_worker"):
    return returns.sheet(
        session, actor=who(session, username), catalog=CATALOG, calendar=CALENDAR, task_id=task.id, period=day
    )


def save(session, task, entry_id, values, day):
    returns.save_row(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, calendar=CALENDAR, task_id=task.id,
        period=day, entry_id=entry_id, values=values, now=WEDNESDAY_10, key=KEY,
    )  # fmt: skip


def test_the_days_form_is_pre_filled_from_the_register_and_says_where_each_value_came_from(session, district):
    day = WEDNESDAYS[0]
    zhang = resident(session, district, day)
    task = issued(session, "new_residents", day)
    form = form_of(session, task, day)
    assert [row.label for row in form.rows] == ["张三"]  # arrived two days ago: a new resident
    cells = {cell.code: cell for cell in form.rows[0].cells}
    assert cells["person.phone"].value == "13812345678" and cells["person.phone"].source is Source.REGISTER
    assert cells["person.gender"].source is Source.EMPTY and cells["remark"].source is Source.EMPTY
    assert form.deadline.date() == day and form.status == "open"  # a Wednesday: due by its end
    assert zhang.id == form.rows[0].entry_id


def test_a_phone_changed_on_one_form_changes_the_register_and_every_other_form_shows_it(session, district):
    day = WEDNESDAYS[1]
    zhang = resident(session, district, day)
    new_residents, follow_ups = issued(session, "new_residents", day), issued(session, "follow_ups", day)
    save(session, follow_ups, zhang.id, {"person.phone": "13900001111", "event.temperature": "36.6"}, day)
    session.expire_all()
    assert session.get(type(zhang), zhang.id).values["person.phone"] == "13900001111"
    other = {c.code: c for c in form_of(session, new_residents, day).rows[0].cells}
    assert other["person.phone"].value == "13900001111" and other["person.phone"].source is Source.REGISTER
    here = {c.code: c for c in form_of(session, follow_ups, day).rows[0].cells}
    assert here["person.phone"].source is Source.TYPED and here["event.temperature"].value == "36.6"
    assert here["event.date"].value == day.isoformat() and here["event.date"].source is Source.AUTO
    changed = session.scalars(
        select(RegisterChange).where(RegisterChange.action == "update", RegisterChange.entry_id == zhang.id)
    ).all()
    assert [(c.field_code, c.old_value, c.new_value) for c in changed] == [
        ("person.phone", "13812345678", "13900001111")
    ]


def test_a_person_added_on_one_form_is_registered_and_on_every_form_that_picks_them(session, district):
    day = WEDNESDAYS[2]
    new_residents, follow_ups = issued(session, "new_residents", day), issued(session, "follow_ups", day)
    _, grid = point_in(district, COMMUNITY)
    entry = returns.add_row(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, calendar=CALENDAR, task_id=new_residents.id,
        period=day, grid_code=grid, values={**arrived(day), "person.name": "李四", "person.id_number": "",
        "person.arrived_on": day.isoformat(), "remark": "返乡"}, now=WEDNESDAY_10, key=KEY,
    )  # fmt: skip
    assert entry.label == "李四" and entry.community_code == COMMUNITY
    assert [row.label for row in form_of(session, follow_ups, day).rows] == ["李四"]
    row = form_of(session, new_residents, day).rows[0]
    assert row.value("remark") == "返乡" and all(
        c.source is Source.TYPED for c in row.cells if c.value
    )  # every value was typed once, here


def test_a_submitted_return_counts_its_cells_and_cannot_be_changed_again(session, district):
    day = WEDNESDAYS[3]
    zhang = resident(session, district, day)
    task = issued(session, "follow_ups", day)
    save(session, task, zhang.id, {"event.temperature": "36.5", "visit_mode": "电话"}, day)
    done = returns.submit(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, calendar=CALENDAR, task_id=task.id,
        period=day, now=WEDNESDAY_10,
    )  # fmt: skip
    # 姓名、身份证号、电话 from the register, 日期 and 随访人 filled in; 体温 and 随访方式 typed; 住址、症状、
    # 健康状况 left empty
    assert (done.rows, done.prefilled, done.typed) == (1, 5, 2)
    assert done.seconds_saved == 8 + 20 + 10 + 6 + 8  # by catalog typing_seconds of each type
    with pytest.raises(Conflict, match="已报送"):
        save(session, task, zhang.id, {"event.temperature": "37.0"}, day)
    actions = session.scalars(
        select(FormEvent.action).where(FormEvent.task_id == task.id).order_by(FormEvent.id)
    ).all()
    assert actions == ["issue", "save_row", "submit"]


def test_a_daily_form_carries_yesterdays_rows_and_local_values_but_not_yesterdays_temperature(
    session, district
):
    day = WEDNESDAYS[4]
    zhang = resident(session, district, day)
    yesterday = day - timedelta(days=1)
    task = issued(session, "follow_ups", yesterday)
    save(session, task, zhang.id, {"event.temperature": "36.5", "visit_mode": "上门"}, yesterday)
    register.change_entry(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, entry_id=zhang.id,
        values={"person.arrived_on": (day - timedelta(days=30)).isoformat()}, expected_version=None,
        now=WEDNESDAY_10, key=KEY,
    )  # fmt: skip  # no longer picked by the rule: still on today's form, carried
    row = form_of(session, task, day).rows[0]
    assert row.carried and row.value("visit_mode") == "上门" and row.value("event.temperature") == ""


def test_bad_values_are_named_and_nothing_is_written(session, district):
    day = WEDNESDAYS[5]
    zhang = resident(session, district, day)
    task = issued(session, "follow_ups", day)
    with pytest.raises(InvalidInput, match="体温"):
        save(session, task, zhang.id, {"person.phone": "13900001111", "event.temperature": "98"}, day)
    session.rollback()
    session.expire_all()
    assert session.get(type(zhang), zhang.id).values["person.phone"] == "13812345678"
    with pytest.raises(InvalidInput, match="表单“nope”不存在"):
        issued(session, "nope", day)
    with pytest.raises(NotFound):  # a weekly form has no Wednesday period
        form_of(session, issued(session, "tenants", day - timedelta(days=2), username="admin"), day)


def test_only_a_department_issues_and_only_the_community_fills_its_form(session, district):
    day = WEDNESDAYS[6]
    zhang = resident(session, district, day)
    with pytest.raises(Forbidden):
        issued(session, "follow_ups", day, username="grid_worker")
    task = issued(session, "follow_ups", day)
    with pytest.raises(NotFound):
        form_of(session, task, day, username=f"gw_{STREET_A}002")  # another community
    with pytest.raises(NotFound):
        form_of(session, task, day, username="water_officer")  # another department
    with pytest.raises(Forbidden):
        returns.save_row(
            session, actor=who(session, "health_officer"), catalog=CATALOG, calendar=CALENDAR, task_id=task.id,
            period=day, entry_id=zhang.id, values={}, now=WEDNESDAY_10, key=KEY,
        )  # fmt: skip
    listed = tasks.day_tasks(
        session,
        actor=who(session, "grid_worker"),
        catalog=CATALOG,
        calendar=CALENDAR,
        day=day,
        now=WEDNESDAY_10,
    )
    mine = [(t["template"].name, t["submitted"], t["late"]) for t in listed if t["task"].id == task.id]
    assert mine == [("随访记录表", False, True)]  # its day is past
    assert (
        tasks.day_tasks(
            session,
            actor=who(session, "water_officer"),
            catalog=CATALOG,
            calendar=CALENDAR,
            day=day,
            now=WEDNESDAY_10,
        )
        == []
    )


def test_an_issue_sent_twice_makes_one_task_per_community(session, district):
    first = tasks.issue(
        session, actor=who(session, "health_officer"), catalog=CATALOG, template_code="follow_ups",
        community_codes=[COMMUNITY], starts_on=WEDNESDAYS[7], ends_on=None, due_workdays=1, now=WEDNESDAY_10,
        client_id="7d1f2c3a-0000-4000-8000-000000000001",
    )  # fmt: skip
    again = tasks.issue(
        session, actor=who(session, "health_officer"), catalog=CATALOG, template_code="follow_ups",
        community_codes=[COMMUNITY], starts_on=WEDNESDAYS[7], ends_on=None, due_workdays=1, now=WEDNESDAY_10,
        client_id="7d1f2c3a-0000-4000-8000-000000000001",
    )  # fmt: skip
    assert [t.id for t in first] == [t.id for t in again]


def test_a_row_put_on_by_hand_stays_on_the_daily_form_day_after_day_as_it_was_sent(session, district):
    day = WEDNESDAYS[7] - timedelta(days=3)  # its own Sunday
    _, grid = point_in(district, COMMUNITY)
    task = issued(session, "follow_ups", day)
    worker = who(session, "grid_worker")
    old = {**arrived(day - timedelta(days=60)), "person.name": "卫长青", "person.id_number": ""}
    entry = register.add_entry(
        session,
        actor=worker,
        catalog=CATALOG,
        kind="resident",
        grid_code=grid,
        values=old,
        now=WEDNESDAY_10,
        key=KEY,
    )  # not picked by the rule: put on by hand
    returns.include_row(
        session, actor=worker, catalog=CATALOG, calendar=CALENDAR, task_id=task.id, period=day,
        label=f"#{entry.id}", now=WEDNESDAY_10,
    )  # fmt: skip
    for offset in range(2):
        returns.submit(
            session, actor=worker, catalog=CATALOG, calendar=CALENDAR, task_id=task.id,
            period=day + timedelta(days=offset), now=WEDNESDAY_10,
        )  # fmt: skip
    third = form_of(session, task, day + timedelta(days=2))
    assert [r.entry_id for r in third.rows] == [entry.id]  # carried through a day nobody touched it
    sent = returns.sheet(
        session, actor=who(session, "health_officer"), catalog=CATALOG, calendar=CALENDAR, task_id=task.id,
        period=day,
    ).rows[0]  # fmt: skip
    assert sent.value("event.inspector") == worker.name and sent.value("event.date") == day.isoformat()
