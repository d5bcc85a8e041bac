"""The histories are hash-chained: a row altered, deleted or inserted behind the application's back is named
by `verify`, on SQLite and on PostgreSQL alike, and a daily anchor catches what a chain alone cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from govgrid.db.case_models import CaseTransition
from govgrid.db.models import AuditEvent
from govgrid.domain.chain import GENESIS
from govgrid.domain.workflow import Step
from govgrid.services.chain_verify import verify
from govgrid.services.chains import anchor
from tests.services.cases.test_cases import WEDNESDAY_10, patrol, step


def worked_case(session, district, when=WEDNESDAY_10):
    case = patrol(session, district, when=when)
    for n, action in enumerate((Step.VERIFY, Step.REGISTER, Step.DISPATCH)):
        case = step(session, "dispatcher", case, action, when + timedelta(minutes=n + 1))
    return case


def history(session, case):
    return session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.chain_seq)
    ).all()


def breaks(session):
    return {c.table: c.breaks for c in verify(session) if c.breaks}


def test_rows_written_through_the_services_form_one_chain_per_case_and_verify(own):
    sessions, district = own
    with sessions() as session:
        first, second = worked_case(session, district), worked_case(session, district)
        rows = history(session, first)
        assert [r.chain_seq for r in rows] == [1, 2, 3, 4]
        assert rows[0].prev_hash == GENESIS
        assert all(
            later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:], strict=False)
        )
        assert history(session, second)[0].prev_hash == GENESIS  # its own chain
        checks = {c.table: c for c in verify(session)}
        assert checks["case_transition"].rows >= 8 and checks["case_transition"].chains >= 2
        assert checks["audit_event"].rows > 0
        assert all(c.broken == 0 for c in checks.values())


def test_an_altered_history_row_is_named(own):
    sessions, district = own
    with sessions() as session:
        rows = history(session, worked_case(session, district))
        session.execute(text("UPDATE case_transition SET note = '改过' WHERE id = :id"), {"id": rows[1].id})
        session.commit()
        found = breaks(session)["case_transition"]
        assert found[0].row_id == rows[1].id and "改动" in found[0].reason


def test_a_deleted_history_row_is_named_by_the_row_after_it(own):
    sessions, district = own
    with sessions() as session:
        rows = history(session, worked_case(session, district))
        session.execute(text("DELETE FROM case_transition WHERE id = :id"), {"id": rows[1].id})
        session.commit()
        found = breaks(session)["case_transition"]
        assert found[0].row_id == rows[2].id and "删除" in found[0].reason


def test_an_inserted_history_row_is_named(own):
    sessions, district = own
    with sessions() as session:
        case = worked_case(session, district)
        last = history(session, case)[-1]
        session.execute(
            text(
                "INSERT INTO case_transition (district_code, case_id, at, actor_name, step, to_status, note,"
                " public_note, detail, chain_seq, prev_hash, row_hash) VALUES (:d, :c, :at, '某人', 'close',"
                " 'closed', '', '', '{}', :seq, :prev, :hash)"
            ),
            {
                "d": last.district_code,
                "c": case.id,
                "at": last.at + timedelta(hours=1),
                "seq": last.chain_seq + 1,
                "prev": last.row_hash,
                "hash": "f" * 64,
            },
        )
        session.commit()
        found = breaks(session)["case_transition"]
        assert found[0].row_id > last.id and "改动" in found[0].reason


def test_an_altered_audit_row_is_named(own):
    sessions, district = own
    with sessions() as session:
        worked_case(session, district)
        target = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        session.execute(text("UPDATE audit_event SET actor_name = '别人' WHERE id = :id"), {"id": target.id})
        session.commit()
        assert breaks(session)["audit_event"][0].row_id == target.id


def test_a_chain_cut_short_after_its_anchor_is_caught_by_the_anchor(own):
    """Deleting a chain's last row leaves the chain whole; the day's anchor sealed it, so verify names it."""
    sessions, district = own
    with sessions() as session:
        rows = history(session, worked_case(session, district))
        made = anchor(session, now=WEDNESDAY_10 + timedelta(days=1))
        assert {a.table_name for a in made} >= {"case_transition", "audit_event"}
        assert breaks(session) == {}
        session.execute(text("DELETE FROM case_transition WHERE id = :id"), {"id": rows[-1].id})
        session.commit()
        found = breaks(session)["case_transition"]
        assert found[0].table == "chain_anchor" and "删除" in found[0].reason


def test_rows_after_the_anchor_are_sealed_by_the_next_one(own):
    sessions, district = own
    with sessions() as session:
        worked_case(session, district)
        anchor(session, now=WEDNESDAY_10 + timedelta(days=1))
        worked_case(session, district, when=WEDNESDAY_10 + timedelta(days=1))
        again = anchor(session, now=WEDNESDAY_10 + timedelta(days=2))
        assert [a.rows for a in again if a.table_name == "case_transition"] == [4]
        assert anchor(session, now=WEDNESDAY_10 + timedelta(days=2)) == []  # nothing new: no anchor
        assert breaks(session) == {}


def test_erasing_personal_values_leaves_the_registers_chain_whole_because_it_covers_their_digests(own):
    from govgrid.db.register_models import RegisterChange
    from govgrid.services.forms import register
    from tests.services.cases.test_cases import who
    from tests.services.forms.test_register import CATALOG, KEY, entered

    sessions, district = own
    with sessions() as session:
        entry = entered(session, district)
        erased = register.erase_personal(
            session, actor=who(session, "admin"), catalog=CATALOG, entry_id=entry.id,
            reason="迁出本区", now=WEDNESDAY_10 + timedelta(days=1), key=KEY,
        )  # fmt: skip
        assert erased > 0
        changes = session.scalars(select(RegisterChange).where(RegisterChange.entry_id == entry.id)).all()
        assert [c.chain_seq for c in changes] == list(range(1, len(changes) + 1))
        assert breaks(session) == {}
        session.execute(
            text("UPDATE register_change SET new_digest = :d WHERE id = :id"),
            {"d": "cd" * 32, "id": changes[0].id},
        )
        session.commit()
        assert breaks(session)["register_change"][0].row_id == changes[0].id


def test_the_shared_test_district_verifies_whatever_the_suite_wrote_before(session):
    assert breaks(session) == {}


def test_audit_rows_past_their_retention_go_whole_chains_at_a_time_and_the_rest_still_verifies(own):
    from govgrid.services.audit_retention import prune

    sessions, district = own
    with sessions() as session:
        old = worked_case(session, district)
        anchor(session, now=WEDNESDAY_10 + timedelta(days=1))
        later = WEDNESDAY_10 + timedelta(days=300)
        recent = worked_case(session, district, when=later)
        anchor(session, now=later + timedelta(days=1))
        removed = prune(session, now=WEDNESDAY_10 + timedelta(days=400), retention_days=365)
        assert removed > 0
        left = set(session.scalars(select(AuditEvent.entity_id).where(AuditEvent.entity_type == "case")))
        assert old.code not in left and recent.code in left  # the young chain stays whole
        checks = {c.table: c for c in verify(session)}
        assert all(c.broken == 0 for c in checks.values())
        assert checks["audit_event"].pruned >= 1
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.prune")) is not None
        assert prune(session, now=WEDNESDAY_10 + timedelta(days=400), retention_days=365) == 0


def test_the_audit_retention_cannot_be_set_below_six_months():
    from pydantic import ValidationError

    from govgrid.settings import Settings

    with pytest.raises(ValidationError, match="audit_retention_days"):
        Settings(audit_retention_days=100)
