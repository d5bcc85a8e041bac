"""Bulk intake: the same rules as single reports, rows that break them named, good rows taken in."""

import uuid

from sqlalchemy import func, select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.errors import Forbidden
from govgrid.services.cases.bulk import report_batch
from govgrid.services.cases.intake import Report
from tests.factories import STREET_A
from tests.services.cases.test_cases import LOCATOR, RULES, WEDNESDAY_10, point_in, who


def reports(district, n, **overrides):
    point, _ = point_in(district, f"{STREET_A}001")
    return [
        Report(
            **{
                "channel": "phone",
                "class_code": "E0102",
                "title": f"工单{i}",
                "lng": point.x,
                "lat": point.y,
                "external_id": str(uuid.uuid4()),
                **overrides,
            }
        )
        for i in range(n)
    ]


def test_a_batch_is_taken_in_with_one_history_row_per_case(session, district):
    batch = reports(district, 50)
    result = report_batch(
        session,
        actor=who(session, "dispatcher"),
        rules=RULES,
        locator=LOCATOR,
        reports=batch,
        now=WEDNESDAY_10,
    )
    assert (result.created, result.duplicates, result.errors) == (50, 0, [])
    ids = session.scalars(select(Case.id).where(Case.external_id.in_([r.external_id for r in batch]))).all()
    rows = session.scalar(
        select(func.count()).select_from(CaseTransition).where(CaseTransition.case_id.in_(ids))
    )
    assert len(ids) == 50 and rows == 50
    pairs = session.execute(
        select(Case.title, CaseTransition.note)
        .join(CaseTransition, CaseTransition.case_id == Case.id)
        .where(Case.id.in_(ids))
    ).all()
    assert all(title == note for title, note in pairs)  # each history row belongs to its own case


def test_resending_a_batch_and_repeats_inside_it_make_no_duplicates(session, district):
    batch = reports(district, 20)
    actor = who(session, "dispatcher")
    report_batch(session, actor=actor, rules=RULES, locator=LOCATOR, reports=batch, now=WEDNESDAY_10)
    again = report_batch(
        session, actor=actor, rules=RULES, locator=LOCATOR, reports=batch + batch[:5], now=WEDNESDAY_10
    )
    assert (again.created, again.duplicates) == (0, 25)


def test_bad_rows_are_named_by_number_and_field_and_good_rows_are_taken(session, district):
    batch = reports(district, 4)
    batch[1] = Report(**{**batch[1].__dict__, "class_code": "E9999"})
    batch[2] = Report(**{**batch[2].__dict__, "lng": 116.99, "lat": 36.64})
    result = report_batch(
        session,
        actor=who(session, "dispatcher"),
        rules=RULES,
        locator=LOCATOR,
        reports=batch,
        now=WEDNESDAY_10,
    )
    assert result.created == 2
    assert any(e.startswith("第 2 行 class_code") for e in result.errors)
    assert any(e.startswith("第 3 行 lng") for e in result.errors)


def test_only_the_command_center_takes_batches(session, district):
    import pytest

    with pytest.raises(Forbidden):
        report_batch(
            session,
            actor=who(session, "grid_worker"),
            rules=RULES,
            locator=LOCATOR,
            reports=reports(district, 1),
            now=WEDNESDAY_10,
        )


def street_dispatcher(session):
    """A dispatcher of one street's sub-center (分中心): their scope is street A only."""
    from govgrid.domain.permissions import Actor
    from govgrid.domain.roles import Role

    return Actor(user_id=None, username="street_dispatcher", role=Role.DISPATCHER, scope_code=STREET_A)


def test_a_batch_refuses_exactly_the_rows_a_single_report_refuses(session, district):
    from govgrid.domain.errors import DomainError
    from govgrid.services.cases.intake import report
    from tests.factories import STREET_B

    actor = street_dispatcher(session)
    inside = reports(district, 1)[0]
    point, _ = point_in(district, f"{STREET_B}001")
    outside = Report(
        channel="phone",
        class_code="E0102",
        title="另一街道的工单",
        lng=point.x,
        lat=point.y,
        external_id=str(uuid.uuid4()),
    )
    unknown = Report(**{**inside.__dict__, "class_code": "E9999", "external_id": str(uuid.uuid4())})
    singles = {}
    for name, data in (("inside", inside), ("outside", outside), ("unknown", unknown)):
        try:
            report(session, actor=actor, rules=RULES, locator=LOCATOR, data=data, now=WEDNESDAY_10)
            singles[name] = None
        except DomainError as exc:
            session.rollback()
            singles[name] = exc.message
    assert singles["inside"] is None and singles["outside"] and singles["unknown"]
    again = [Report(**{**r.__dict__, "external_id": str(uuid.uuid4())}) for r in (inside, outside, unknown)]
    result = report_batch(session, actor=actor, rules=RULES, locator=LOCATOR, reports=again, now=WEDNESDAY_10)
    assert result.created == 1
    assert [e.split("：", 1)[1] for e in result.errors] == [singles["outside"], singles["unknown"]]
    assert session.scalar(select(func.count()).select_from(Case).where(Case.title == "另一街道的工单")) == 0
