import pytest

from govgrid.domain.errors import Forbidden, NotAuthenticated, NotFound
from govgrid.domain.permissions import ANONYMOUS, RULES, Action, Actor, Reach, authorize, reach, scope_filter
from govgrid.domain.roles import Role

street_officer = Actor(user_id=10, username="so", role=Role.STREET_OFFICER, scope_code="370102001")
citizen = Actor(user_id=11, username="c", role=Role.CITIZEN)
admin = Actor(user_id=1, username="a", role=Role.ADMIN, scope_code="370102")


def test_the_rule_table_decides_every_role_and_action():
    assert {(r, a) for r in Role for a in Action} == set(RULES)


def test_a_street_officer_reaches_records_inside_their_street():
    authorize(street_officer, Action.READ_GEOGRAPHY, area_code="370102001003004")


def test_a_street_officer_is_told_another_streets_record_is_not_found():
    with pytest.raises(NotFound):
        authorize(street_officer, Action.READ_GEOGRAPHY, area_code="370102002003004")


def test_a_street_officer_cannot_read_the_district_record_above_their_street():
    with pytest.raises(NotFound):
        authorize(street_officer, Action.READ_GEOGRAPHY, area_code="370102")


def test_only_an_administrator_imports_geography():
    authorize(admin, Action.IMPORT_GEOGRAPHY)
    for role in Role:
        if role is not Role.ADMIN:
            with pytest.raises(Forbidden):
                authorize(
                    Actor(user_id=5, username="x", role=role, scope_code="370102"), Action.IMPORT_GEOGRAPHY
                )


def test_an_anonymous_caller_is_asked_to_log_in_rather_than_forbidden():
    with pytest.raises(NotAuthenticated):
        authorize(ANONYMOUS, Action.READ_GEOGRAPHY, area_code="370102")


def test_a_citizen_reads_only_their_own_record():
    authorize(citizen, Action.READ_PEOPLE, owner_id=11)
    with pytest.raises(NotFound):
        authorize(citizen, Action.READ_PEOPLE, owner_id=12)
    assert scope_filter(citizen, Action.READ_PEOPLE).owner_id == 11


def test_list_queries_are_narrowed_to_the_street_for_a_street_officer():
    narrowing = scope_filter(street_officer, Action.READ_PEOPLE)
    assert narrowing.area_prefix == "370102001" and not narrowing.everything
    assert scope_filter(admin, Action.READ_PEOPLE).everything


def test_a_leader_only_reads():
    leader = Actor(user_id=3, username="l", role=Role.LEADER, scope_code="370102")
    assert reach(leader, Action.READ_GEOGRAPHY) is Reach.SCOPE
    assert reach(leader, Action.MANAGE_PEOPLE) is Reach.NONE
    assert reach(leader, Action.IMPORT_GEOGRAPHY) is Reach.NONE
