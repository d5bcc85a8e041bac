import pytest
from sqlalchemy import select

from govgrid.db.models import AuditEvent
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from govgrid.domain.roles import Role
from govgrid.services.people import accounts as people
from tests.factories import NOW, PASSWORD, STREET_A, STREET_B, user_id


def actor(session, username):
    return people.actor_for(people.authenticate(session, username=username, password=PASSWORD))


def test_an_administrator_creates_an_account_and_the_change_is_audited(session):
    admin = actor(session, "security_admin")
    user = people.create_user(
        session,
        actor=admin,
        username="new_officer_1",
        display_name="新同事",
        role=Role.STREET_OFFICER,
        scope_code=STREET_B,
        password="long-enough-1",
        now=NOW,
    )
    assert user.password_hash and user.password_hash.startswith("$argon2")
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == "new_officer_1")).one()
    assert (
        event.action == "user.create"
        and event.actor_name == "security_admin"
        and event.scope_code == STREET_B
    )


def test_a_street_officer_cannot_create_accounts(session):
    with pytest.raises(Forbidden):
        people.create_user(
            session,
            actor=actor(session, "street_officer"),
            username="sneaky",
            display_name="x",
            role=Role.ADMIN,
            scope_code="370102",
            now=NOW,
        )


def test_a_taken_username_is_a_conflict_naming_the_field(session):
    with pytest.raises(Conflict) as caught:
        people.create_user(
            session,
            actor=actor(session, "security_admin"),
            username="street_officer",
            display_name="x",
            role=Role.STREET_OFFICER,
            scope_code=STREET_A,
            now=NOW,
        )
    assert caught.value.field == "username"


def test_a_staff_account_needs_a_valid_scope(session):
    admin = actor(session, "security_admin")
    with pytest.raises(InvalidInput) as caught:
        people.create_user(
            session, actor=admin, username="no_scope", display_name="x", role=Role.DISPATCHER, now=NOW
        )
    assert caught.value.field == "scope_code"
    with pytest.raises(InvalidInput):
        people.create_user(
            session,
            actor=admin,
            username="bad_scope",
            display_name="x",
            role=Role.DISPATCHER,
            scope_code="37A102",
            now=NOW,
        )


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(session):
    with pytest.raises(NotAuthenticated) as wrong:
        people.authenticate(session, username="admin", password="not-the-password")
    with pytest.raises(NotAuthenticated) as unknown:
        people.authenticate(session, username="nobody-here", password="not-the-password")
    assert wrong.value.message == unknown.value.message


def test_a_token_works_until_it_is_revoked(session):
    officer = actor(session, "street_officer")
    secret = people.issue_token(session, actor=officer, name="12345 接口", now=NOW)
    assert people.user_for_token(session, secret=secret, now=NOW).username == "street_officer"
    token_id = session.scalars(select(people.ApiToken.id).where(people.ApiToken.name == "12345 接口")).first()
    people.revoke_token(session, actor=officer, token_id=token_id, now=NOW)
    with pytest.raises(NotAuthenticated):
        people.user_for_token(session, secret=secret, now=NOW)


def test_nobody_revokes_another_persons_token(session):
    secret = people.issue_token(session, actor=actor(session, "dispatcher"), name="dispatch-tool", now=NOW)
    token_id = session.scalars(
        select(people.ApiToken.id).where(people.ApiToken.name == "dispatch-tool")
    ).first()
    with pytest.raises(NotFound):
        people.revoke_token(session, actor=actor(session, "street_officer"), token_id=token_id, now=NOW)
    assert people.user_for_token(session, secret=secret, now=NOW).username == "dispatcher"


def test_a_street_officer_lists_only_people_of_their_street(session):
    listed = people.list_users(session, actor=actor(session, "street_officer")).items
    assert listed and all(u.scope_code and u.scope_code.startswith(STREET_A) for u in listed)
    with pytest.raises(NotFound):
        people.get_user(
            session, actor=actor(session, "street_officer"), user_id=user_id(session, "other_street_officer")
        )


def test_a_grid_worker_sees_only_themselves(session):
    listed = people.list_users(session, actor=actor(session, "grid_worker")).items
    assert [u.username for u in listed] == ["grid_worker"]
