"""拉出单子 on the pages: a pasted plan is drafted for review without writing anything; the accepted rows,
as edited, become a campaign with a measure per lead unit and a task per target through the ledger's own
import; a bad row is refused with the ledger's own reason and nothing is written; only ledger managers may."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from govgrid.db.ledger_models import LedgerItem
from tests.web.test_case_forms import csrf

PLAN = (
    "今年，历下区将实施“三大提升行动”：力争年内新建口袋公园39个，"
    "年底前完成1.23万户老旧小区改造，绿化覆盖率达到百分之四十以上。\n\n"
    "截至3月底，全区已清理垃圾1000余方。\n"
)


def drafted(client):  # type: ignore[no-untyped-def]
    page = client.get("/ledger/draft").text
    return client.post("/ledger/draft", data={"csrf_token": csrf(page), "text": PLAN})


def review_fields(html: str) -> dict[str, list[str]]:
    form = re.search(r'<form method="post" action="/ledger/draft/import".*?</form>', html, re.S).group(0)
    fields: dict[str, list[str]] = {}
    for name in ("content", "subject", "value", "unit", "qualifier", "deadline"):
        fields[name] = re.findall(rf'name="{name}" value="([^"]*)"', form)
    fields["unit_code"] = [
        (re.search(r'<option value="([^"]+)" selected', cell) or re.search(r"()", cell)).group(1)
        for cell in re.findall(r'<select name="unit_code">(.*?)</select>', form, re.S)
    ]
    fields["accept"] = re.findall(r'name="accept" value="(\d+)" checked', form)
    fields["campaign"] = re.findall(r'name="campaign" value="([^"]*)"', form)
    fields["campaign_deadline"] = re.findall(r'name="campaign_deadline" value="([^"]*)"', form)
    fields["csrf_token"] = [csrf(html)]
    return fields


def items_named(session, text):  # type: ignore[no-untyped-def]
    return session.scalar(
        select(func.count()).select_from(LedgerItem).where(LedgerItem.content.contains(text))
    )


def test_a_pasted_plan_is_drafted_for_review_and_nothing_is_written(as_user, session):
    before = session.scalar(select(func.count()).select_from(LedgerItem))
    answer = drafted(as_user("supervisor"))
    assert answer.status_code == 200
    fields = review_fields(answer.text)
    assert fields["value"] == ["39", "1.23", "40", "1000"]
    assert fields["unit"] == ["个", "万户", "%", "方"]
    assert fields["accept"] == ["0", "1", "2"]  # the result (已清理) is not accepted by default
    assert fields["campaign"] == ["三大提升行动"] and fields["deadline"][0].endswith("-12-31")
    assert fields["unit_code"][0] == "LX-LD"  # 历下区 → 历下区人民政府
    assert session.scalar(select(func.count()).select_from(LedgerItem)) == before


def test_accepted_rows_as_edited_become_a_campaign_with_measures_and_targets(as_user, session):
    client = as_user("supervisor")
    fields = review_fields(drafted(client).text)
    fields["accept"] = ["0", "1"]  # the third is rejected
    fields["content"][0] = "新建口袋公园39个（已改写）"
    fields["unit_code"][1] = "LX-ZJJ"
    fields["campaign"] = ["拉出单子测试行动"]
    done = client.post("/ledger/draft/import", data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/ledger?campaign_id=")
    campaign = session.scalar(select(LedgerItem).where(LedgerItem.content == "拉出单子测试行动"))
    children = session.scalars(select(LedgerItem).where(LedgerItem.parent_id == campaign.id)).all()
    assert sorted(m.content for m in children) == [
        "历下区人民政府牵头的量化目标",
        "历下区住房和城乡建设局牵头的量化目标",
    ]
    tasks = session.scalars(
        select(LedgerItem).where(LedgerItem.parent_id.in_([m.id for m in children]))
    ).all()
    by_value = {t.target_value: t for t in tasks}
    assert set(by_value) == {39, 1.23}
    assert by_value[39].content == "新建口袋公园39个（已改写）" and by_value[39].target_unit == "个"
    assert by_value[1.23].target_unit == "万户" and by_value[1.23].deadline_at is not None
    assert items_named(session, "绿化覆盖率") == 0


def test_a_row_the_ledger_refuses_is_named_and_nothing_is_written(as_user, session):
    client = as_user("supervisor")
    fields = review_fields(drafted(client).text)
    fields["campaign"] = ["不应写入的行动"]
    fields["deadline"][0] = "2001-01-01"  # before it is assigned: the ledger's own rule refuses it
    answer = client.post("/ledger/draft/import", data=fields, follow_redirects=False)
    assert answer.status_code == 422 and "数据库未作任何改动" in answer.text
    assert re.search(r"<td>完成时限</td><td>2001-01-01</td>", answer.text), answer.text[-2000:]
    assert items_named(session, "不应写入的行动") == 0


def test_a_review_without_a_lead_unit_or_accepted_row_is_refused_clearly(as_user):
    client = as_user("supervisor")
    fields = review_fields(drafted(client).text)
    fields["unit_code"][0] = ""
    answer = client.post("/ledger/draft/import", data=fields, follow_redirects=False)
    assert answer.status_code == 422 and "请选择牵头单位" in answer.text
    fields = review_fields(drafted(client).text)
    fields["accept"] = []
    answer = client.post("/ledger/draft/import", data=fields, follow_redirects=False)
    assert answer.status_code == 422 and "至少勾选一行" in answer.text
    fields["accept"] = ["99"]
    assert client.post("/ledger/draft/import", data=fields, follow_redirects=False).status_code == 422


def test_an_uploaded_plan_file_is_drafted_and_a_binary_one_refused(as_user):
    client = as_user("supervisor")
    token = csrf(client.get("/ledger/draft").text)
    answer = client.post(
        "/ledger/draft", data={"csrf_token": token}, files={"file": ("方案.txt", PLAN.encode("gb18030"))}
    )
    assert answer.status_code == 200 and 'value="1.23"' in answer.text
    refused = client.post(
        "/ledger/draft", data={"csrf_token": token}, files={"file": ("x.txt", b"PK\x03\x04\x00\x00")}
    )
    assert refused.status_code == 422 and "二进制" in refused.text


def test_only_those_who_manage_the_ledger_may_draft_one(as_user):
    for persona in ("grid_worker", "citizen", "dept_officer"):
        client = as_user(persona)
        assert client.get("/ledger/draft").status_code in (403, 404), persona
        token = csrf(client.get("/").text)
        answer = client.post("/ledger/draft", data={"csrf_token": token, "text": PLAN})
        assert answer.status_code in (403, 404), persona
