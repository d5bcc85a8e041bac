"""The driver-level bulk helpers store exactly what the ORM stores, and read timestamps back the same, on
SQLite and on PostgreSQL (the suite runs on both)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from govgrid.db.bulk import Moments, insert_many, raw_rows, update_many
from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.domain.worktime import CHINA

AT = datetime(2026, 12, 1, 9, 30, tzinfo=CHINA)


def an_item(session):  # type: ignore[no-untyped-def]
    item = LedgerItem(
        district_code="370102",
        kind="campaign",
        content="批量写入检查",
        area_code="370102",
        co_unit_ids=[],
        assigned_at=AT,
        deadline_at=AT + timedelta(days=30),
    )
    session.add(item)
    session.flush()
    item.campaign_id = item.id  # a campaign is its own root, as services.ledger.items.assign makes it
    session.flush()
    return item


def test_rows_written_in_bulk_read_back_as_the_orm_writes_them(empty_sessions):
    """In a database of its own: the rows bypass the history's writer, so they are not chained."""
    with empty_sessions() as session:
        _bulk_and_orm_rows_agree(session)


def _bulk_and_orm_rows_agree(session):  # type: ignore[no-untyped-def]
    item = an_item(session)
    by_orm = LedgerEvent(
        district_code="370102",
        item_id=item.id,
        at=AT,
        actor_name="orm",
        action="light",
        note="一",
        detail={"to": "red"},
    )
    session.add(by_orm)
    columns = ("item_id", "district_code", "at", "actor_name", "action", "note", "detail", "chain_seq")
    insert_many(
        session, LedgerEvent, columns, [(item.id, "370102", AT, "bulk", "light", "一", {"to": "red"}, 2)]
    )
    session.commit()
    rows = session.scalars(
        select(LedgerEvent).where(LedgerEvent.item_id == item.id).order_by(LedgerEvent.id)
    ).all()
    assert [(r.at, r.note, r.detail) for r in rows] == [(AT, "一", {"to": "red"})] * 2
    assert rows[0].at.tzinfo is not None and rows[0].at == rows[1].at


def test_an_update_in_bulk_changes_only_the_rows_named(session, district):
    first, second = an_item(session), an_item(session)
    session.commit()
    update_many(session, LedgerItem, ("progress", "light"), [(0.5, "yellow", first.id)])
    session.commit()
    session.expire_all()
    assert (first.progress, first.light) == (0.5, "yellow")
    assert (second.progress, second.light) == (0.0, "green")


def test_timestamps_read_raw_are_the_same_moment_in_naive_utc(session, district):
    item = an_item(session)
    session.commit()
    [(raw,)] = raw_rows(session, select(LedgerItem.assigned_at).where(LedgerItem.id == item.id))
    read = Moments(session).read(raw)
    assert read == AT.astimezone(UTC).replace(tzinfo=None)
