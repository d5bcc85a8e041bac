"""The base register of 一表通: an entry of a grid is entered and changed with every value checked and every
change kept (who, when, old → new, keyed digests); a community sees only its own register; personal values
are masked by role, and every unmasked view is audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from govgrid.catalog.form_catalog import load_form_catalog
from govgrid.db.models import AuditEvent
from govgrid.db.register_models import RegisterChange
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.domain.forms import digest
from govgrid.services.forms import register
from tests.factories import STREET_A, STREET_B
from tests.services.cases.test_cases import WEDNESDAY_10, point_in, who

CATALOG = load_form_catalog()
KEY = b"test-secret"
ZHANG = {"person.name": "张三", "person.id_number": "370102198001011237", "person.phone": "13812345678"}


def entered(session, district, username="grid_worker", community=f"{STREET_A}001", **values):
    _, grid = point_in(district, community)
    return register.add_entry(
        session,
        actor=who(session, username),
        catalog=CATALOG,
        kind="resident",
        grid_code=grid,
        values={**ZHANG, **values},
        now=WEDNESDAY_10,
        key=KEY,
    )


def changes_of(session, entry_id):
    return session.scalars(
        select(RegisterChange).where(RegisterChange.entry_id == entry_id).order_by(RegisterChange.id)
    ).all()


def test_a_grid_worker_enters_a_resident_and_every_value_is_kept_in_the_history(session, district):
    entry = entered(session, district)
    assert entry.community_code == f"{STREET_A}001" and entry.label == "张三" and entry.version == 1
    rows = changes_of(session, entry.id)
    assert {r.field_code for r in rows} == set(ZHANG) and all(r.action == "create" for r in rows)
    phone = next(r for r in rows if r.field_code == "person.phone")
    assert phone.old_value is None and phone.new_digest == digest(KEY, "person.phone", "13812345678")
    assert phone.actor_name == who(session, "grid_worker").name  # people shown by name


def test_a_changed_phone_is_one_history_row_old_to_new_and_a_stale_version_is_refused(session, district):
    entry = entered(session, district)
    worker = who(session, "grid_worker")
    later = WEDNESDAY_10 + timedelta(hours=1)
    entry = register.change_entry(
        session, actor=worker, catalog=CATALOG, entry_id=entry.id,
        values={"person.phone": "13987654321", "person.name": "张三"}, expected_version=1, now=later, key=KEY,
    )  # fmt: skip
    assert entry.version == 2 and entry.values["person.phone"] == "13987654321"
    update = [r for r in changes_of(session, entry.id) if r.action == "update"]
    assert [(r.field_code, r.old_value, r.new_value) for r in update] == [
        ("person.phone", "13812345678", "13987654321")
    ]  # the unchanged name wrote nothing
    with pytest.raises(Conflict):
        register.change_entry(
            session, actor=worker, catalog=CATALOG, entry_id=entry.id, values={"person.phone": "13700000000"},
            expected_version=1, now=later, key=KEY,
        )  # fmt: skip


def test_a_bad_value_is_named_and_nothing_is_written(session, district):
    before = len(session.scalars(select(RegisterChange)).all())
    with pytest.raises(InvalidInput, match="身份证号“370102\\*+1238”校验位应为 7"):
        entered(session, district, **{"person.id_number": "370102198001011238"})
    with pytest.raises(InvalidInput, match="字段“house.owner”不在人（居民）登记簿中"):
        entered(session, district, **{"house.owner": "李四"})
    session.rollback()
    assert len(session.scalars(select(RegisterChange)).all()) == before


def test_a_community_sees_only_its_own_register(session, district):
    entry = entered(session, district)
    assert (
        register.read_entry(
            session,
            actor=who(session, "street_officer"),
            catalog=CATALOG,
            entry_id=entry.id,
            now=WEDNESDAY_10,
        )["label"]
        == "张三"
    )  # its street
    for outsider in (f"gw_{STREET_A}002", "other_street_officer"):
        with pytest.raises(NotFound):
            register.read_entry(
                session, actor=who(session, outsider), catalog=CATALOG, entry_id=entry.id, now=WEDNESDAY_10
            )
    with pytest.raises(Forbidden):  # a department gets its sheet, never the register
        register.read_entry(
            session, actor=who(session, "dept_officer"), catalog=CATALOG, entry_id=entry.id, now=WEDNESDAY_10
        )
    with pytest.raises(NotFound):
        entered(session, district, username="grid_worker", community=f"{STREET_B}001")


def test_personal_values_are_masked_by_role_and_every_unmasked_view_is_audited(session, district):
    entry = entered(session, district)
    leader = register.read_entry(
        session, actor=who(session, "leader"), catalog=CATALOG, entry_id=entry.id, now=WEDNESDAY_10
    )
    assert leader["values"]["person.id_number"] == "370102********1237" and leader["masked"]
    assert leader["values"]["person.phone"] == "138****5678" and leader["values"]["person.name"] == "张三"
    with pytest.raises(Forbidden):
        register.read_entry(
            session,
            actor=who(session, "leader"),
            catalog=CATALOG,
            entry_id=entry.id,
            now=WEDNESDAY_10,
            unmask=True,
        )
    worker = register.read_entry(
        session,
        actor=who(session, "grid_worker"),
        catalog=CATALOG,
        entry_id=entry.id,
        now=WEDNESDAY_10,
        unmask=True,
    )
    assert worker["values"]["person.phone"] == "13812345678" and not worker["masked"]
    logged = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "register.unmask", AuditEvent.entity_id == str(entry.id)
        )
    ).all()
    assert len(logged) == 1 and logged[0].detail["fields"] == ["person.id_number", "person.phone"]
