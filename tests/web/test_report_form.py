"""The report page without its script (the bare form): a bad field comes back on the same form, named in
Chinese with what was typed kept, and nothing is saved; the class has no default; an address the gazetteer
does not know is refused with "place it on the map"; a citizen's phone is kept for the callback. And 市民注册:
a citizen opens their own account, throttled per address, and lands logged in."""

import re
import uuid

from sqlalchemy import delete, func, select

from govgrid.db.case_models import Case
from govgrid.db.models import AuditEvent, ThrottleCounter, User
from tests.factories import STREET_A
from tests.web.test_pages import csrf_of


def report_fields(client, **values):
    form = client.get("/report").text
    return {"csrf_token": csrf_of(form), "client_id": str(uuid.uuid4()), "crs": "gcj02", **values}


def count_titled(session, title):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Case).where(Case.title == title))


def test_the_class_picker_has_no_default_and_groups_classes_under_their_major_class(as_user):
    html = as_user("grid_worker").get("/report").text
    picker = html.split('id="class-code"', 1)[1].split("</select>", 1)[0]
    assert re.search(r'<option value=""\s*selected>请选择分类</option>', picker)
    assert picker.count(" selected") == 1
    assert '<optgroup label="' in picker


def test_a_report_without_a_class_comes_back_on_the_form_with_the_typed_text_and_saves_nothing(
    as_user, district, session
):
    worker = as_user("grid_worker")
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    title = "没有选分类的上报"
    data = report_fields(
        worker, title=title, description="描述文字保留", lng=str(point.x), lat=str(point.y), class_code=""
    )
    answer = worker.post("/report", data=data, follow_redirects=False)
    assert answer.status_code == 422
    assert "请选择分类" in answer.text and "未提交" in answer.text
    assert f'value="{title}"' in answer.text and "描述文字保留" in answer.text
    assert 'class="field invalid" data-field="class_code"' in answer.text.replace("\n", " ")
    assert count_titled(session, title) == 0


def test_a_bad_photo_is_named_on_the_form_and_no_case_is_filed(as_user, district, session):
    worker = as_user("grid_worker")
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    title = "照片不是图片"
    data = report_fields(worker, title=title, class_code="E0102", lng=str(point.x), lat=str(point.y))
    answer = worker.post(
        "/report",
        data=data,
        files={"photo": ("现场.jpg", b"this is not an image", "image/jpeg")},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert 'data-field="photo"' in answer.text and "field-error" in answer.text
    assert f'value="{title}"' in answer.text
    assert count_titled(session, title) == 0


def test_an_address_the_gazetteer_does_not_know_is_refused_with_place_it_on_the_map(as_user, session):
    worker = as_user("grid_worker")
    title = "只有路名的上报"
    data = report_fields(worker, title=title, class_code="E0102", address="不存在的某某路")
    answer = worker.post("/report", data=data, follow_redirects=False)
    assert answer.status_code == 422
    assert "未找到地址“不存在的某某路”：请在地图上点选位置" in answer.text
    assert count_titled(session, title) == 0


def test_a_report_with_no_place_at_all_asks_for_one(as_user):
    worker = as_user("grid_worker")
    answer = worker.post("/report", data=report_fields(worker, title="无位置", class_code="E0102"))
    assert answer.status_code == 422 and "须提供位置" in answer.text


def test_the_script_gets_json_errors_and_a_json_receipt(as_user, district, session):
    worker = as_user("grid_worker")
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    headers = {"Accept": "application/json"}
    data = report_fields(worker, title="脚本提交", class_code="", lng=str(point.x), lat=str(point.y))
    refused = worker.post("/report", data=data, headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "class_code"
    taken = worker.post("/report", data={**data, "class_code": "E0102"}, headers=headers)
    assert taken.status_code == 200
    receipt = taken.json()
    assert receipt["is_new"] is True and receipt["url"] == f"/cases/{receipt['id']}"
    again = worker.post("/report", data={**data, "class_code": "E0102"}, headers=headers)
    assert again.json() == {**receipt, "is_new": False}  # a resend of the same client id files no second case


def test_a_citizens_report_keeps_the_phone_for_the_callback_and_shows_the_receipt(as_user, district, session):
    citizen = as_user("citizen")
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    data = report_fields(
        citizen,
        title="市民网上上报",
        class_code="E0102",
        lng=str(point.x),
        lat=str(point.y),
        reporter_phone="139 0000 1234",
    )
    answer = citizen.post("/report", data=data)
    assert answer.status_code == 200 and 'id="receipt"' in answer.text
    case = session.scalar(select(Case).where(Case.external_id == data["client_id"]))
    assert case.reporter_phone == "139 0000 1234" and case.channel == "citizen"
    workspace = citizen.get("/").text
    assert 'id="my-reports"' in workspace and case.code in workspace and "市民网上上报" in workspace


def test_a_phone_number_with_letters_is_refused(as_user, district):
    citizen = as_user("citizen")
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    data = report_fields(
        citizen,
        title="电话写错",
        class_code="E0102",
        lng=str(point.x),
        lat=str(point.y),
        reporter_phone="call me",
    )
    answer = citizen.post("/report", data=data)
    assert answer.status_code == 422 and "联系电话“call me”无效" in answer.text


def signup(client, **values):
    form = client.get("/signup").text
    return client.post("/signup", data={"csrf_token": csrf_of(form), **values}, follow_redirects=False)


def test_a_citizen_signs_up_with_a_phone_number_and_lands_logged_in(anonymous, session):
    answer = signup(anonymous, phone="13912345678", name="陈女士", password="abcd-1234", repeated="abcd-1234")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    home = anonymous.get("/")
    assert "您好，陈女士" in home.text and 'id="my-reports"' in home.text
    user = session.scalar(select(User).where(User.username == "13912345678"))
    assert user.role == "citizen" and user.phone == "13912345678" and user.scope_code is None
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.signup", AuditEvent.entity_id == "13912345678")
        )
        == 1
    )
    again = signup(anonymous, phone="13912345678", password="abcd-1234", repeated="abcd-1234")
    assert again.status_code == 422 and "该手机号已注册" in again.text


def test_sign_up_names_what_is_wrong_and_keeps_the_number(anonymous):
    for values, message in (
        ({"phone": "12345", "password": "abcd-1234", "repeated": "abcd-1234"}, "手机号“12345”无效"),
        ({"phone": "13812340000", "password": "abcd-1234", "repeated": "abcd-9999"}, "两次输入的密码不一致"),
        ({"phone": "13812340001", "password": "short", "repeated": "short"}, "密码至少 8 位"),
    ):
        answer = signup(anonymous, **values)
        assert answer.status_code == 422 and message in answer.text, answer.text
        assert f'value="{values["phone"]}"' in answer.text


def test_sign_ups_from_one_address_are_throttled_whether_or_not_they_succeed(app, anonymous, session):
    key = "signup:addr:testclient"
    session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key))
    session.commit()
    app.state.settings.signups_per_hour = 2
    try:
        assert signup(anonymous, phone="1", password="x", repeated="x").status_code == 422
        assert signup(anonymous, phone="2", password="x", repeated="x").status_code == 422
        third = signup(anonymous, phone="13700000003", password="abcd-1234", repeated="abcd-1234")
        assert (
            third.status_code == 429
            and "注册过于频繁" in third.text
            and int(third.headers["Retry-After"]) > 0
        )
        assert session.scalar(select(User.id).where(User.username == "13700000003")) is None
    finally:
        app.state.settings.signups_per_hour = 100_000
        session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key))
        session.commit()


def test_sign_up_refuses_an_account_without_a_password(anonymous, session):
    answer = signup(anonymous, phone="13712340002", password="", repeated="")
    assert answer.status_code == 422 and "密码至少 8 位" in answer.text
    assert session.scalar(select(User.id).where(User.username == "13712340002")) is None
