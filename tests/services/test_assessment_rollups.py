"""The rollups answer exactly what the plain path reads from the history: for every slice they serve, for
periods long and short, for callers seeing everything or an area; a period's figures do not change when
its cases change after it ends; rolling the whole history again gives the same rows; and on PostgreSQL a
history row whose transaction commits after a later one is not lost."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from govgrid.db.case_models import Case
from govgrid.db.rollup_models import KEY, VALUES, month_rollup_table, rollup_table
from govgrid.domain.assessment import Period
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment import rollups
from govgrid.services.assessment.metrics import Slice, metrics, rolled_up
from govgrid.services.cases.history import history_row, record_histories
from tests.services.cases.test_cases import RULES, patrol, step, who

SERVED = [Slice.DISTRICT, Slice.STREET, Slice.COMMUNITY, Slice.DEPARTMENT, Slice.CLASS, Slice.CHANNEL]
PERIODS = [
    Period(date(2025, 5, 1), date(2025, 5, 31)),
    Period(date(2025, 5, 6), date(2025, 5, 8)),
    Period(date(2025, 5, 12), date(2025, 5, 12)),
    Period(date(2026, 11, 1), date(2026, 11, 30)),
    Period(date(2026, 1, 1), date(2026, 12, 31)),
]
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def both_paths(session, username, period, by):
    actor = who(session, username)
    assert rolled_up(session, actor, RULES, period, by) is not None  # the rollups answer, not the history
    rolled = metrics(session, actor=actor, rules=RULES, period=period, by=by, compare=False)
    plain = metrics(session, actor=actor, rules=RULES, period=period, by=by, compare=False, plain=True)
    return rolled, plain


@pytest.mark.parametrize("username", ["admin", "dispatcher", "street_officer"])
def test_the_rollups_give_the_plain_figures_for_every_slice_and_period(session, may_cases, username):
    code = session.scalar(select(Case.district_code).limit(1))
    rollups.catch_up(session, rules=RULES, district_code=code, now=NOW)  # as the worker does
    counted = 0
    for period in PERIODS:
        for by in SERVED:
            rolled, plain = both_paths(session, username, period, by)
            assert rolled == plain, (username, period, by)
            counted += plain["total"]["registered"] + plain["total"]["due"]
    assert counted > 0  # the comparison is over real figures, not two empty tables


def test_a_periods_figures_do_not_change_when_its_cases_change_after_it_ends(session, district):
    march = Period(date(2021, 3, 1), date(2021, 3, 31))  # a month no other test of the shared district uses

    def when(month, day, hour=9):
        return datetime(2021, month, day, hour, tzinfo=CHINA)

    case = patrol(session, district, when=when(3, 4, 8))
    for action in (Step.VERIFY, Step.REGISTER):
        case = step(session, "dispatcher", case, action, when(3, 4, 8))
    case = step(session, "dispatcher", case, Step.DISPATCH, when(3, 4), unit_code="LX-CGJ")
    step(session, "dept_officer", case, Step.SIGN, when(3, 5))
    step(session, "dept_officer", case, Step.FEED_BACK, when(3, 5, 10))
    before, _ = both_paths(session, "admin", march, Slice.DEPARTMENT)
    assert before["total"]["registered"] == 1 and before["total"]["reworked"] == 0
    step(session, "dispatcher", case, Step.CHECK_FAIL, when(4, 2), note="仍有残留")  # in April
    after, plain = both_paths(session, "admin", march, Slice.DEPARTMENT)
    assert after == plain == before  # March, as it stood at its end, had no 返工
    april, plain = both_paths(session, "admin", Period(date(2021, 3, 1), date(2021, 4, 30)), Slice.DISTRICT)
    assert april == plain and april["total"]["reworked"] == 1


def rows_of(session):
    found = {}
    for table in (rollup_table, month_rollup_table):
        for row in session.execute(select(table)):
            values = tuple(round(float(getattr(row, v)), 6) for v in VALUES)
            if any(values):
                found[(table.name, *(getattr(row, k) for k in KEY))] = values
    return found


def test_rolling_the_whole_history_again_gives_the_same_rows(session, may_cases):
    code = session.scalar(select(Case.district_code).limit(1))
    rollups.catch_up(session, rules=RULES, district_code=code, now=NOW)
    kept = rows_of(session)
    assert kept  # the district has a history
    rolled = rollups.rebuild(session, rules=RULES, district_code=code, now=NOW)
    assert rolled == session.query(Case).filter(Case.district_code == code).count()
    assert rows_of(session) == kept


def test_a_history_row_committed_after_a_later_one_is_not_lost(district_sessions, district):
    with district_sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: its history ids commit in order")
        first = patrol(session, district, when=datetime(2024, 6, 3, 9, tzinfo=CHINA))
        second = patrol(session, district, when=datetime(2024, 6, 3, 9, tzinfo=CHINA))
        code = first.district_code
        rollups.catch_up(session, rules=RULES, district_code=code, now=NOW)
    june = Period(date(2024, 6, 1), date(2024, 6, 30))
    mark = {"step": "supervise_by_hand", "from_status": "reported", "to_status": "reported"}
    slow, quick = district_sessions(), district_sessions()
    actor = None
    with slow, quick:
        actor = who(slow, "supervisor")
        moment = datetime(2024, 6, 4, 9, tzinfo=CHINA)
        record_histories(slow, [history_row(first.id, code, actor=actor, at=moment, **mark)])
        slow.flush()  # its id is drawn now, its transaction still open
        record_histories(quick, [history_row(second.id, code, actor=actor, at=moment, **mark)])
        quick.commit()  # a later id, committed first
        with district_sessions() as reader:
            rollups.catch_up(reader, rules=RULES, district_code=code, now=NOW)
            rolled, plain = both_paths(reader, "admin", june, Slice.DISTRICT)
            assert rolled == plain and plain["total"]["supervised"] == 1  # committed, behind an open one
        slow.commit()
    with district_sessions() as reader:
        rolled, plain = both_paths(reader, "admin", june, Slice.DISTRICT)
    assert rolled == plain and plain["total"]["supervised"] == 2


def test_other_terms_or_calendar_roll_the_district_again_and_a_request_leaves_it_to_the_worker(
    session, may_cases
):
    from dataclasses import replace

    code = session.scalar(select(Case.district_code).limit(1))
    rollups.catch_up(session, rules=RULES, district_code=code, now=NOW)
    terms = replace(RULES.assessment.terms, fairly_weight=0.5)
    other = replace(RULES, assessment=replace(RULES.assessment, terms=terms))
    assert rollups.catch_up(session, rules=other, district_code=code, now=NOW, most=5_000) is None
    assert rollups.catch_up(session, rules=other, district_code=code, now=NOW) > 0  # rolled again
    assert rollups.catch_up(session, rules=RULES, district_code=code, now=NOW) > 0  # and back
    rolled, plain = both_paths(session, "admin", PERIODS[0], Slice.DISTRICT)
    assert rolled == plain


def test_cases_a_failed_import_removes_are_taken_out_of_the_rollups(fresh):
    from sqlalchemy import delete

    from govgrid.db.case_models import CaseTransition
    from tests.factories import District, district_features

    sessions, _ = fresh
    district = District(district_features())
    with sessions() as session:
        kept = patrol(session, district, when=datetime(2024, 6, 3, 9, tzinfo=CHINA))
        doomed = patrol(session, district, when=datetime(2024, 6, 3, 10, tzinfo=CHINA))
        code = kept.district_code
        rollups.catch_up(session, rules=RULES, district_code=code, now=NOW)
        rollups.forget(session, rules=RULES, district_code=code, case_ids=[doomed.id])
        session.execute(delete(CaseTransition).where(CaseTransition.case_id == doomed.id))
        session.execute(delete(Case).where(Case.id == doomed.id))
        session.commit()
        patrol(
            session, district, when=datetime(2024, 6, 4, 9, tzinfo=CHINA)
        )  # on SQLite: the freed ids again
        rollups.catch_up(session, rules=RULES, district_code=code, now=NOW)
        kept_rows = rows_of(session)
        rollups.rebuild(session, rules=RULES, district_code=code, now=NOW)
        assert rows_of(session) == kept_rows
        rolled, plain = both_paths(
            session, "admin", Period(date(2024, 6, 1), date(2024, 6, 30)), Slice.DISTRICT
        )
        assert rolled == plain and plain["total"]["reported"] == 2


def test_the_rollups_basis_is_the_same_in_every_process_whatever_its_hash_seed():
    """A basis that changed with the process (a set's order follows PYTHONHASHSEED) would make every
    restart roll each district again and every request read the history meanwhile."""
    import os
    import subprocess
    import sys

    script = (
        "from govgrid.catalog.bundle import load_catalogs;"
        "from govgrid.services.assessment.rollups import basis_of;"
        "print(basis_of(load_catalogs().case_rules))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3", "4", "5")
    }
    assert len(seen) == 1 and len(next(iter(seen))) == 32
