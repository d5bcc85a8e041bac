"""A city's deployment keeps each case in its district: the responsibility list of 市中区 names 市中区's
departments (a key it does not name falls to the case's own street), and a dispatcher cannot send a
市中区 case to a 历下区 department."""

from __future__ import annotations

import pytest

from govgrid.db.models import OrgUnit
from govgrid.domain.areas import AreaLevel
from govgrid.domain.errors import InvalidInput
from govgrid.domain.workflow import Step
from govgrid.services.cases import intake, steps
from govgrid.services.geo.locate import LocatorCache
from tests.factories import SECOND_DISTRICT, second_district_features
from tests.services.cases.test_cases import RULES, WEDNESDAY_10, who


def shizhong_case(session, class_code: str):  # type: ignore[no-untyped-def]
    grid = next(f for f in second_district_features() if f.level is AreaLevel.GRID)
    point = grid.geometry.representative_point()
    data = intake.Report(
        channel="phone", class_code=class_code, title="市中区的案件", lng=point.x, lat=point.y
    )
    case, _ = intake.report(
        session,
        actor=who(session, "sz_dispatcher"),
        rules=RULES,
        locator=LocatorCache(),
        data=data,
        now=WEDNESDAY_10,
    )
    for action in (Step.VERIFY, Step.REGISTER):
        case = steps.transition(
            session,
            actor=who(session, "sz_dispatcher"),
            rules=RULES,
            case_id=case.id,
            step=action,
            now=WEDNESDAY_10,
        )
    return case


def dispatch(session, case, unit_code=None):  # type: ignore[no-untyped-def]
    return steps.transition(
        session, actor=who(session, "sz_dispatcher"), rules=RULES, case_id=case.id, step=Step.DISPATCH,
        now=WEDNESDAY_10, unit_code=unit_code,
    )  # fmt: skip


def unit_code(session, case) -> str:  # type: ignore[no-untyped-def]
    return session.get(OrgUnit, case.unit_id).code


def test_a_shizhong_case_goes_to_the_department_shizhongs_own_list_names(city_sessions):
    with city_sessions() as session:
        case = dispatch(session, shizhong_case(session, "E0102"))  # 暴露垃圾: 环卫
        assert case.district_code == SECOND_DISTRICT and unit_code(session, case) == "SZ-CGJ"


def test_a_key_shizhongs_list_does_not_name_falls_to_its_own_street_never_to_lixias_department(city_sessions):
    with city_sessions() as session:
        case = dispatch(
            session, shizhong_case(session, "E0106")
        )  # 绿地脏乱: 园林, which 市中区 does not name
        assert unit_code(session, case) == case.grid_code[:9] == f"{SECOND_DISTRICT}001"


def test_a_shizhong_case_cannot_be_sent_to_a_lixia_department(city_sessions):
    with city_sessions() as session:
        case = shizhong_case(session, "E0102")
        with pytest.raises(InvalidInput, match="另一区县"):
            dispatch(session, case, unit_code="LX-CGJ")
        session.rollback()
        assert dispatch(session, case, unit_code="SZ-CGJ").unit_id is not None
