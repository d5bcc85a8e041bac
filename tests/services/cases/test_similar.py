"""相似案件 are linked when reported; merging is an explicit action by the command center."""

from datetime import datetime, timedelta

import pytest

from govgrid.domain.errors import InvalidInput
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA
from govgrid.services.cases.similar import link_pending, merge_into, similar_to
from tests.services.cases.test_cases import RULES, patrol, step, who

DAY = datetime(2026, 12, 10, 9, 0, tzinfo=CHINA)  # no other test reports on this day


def test_a_second_report_of_the_same_problem_is_linked_not_merged(session, district):
    first = patrol(session, district, when=DAY)
    second = patrol(session, district, when=DAY + timedelta(hours=2))
    assert similar_to(session, second.id) == []  # linking is the worker's job, off the request path
    link_pending(session, now=DAY + timedelta(hours=2))
    links = similar_to(session, second.id)
    assert [(link.reason, other.id, link.is_merged) for link, other in links] == [("nearby", first.id, False)]
    assert second.status == "reported"


def test_merging_cancels_the_repeat_with_a_note_naming_the_case_it_joins(session, district):
    first = patrol(session, district, when=DAY + timedelta(days=3))
    second = patrol(session, district, when=DAY + timedelta(days=3, hours=1))
    link_pending(session, now=DAY + timedelta(days=3, hours=1))
    merged = merge_into(
        session,
        actor=who(session, "dispatcher"),
        rules=RULES,
        case_id=second.id,
        into_case_id=first.id,
        now=DAY + timedelta(days=3, hours=2),
    )
    assert merged.status == "cancelled"
    [(link, other)] = similar_to(session, second.id)
    assert link.is_merged and other.id == first.id


def test_a_case_already_dispatched_cannot_be_merged(session, district):
    first = patrol(session, district, when=DAY + timedelta(days=6))
    second = patrol(session, district, when=DAY + timedelta(days=6, hours=1))
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        step(session, "dispatcher", second, action, DAY + timedelta(days=6, hours=2))
    with pytest.raises(InvalidInput) as caught:
        merge_into(
            session,
            actor=who(session, "dispatcher"),
            rules=RULES,
            case_id=second.id,
            into_case_id=first.id,
            now=DAY + timedelta(days=6, hours=3),
        )
    assert caught.value.field == "status"


def test_bulk_intake_cases_are_linked_by_the_worker_too(session, district):
    from govgrid.services.cases.bulk import report_batch
    from tests.services.cases.test_bulk import reports
    from tests.services.cases.test_cases import LOCATOR

    when = DAY + timedelta(days=9)
    batch = reports(district, 2)
    report_batch(
        session, actor=who(session, "dispatcher"), rules=RULES, locator=LOCATOR, reports=batch, now=when
    )
    link_pending(session, now=when)
    from sqlalchemy import select

    from govgrid.db.case_models import Case

    second = session.scalars(select(Case).where(Case.external_id == batch[1].external_id)).one()
    assert any(link.reason == "nearby" for link, _ in similar_to(session, second.id))
