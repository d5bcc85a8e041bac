"""A long ledger import is staged: written in short transactions that never hold the write lock for long,
invisible until one short final step makes it live, and dropped whole if anything fails (or if a crash
abandons it)."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text

from govgrid.db.ledger_models import LedgerItem
from govgrid.db.models import ImportBatch, Meta
from govgrid.services import import_batches
from govgrid.services.ledger import views as ledger_views
from govgrid.services.ledger.importing import import_ledger
from tests.catalogs import CATALOGS
from tests.factories import NOW
from tests.services.cases.test_cases import who

RULES = CATALOGS.ledger_rules


def written(message: str) -> int:
    """How many items a progress message says are written ("写入事项 2,002/4,502" → 2002)."""
    return int(message.split()[1].split("/")[0].replace(",", "")) if message.startswith("写入事项") else 0


def big_csv(number: str, tasks: int) -> bytes:
    lines = [
        "序号,上级序号,层级,工作内容,牵头单位,完成时限",
        f"{number},,行动,分批导入的行动,,",
        f"一,{number},措施,措施一,,",
    ]
    lines += [f"{n},{number}/一,任务,任务{n},历下区城市管理局,2026-12-31" for n in range(1, tasks + 1)]
    return "\n".join(lines).encode("utf-8")


def campaign_items(session, number):  # type: ignore[no-untyped-def]
    root = session.scalar(
        select(LedgerItem.id).where(LedgerItem.number == number, LedgerItem.parent_id.is_(None))
    )
    if root is None:
        return 0
    return session.scalar(select(func.count()).select_from(LedgerItem).where(LedgerItem.campaign_id == root))


def write_elsewhere(engine) -> None:  # type: ignore[no-untyped-def]
    """A write from another connection that will not wait at all for a lock (SQLite: busy_timeout 0)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
        else:
            connection.exec_driver_sql("SET lock_timeout = '100ms'")
        connection.execute(insert(Meta).values(key=f"probe-{uuid.uuid4().hex[:8]}", value="x"))
        connection.commit()


def test_other_writers_go_on_while_a_long_import_is_staged_and_nobody_sees_it_until_it_is_live(
    session, district, district_sessions
):
    number = f"FP-{uuid.uuid4().hex[:6]}"
    seen_during: list[tuple[int, bool]] = []
    engine = session.get_bind()

    def midway(message: str) -> None:
        if written(message) >= 2000 and not seen_during:
            write_elsewhere(engine)  # would raise "database is locked" if the import held the lock
            with district_sessions() as reader:
                root = reader.scalar(select(LedgerItem.id).where(LedgerItem.number == number))
                tree = ledger_views.tree(
                    reader,
                    actor=who(reader, "supervisor"),
                    wanted=ledger_views.LedgerFilter(campaign_id=root),
                )
                everything = ledger_views.tree(
                    reader, actor=who(reader, "supervisor"), wanted=ledger_views.LedgerFilter()
                )
                shown = bool(tree.rows) or root in everything.campaign_ids
                seen_during.append((campaign_items(reader, number), shown))

    result = import_ledger(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        data=big_csv(number, 4500),
        filename="分批.csv",
        area_code="370102",
        now=NOW,
        progress=midway,
    )
    assert result.items == 4502
    assert seen_during and seen_during[0][0] >= 2000 and not seen_during[0][1]  # staged rows exist, unseen
    root = session.scalar(select(LedgerItem.id).where(LedgerItem.number == number))
    tree = ledger_views.tree(
        session, actor=who(session, "supervisor"), wanted=ledger_views.LedgerFilter(campaign_id=root)
    )
    assert tree.rows and tree.rows[0].item.number == number
    assert (
        session.scalar(select(func.count()).select_from(LedgerItem).where(LedgerItem.batch_id.is_not(None)))
        == 0
    )


def test_a_failure_half_way_drops_the_whole_batch(session, district):
    number = f"FB-{uuid.uuid4().hex[:6]}"

    def fail(message: str) -> None:
        if written(message) >= 2000:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        import_ledger(
            session,
            actor=who(session, "supervisor"),
            rules=RULES,
            data=big_csv(number, 3000),
            filename="失败.csv",
            area_code="370102",
            now=NOW,
            progress=fail,
        )
    assert campaign_items(session, number) == 0
    batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch.state == "dropped" and batch.filename == "失败.csv"


def test_a_batch_a_crash_abandoned_is_dropped_by_the_worker(session, district):
    batch = import_batches.start(
        session,
        kind="ledger",
        district_code="370102",
        filename="崩溃.csv",
        actor_name="test",
        rows=1,
        now=NOW,
    )
    session.execute(
        insert(LedgerItem).values(
            district_code="370102",
            kind="campaign",
            number="CRASHED",
            content="写了一半",
            area_code="370102",
            co_unit_ids=[],
            batch_id=batch,
            progress=0.0,
            light="green",
            status="open",
            version=1,
        )
    )
    session.commit()
    assert not import_batches.drop_abandoned_once(session, now=NOW + timedelta(minutes=5))  # still alive
    assert import_batches.drop_abandoned_once(session, now=NOW + timedelta(hours=1))
    assert (
        session.scalar(select(func.count()).select_from(LedgerItem).where(LedgerItem.number == "CRASHED"))
        == 0
    )
    assert session.get(ImportBatch, batch).state == "dropped"
    session.execute(text("SELECT 1"))
