"""The worker's round on 一表通: a form not submitted is 提醒'd two office hours before its deadline,
催办'd once past it and 通报'd a workday later, each rung once; a submitted one is left alone. A form's
retention erases its rows' entered values and keeps the rows; a person's personal values are erased from
the register and its history by hand, where only their digests remain."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from govgrid.db.form_models import FormEvent, FormRow
from govgrid.db.models import AuditEvent
from govgrid.db.register_models import RegisterChange
from govgrid.domain.forms import digest
from govgrid.domain.worktime import CHINA
from govgrid.services.forms import ladder, register, retention, returns, tasks
from tests.services.cases.test_cases import WEDNESDAY_10, who
from tests.services.forms.test_form_tasks import CALENDAR, CATALOG, KEY, issued, resident, save

WEDNESDAY = datetime(2026, 1, 14).date()  # weeks away from the other tests' days


def rungs(session, task, period=WEDNESDAY):
    found = session.execute(
        select(FormEvent.action, FormEvent.detail)
        .where(FormEvent.task_id == task.id, FormEvent.action.in_(["remind", "urge", "report"]))
        .order_by(FormEvent.id)
    ).all()
    return [action for action, detail in found if detail["period"] == period.isoformat()]


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), CHINA)


def test_a_form_not_submitted_climbs_the_ladder_one_rung_at_a_time(session, district):
    task = issued(session, "follow_ups", WEDNESDAY)
    climb = lambda when: ladder.climb(session, catalog=CATALOG, calendar=CALENDAR, now=when)  # noqa: E731
    climb(at(WEDNESDAY, 10))
    assert rungs(session, task) == []  # the afternoon is still ahead
    climb(at(WEDNESDAY, 16, 30))
    climb(at(WEDNESDAY, 16, 45))
    assert rungs(session, task) == ["remind"]  # once
    climb(at(WEDNESDAY + timedelta(days=1), 9))
    assert rungs(session, task)[-1] == "urge"
    listed = tasks.day_tasks(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, calendar=CALENDAR, day=WEDNESDAY,
        now=at(WEDNESDAY + timedelta(days=1), 9),
    )  # fmt: skip
    assert next(t for t in listed if t["task"].id == task.id)["rung"] == "已催办"
    climb(at(WEDNESDAY + timedelta(days=2), 9))
    assert rungs(session, task)[-1] == "report"


def test_a_submitted_form_climbs_nothing_while_the_days_after_it_do(session, district):
    day = WEDNESDAY + timedelta(weeks=1)
    task = issued(session, "follow_ups", day)
    done = returns.submit(
        session, actor=who(session, "grid_worker"), catalog=CATALOG, calendar=CALENDAR, task_id=task.id,
        period=day, now=at(day, 9),
    )  # fmt: skip
    ladder.climb(session, catalog=CATALOG, calendar=CALENDAR, now=at(day + timedelta(days=3), 9))
    climbed = session.scalars(select(FormEvent.return_id).where(FormEvent.action.in_(["urge", "report"]),
                                                                FormEvent.task_id == task.id)).all()  # fmt: skip
    assert climbed and done.id not in climbed  # Thursday and Friday were not submitted


def test_retention_erases_the_rows_entered_values_once_and_keeps_the_rows(session, district):
    day = WEDNESDAY + timedelta(weeks=2)
    zhang = resident(session, district, day)
    task = issued(session, "follow_ups", day)
    save(session, task, zhang.id, {"event.temperature": "37.9", "visit_mode": "上门"}, day)
    kept_for = CATALOG.templates["follow_ups"].retention_days
    later = at(day + timedelta(days=kept_for + 1), 3)
    retention.erase_expired(session, catalog=CATALOG, now=at(day + timedelta(days=kept_for - 1), 3))
    row = session.scalar(select(FormRow).where(FormRow.entry_id == zhang.id))
    assert row is not None and row.values["event.temperature"] == "37.9"  # kept until its time is up
    assert retention.erase_expired(session, catalog=CATALOG, now=later) >= 1
    session.expire_all()
    row = session.scalar(select(FormRow).where(FormRow.entry_id == zhang.id))
    assert row is not None and row.values == {} and row.typed  # the row and what was typed stay
    assert retention.erase_expired(session, catalog=CATALOG, now=later) == 0  # once


def test_erasing_a_persons_values_leaves_only_digests_in_the_register_and_its_history(session, district):
    zhang = resident(session, district, WEDNESDAY)
    worker = who(session, "grid_worker")
    register.change_entry(
        session, actor=worker, catalog=CATALOG, entry_id=zhang.id, values={"person.phone": "13900002222"},
        expected_version=None, now=WEDNESDAY_10, key=KEY,
    )  # fmt: skip
    erased = register.erase_personal(
        session,
        actor=worker,
        catalog=CATALOG,
        entry_id=zhang.id,
        reason="已迁出本社区",
        now=WEDNESDAY_10,
        key=KEY,
    )
    assert erased == 2  # 身份证号, 电话
    session.expire_all()
    entry = session.get(type(zhang), zhang.id)
    assert "person.phone" not in entry.values and entry.values["person.name"] == "张三"
    history = session.scalars(select(RegisterChange).where(RegisterChange.entry_id == zhang.id)).all()
    phones = [r for r in history if r.field_code == "person.phone"]
    assert all(r.old_value is None and r.new_value is None for r in phones)
    assert [r.new_digest for r in phones][:2] == [
        digest(KEY, "person.phone", "13812345678"),
        digest(KEY, "person.phone", "13900002222"),
    ]  # the chain over digests still verifies
    assert phones[-1].action == "erase" and phones[-1].old_digest == digest(
        KEY, "person.phone", "13900002222"
    )
    logged = session.scalars(select(AuditEvent).where(AuditEvent.action == "register.erase")).all()
    assert logged and logged[-1].detail["reason"] == "已迁出本社区"
