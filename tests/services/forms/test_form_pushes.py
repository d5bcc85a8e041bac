"""A department's group robot gets each form its communities submit, pushed like bulletins (a local robot
on loopback): the title names the community and the form, the link goes to the department's sheet; a
group of the district's news alone gets none, and a form pushed once is not pushed again."""

from datetime import datetime, timedelta

from govgrid.domain.worktime import CHINA
from govgrid.services.forms import returns, tasks
from govgrid.services.pushes.destinations import add_destination
from govgrid.services.pushes.outbox import push_round
from tests.catalogs import CATALOGS
from tests.factories import STREET_A
from tests.services.cases.test_cases import who
from tests.services.test_pushes import HOSTS, robot  # noqa: F401  (the fixture)

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=CHINA)


def test_a_submitted_form_goes_to_its_departments_group_once(fresh, robot):  # noqa: F811
    sessions, _ = fresh
    with sessions() as session:
        admin = who(session, "admin")
        for name, unit in (("区卫健局工作群", "LX-WJ"), ("指挥中心群", "")):
            add_destination(
                session, actor=admin, name=name, platform="wecom", url=f"{robot.url}/wecom", secret="",
                now=MONDAY, hosts=HOSTS, form_unit_code=unit,
            )  # fmt: skip
        task = tasks.issue(
            session, actor=who(session, "health_officer"), catalog=CATALOGS.forms, template_code="follow_ups",
            community_codes=[f"{STREET_A}001"], starts_on=MONDAY.date(), ends_on=None, due_workdays=1, now=MONDAY,
        )[0]  # fmt: skip
        returns.submit(
            session, actor=who(session, "grid_worker"), catalog=CATALOGS.forms,
            calendar=CATALOGS.case_rules.calendar, task_id=task.id, period=MONDAY.date(), now=MONDAY,
        )  # fmt: skip
        push_round(session, now=MONDAY + timedelta(minutes=1), base_url="https://govgrid.lixia.gov.cn")
        push_round(session, now=MONDAY + timedelta(minutes=3), base_url="https://govgrid.lixia.gov.cn")
    texts = [body["markdown"]["content"] for _, _, body in robot.received]
    forms = [t for t in texts if "【一表通】" in t]
    assert len(forms) == 1  # to the department's group, once
    assert (
        "1-1社区已报送随访记录表" in forms[0]
        and f"/forms/tasks/{task.id}/{MONDAY.date()}/sheet.xlsx" in forms[0]
    )
