"""On PostgreSQL the case history, the ledger events and the audit log are partitioned by month (Beijing
time): a row lands in its month, the worker makes the months ahead and moves back-dated rows out of the
default partition, a month's query reads one partition, and the chains still verify. SQLite has none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from govgrid.db.case_models import CaseTransition
from govgrid.db.keys import PARTITIONED_BY_MONTH
from govgrid.services.chain_verify import verify
from govgrid.services.partitions import ensure, listing, month_of, next_month, partition_name
from tests.services.test_hash_chains import worked_case

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.fixture
def postgres_only(district_url):  # type: ignore[no-untyped-def]
    if not district_url.startswith("postgresql"):
        pytest.skip(
            "按月分区只在 PostgreSQL 上（SQLite 不分区）：GOVGRID_TEST_DATABASE_URL 指向 PostgreSQL 时运行"
        )


def where_rows_are(session, ids):  # type: ignore[no-untyped-def]
    rows = session.execute(
        text("SELECT id, tableoid::regclass::text FROM case_transition WHERE id = ANY(:ids)"),
        {"ids": list(ids)},
    )
    return {row_id: table.split(".")[-1] for row_id, table in rows}


def case_history_ids(session, case):  # type: ignore[no-untyped-def]
    return session.scalars(select(CaseTransition.id).where(CaseTransition.case_id == case.id)).all()


def test_every_history_is_partitioned_by_month_with_this_month_and_three_ahead(own):
    sessions, _ = own
    with sessions() as session:
        kinds = dict(
            session.execute(
                text(
                    "SELECT c.relname, p.partstrat FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
                )
            ).all()
        )
        assert {table: kinds.get(table) for table in PARTITIONED_BY_MONTH} == dict.fromkeys(
            PARTITIONED_BY_MONTH, "r"
        )
        engine = session.get_bind()
    names = {p.name for p in listing(engine)}
    month = month_of(datetime.now(UTC))
    for table in PARTITIONED_BY_MONTH:
        assert f"{table}_default" in names
        ahead = [month]
        for _ in range(3):
            ahead.append(next_month(ahead[-1]))
        assert {partition_name(table, m) for m in ahead} <= names, table


def test_a_step_taken_now_lands_in_this_months_partition(own):
    sessions, district = own
    with sessions() as session:
        case = worked_case(session, district, when=datetime.now(UTC) - timedelta(minutes=10))
        places = where_rows_are(session, case_history_ids(session, case))
    assert set(places.values()) == {partition_name("case_transition", month_of(datetime.now(UTC)))}


def test_back_dated_rows_wait_in_the_default_partition_until_the_worker_gives_them_their_month(own):
    sessions, district = own
    long_ago = datetime(2023, 3, 31, 16, 30, tzinfo=UTC)  # 2023-04-01 00:30 in Beijing: April's
    with sessions() as session:
        case = worked_case(session, district, when=long_ago)
        ids = case_history_ids(session, case)
        assert set(where_rows_are(session, ids).values()) == {"case_transition_default"}
        before = session.execute(text("SELECT count(*) FROM case_transition")).scalar_one()
        engine = session.get_bind()
    made = ensure(engine, now=datetime.now(UTC))
    assert "case_transition_p202304" in made
    assert ensure(engine, now=datetime.now(UTC)) == []  # a second round finds nothing to do
    with sessions() as session:
        assert set(where_rows_are(session, ids).values()) == {"case_transition_p202304"}
        assert session.execute(text("SELECT count(*) FROM case_transition")).scalar_one() == before
        assert session.execute(text("SELECT count(*) FROM case_transition_default")).scalar_one() == 0
        assert all(check.broken == 0 for check in verify(session))  # the rows moved, their chains did not
    april = next(p for p in listing(engine) if p.name == "case_transition_p202304")
    assert (april.month, april.rows) == (date(2023, 4, 1), len(ids))


def test_a_months_query_reads_only_that_months_partition(own):
    sessions, district = own
    with sessions() as session:
        worked_case(session, district, when=datetime.now(UTC) - timedelta(minutes=10))
        month = month_of(datetime.now(UTC))
        plan = "\n".join(
            line
            for (line,) in session.execute(
                text(
                    "EXPLAIN SELECT count(*) FROM case_transition WHERE at >= :low AND at < :high",
                ),
                {
                    "low": f"{month:%Y-%m-%d} 00:00:00+08",
                    "high": f"{next_month(month):%Y-%m-%d} 00:00:00+08",
                },
            )
        )
    assert partition_name("case_transition", month) in plan
    assert (
        "case_transition_default" not in plan
        and partition_name("case_transition", next_month(month)) not in plan
    )


def test_the_worker_round_makes_the_months_due(own):
    from govgrid.catalog.bundle import load_catalogs
    from govgrid.services.worker import run_round

    sessions, district = own
    with sessions() as session:
        worked_case(session, district, when=datetime(2022, 7, 15, 2, 0, tzinfo=UTC))
    run_round(sessions, load_catalogs())
    with sessions() as session:
        assert session.execute(text("SELECT count(*) FROM case_transition_default")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM case_transition_p202207")).scalar_one() == 4


def test_the_partitions_command_makes_the_months_due_and_lists_them_with_their_rows(own):
    from tests.test_cli import run

    sessions, district = own
    with sessions() as session:
        worked_case(session, district, when=datetime(2021, 1, 10, 2, 0, tzinfo=UTC))
        url = session.get_bind().url.render_as_string(hide_password=False)
    result = run(["db", "partitions"], url)
    assert result.exit_code == 0, result.output
    assert "已建分区 case_transition_p202101" in result.output
    assert "case_transition\t2021-01\tcase_transition_p202101\t4 行" in result.output
    assert "case_transition\t默认分区\tcase_transition_default\t0 行" in result.output
