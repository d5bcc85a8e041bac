"""派单建议 on the case page: a 12345 message's category and unit are suggested with the model's confidence,
pre-filled when the model is sure and left to the dispatcher when not; the category given on 派遣 is kept
beside the prediction as a labelled example, through the page and the JSON API alike."""

from __future__ import annotations

import re

from sqlalchemy import select

from govgrid.db.intelligence_models import MessageLabel
from govgrid.services.intelligence.labels import export
from tests.factories import STREET_A
from tests.web.test_case_forms import take
from tests.web.test_connectors import hotline_order

SURE = {"title": "公司拖欠工资三个月", "content": "老板拖欠工资，也不给缴纳社会保险，请人社部门处理。"}
UNSURE = {"title": "请尽快处理", "content": "谢谢。"}


def order(connector_client, district, **text):  # type: ignore[no-untyped-def]
    client = connector_client("hotline12345")
    return client.post("/api/v1/connectors/hotline12345/events", json=hotline_order(district, **text)).json()[
        "case_id"
    ]


def dispatch_form(page: str) -> str:
    return re.search(r'<form[^>]*data-step="dispatch">(.*?)</form>', page, re.S).group(1)


def labels_of(session, case_id):  # type: ignore[no-untyped-def]
    return session.scalars(select(MessageLabel).where(MessageLabel.case_id == case_id)).all()


def test_a_sure_suggestion_prefills_the_category_and_its_unit_with_the_confidence(
    with_model, connector_client, district, as_user
):
    case_id = order(connector_client, district, **SURE)
    form = dispatch_form(as_user("dispatcher").get(f"/cases/{case_id}").text)
    assert 'id="dispatch-suggestion" data-sure="true"' in form
    assert re.search(
        r"智能派单建议：<strong>劳动和社会保障</strong> → 历下区人力资源和社会保障局，置信度 <strong>\d+%",
        form,
    )
    assert re.search(r'<option value="劳动和社会保障" selected>', form)
    assert re.search(r'<option value="LX-RS" selected>历下区人力资源和社会保障局（建议）', form)


def test_an_unsure_suggestion_prefills_nothing_and_asks_the_dispatcher(
    with_model, connector_client, district, as_user
):
    case_id = order(connector_client, district, **UNSURE)
    form = dispatch_form(as_user("dispatcher").get(f"/cases/{case_id}").text)
    assert 'data-sure="false"' in form and "请人工判断类别" in form
    assert not re.search(r'name="category".*?selected', form, re.S)


def test_a_correction_on_dispatch_is_stored_beside_the_prediction(
    with_model, connector_client, district, as_user, session
):
    case_id = order(connector_client, district, **SURE)
    dispatcher = as_user("dispatcher")
    assert take(dispatcher, case_id, "dispatch", unit_code="LX-ZJJ", category="城乡建设").status_code == 303
    (label,) = labels_of(session, case_id)
    assert (label.label, label.predicted) == ("城乡建设", "劳动和社会保障")
    assert label.subject == SURE["title"] and label.model_version == with_model.version
    assert 0 < label.confidence <= 1 and label.labelled_by is not None
    timeline = dispatcher.get(f"/api/v1/cases/{case_id}/timeline").json()
    assert next(r for r in timeline if r["step"] == "dispatch")["detail"]["category"] == "城乡建设"
    exported = [row for row in export(session) if row["案件编号"] == case_id]
    assert exported[0]["一级标签"] == "城乡建设" and exported[0]["模型预测"] == "劳动和社会保障"


def test_the_json_api_keeps_the_category_too(with_model, connector_client, district, as_user, session):
    case_id = order(connector_client, district, **SURE)
    dispatcher = as_user("dispatcher")
    version = dispatcher.get(f"/api/v1/cases/{case_id}").json()["version"]
    answer = dispatcher.post(
        f"/api/v1/cases/{case_id}/steps",
        json={
            "step": "dispatch",
            "unit_code": "LX-RS",
            "category": "劳动和社会保障",
            "expected_version": version,
        },
    )
    assert answer.status_code == 200, answer.text
    (label,) = labels_of(session, case_id)
    assert label.label == label.predicted == "劳动和社会保障"


def test_without_a_model_the_category_is_still_asked_and_kept(connector_client, district, as_user, session):
    case_id = order(connector_client, district, **SURE)
    dispatcher = as_user("dispatcher")
    form = dispatch_form(dispatcher.get(f"/cases/{case_id}").text)
    assert 'name="category"' in form and "dispatch-suggestion" not in form
    assert (
        take(dispatcher, case_id, "dispatch", unit_code="LX-RS", category="劳动和社会保障").status_code == 303
    )
    (label,) = labels_of(session, case_id)
    assert label.predicted is None and label.confidence is None and label.model_version == ""


def test_a_category_outside_the_catalogue_is_refused_naming_the_field(
    connector_client, district, as_user, session
):
    case_id = order(connector_client, district, **SURE)
    dispatcher = as_user("dispatcher")
    before = dispatcher.get(f"/api/v1/cases/{case_id}").json()
    refused = take(dispatcher, case_id, "dispatch", unit_code="LX-RS", category="火星事务")
    assert refused.status_code == 422 and "火星事务" in refused.text and "不在派单目录中" in refused.text
    assert labels_of(session, case_id) == []
    assert dispatcher.get(f"/api/v1/cases/{case_id}").json()["version"] == before["version"]


def test_a_category_on_another_step_is_refused(connector_client, district, as_user):
    case_id = order(connector_client, district, **SURE)
    dispatcher = as_user("dispatcher")
    take(dispatcher, case_id, "dispatch", unit_code="LX-CGJ")
    refused = take(as_user("dept_officer"), case_id, "sign", category="城乡建设")
    assert refused.status_code == 422 and "只有派遣时" in refused.text


def test_a_patrol_report_is_not_read_as_a_citizens_message(with_model, as_user, district):
    point = district.grid(STREET_A).geometry.representative_point()
    case = as_user("grid_worker").post(
        "/api/v1/cases", json={"class_code": "E0102", "title": "公司拖欠工资", "lng": point.x, "lat": point.y}
    )
    page = as_user("dispatcher").get(f"/cases/{case.json()['id']}").text
    assert "dispatch-suggestion" not in page and 'name="category"' not in page
