"""The case list is searched and filtered the same way in the API and on the page: by text (number,
title, address, reporter), status, class, area, unit, channel, overdue / supervised / reworked, and dates."""

from __future__ import annotations

import re
import uuid

from tests.factories import STREET_A, STREET_B


def report(client, district, title, *, street=STREET_A, class_code="E0102", address=""):  # type: ignore[no-untyped-def]
    point = district.grid(street).geometry.representative_point()
    answer = client.post(
        "/api/v1/cases",
        json={"class_code": class_code, "title": title, "lng": point.x, "lat": point.y, "address": address},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def ids(client, query):  # type: ignore[no-untyped-def]
    body = client.get(f"/api/v1/cases?page_size=500&{query}").json()
    return {c["id"] for c in body["items"]}


def test_a_dispatcher_finds_cases_by_title_address_or_number(as_user, district):
    worker, dispatcher = as_user("grid_worker"), as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    by_title = report(worker, district, f"井盖缺失{mark}")
    by_address = report(worker, district, "暴露垃圾", address=f"文化东路{mark}号")
    assert ids(dispatcher, f"q={mark}") == {by_title["id"], by_address["id"]}
    assert ids(dispatcher, f"q={by_title['code']}") == {by_title["id"]}


def test_search_text_is_literal_not_a_pattern(as_user, district):
    dispatcher = as_user("dispatcher")
    report(as_user("grid_worker"), district, "普通案件")
    assert ids(dispatcher, "q=%25") == set()  # "%" matches a literal percent sign only
    assert ids(dispatcher, "q=_") == set()


def test_filters_by_class_area_and_channel_narrow_the_list(as_user, district):
    worker, dispatcher = as_user("grid_worker"), as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    rubbish = report(worker, district, f"垃圾{mark}", class_code="E0102")
    advert = report(worker, district, f"小广告{mark}", class_code="E0201")
    elsewhere = report(dispatcher, district, f"别处{mark}", street=STREET_B, class_code="E0506")
    assert ids(dispatcher, f"q={mark}&class_code=E0102") == {rubbish["id"]}
    assert ids(dispatcher, f"q={mark}&class_code=E02") == {advert["id"]}
    assert ids(dispatcher, f"q={mark}&area={STREET_B}") == {elsewhere["id"]}
    assert ids(dispatcher, f"q={mark}&channel=patrol") == {rubbish["id"], advert["id"], elsewhere["id"]}
    assert ids(dispatcher, f"q={mark}&channel=video") == set()
    assert ids(dispatcher, f"q={mark}&reworked=true") == set()
    assert ids(dispatcher, f"q={mark}&reported_to=2001-01-01") == set()


def test_a_street_officer_searching_never_sees_another_streets_cases(as_user, district):
    mark = uuid.uuid4().hex[:6]
    report(as_user("dispatcher"), district, f"乙街道{mark}", street=STREET_B)
    assert ids(as_user("street_officer"), f"q={mark}") == set()


def test_bad_filter_values_are_refused_naming_the_field(as_user):
    client = as_user("dispatcher")
    for query, field in (
        ("status=bogus", "status"),
        ("reported_from=2026-13-40", "reported_from"),
        ("reported_from=2026-12-02&reported_to=2026-12-01", "reported_from"),
        ("area=abc", "area_code"),
        ("class_code=E01%27--", "class_code"),
        ("unit_id=x", "unit_id"),
    ):
        answer = client.get(f"/api/v1/cases?{query}")
        assert answer.status_code == 422, query
        assert answer.json()["error"]["field"] == field, query
    assert client.get("/cases?status=bogus").status_code == 422


def test_the_list_page_shows_the_rows_the_api_gives_for_the_same_filter(as_user, district):
    dispatcher = as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    for n in range(3):
        report(as_user("grid_worker"), district, f"同一筛选{mark}{n}")
    query = f"q={mark}&class_code=E0102"
    html = dispatcher.get(f"/cases?{query}").text
    shown = {int(i) for i in re.findall(r'href="/cases/(\d+)"', html.split('id="case-list"', 1)[1])}
    assert shown == ids(dispatcher, query) and len(shown) == 3
    assert f'value="{mark}"' in html  # the form keeps what was typed


def test_the_export_holds_exactly_the_rows_of_the_filtered_list(as_user, district):
    import csv
    import io

    from openpyxl import load_workbook

    dispatcher = as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    made = [report(as_user("grid_worker"), district, f"导出{mark}{n}") for n in range(3)]
    report(as_user("grid_worker"), district, f"导出{mark}别类", class_code="E0201")
    query = f"q={mark}&class_code=E0102"
    answer = dispatcher.get(f"/api/v1/cases/export?format=csv&{query}")
    assert (
        answer.status_code == 200 and "%E6%A1%88%E4%BB%B6-" in answer.headers["content-disposition"]
    )  # 案件-
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:6] == ["案件编号", "来源", "问题分类", "标题", "问题描述", "地址"]  # the import's headers
    column = {name: n for n, name in enumerate(header)}
    assert {r[0] for r in rows[1:]} == {c["code"] for c in made}
    assert {r[column["问题分类"]] for r in rows[1:]} == {"E0102"}
    assert {r[column["分类名称"]] for r in rows[1:]} == {"暴露垃圾"}
    assert {r[column["当前状态"]] for r in rows[1:]} == {"待核实"}
    assert {r[column["来源"]] for r in rows[1:]} == {"巡查"} and {r[column["坐标系"]] for r in rows[1:]} == {
        "gcj02"
    }
    book = load_workbook(io.BytesIO(dispatcher.get(f"/api/v1/cases/export?{query}").content))
    codes = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert codes == {c["code"] for c in made}


def test_a_title_that_looks_like_a_formula_is_exported_as_text(as_user, district):
    mark = uuid.uuid4().hex[:6]
    report(as_user("grid_worker"), district, f'=HYPERLINK("http://x","{mark}")')
    text = as_user("dispatcher").get(f"/api/v1/cases/export?format=csv&q={mark}").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_the_list_names_streets_and_communities_and_its_tabs_count_what_they_show(as_user, district):
    dispatcher = as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    report(as_user("grid_worker"), district, f"计数{mark}")
    html = dispatcher.get(f"/cases?q={mark}").text
    listed = html.split('id="case-list"', 1)[1]
    street = district.grid(STREET_A)
    assert " · " in listed and street.code not in re.sub(r'title="[^"]*"', "", listed)  # names, not codes
    tab = re.search(r'data-status="reported">待核实 <span class="count">(\d+)</span>', html).group(1)
    assert int(tab) == len(ids(dispatcher, f"q={mark}&status=reported")) == 1


def test_nearest_first_leaves_out_finished_cases_and_shows_distances(as_user, district):
    from govgrid.geo.crs import Crs, from_stored

    worker, dispatcher = as_user("grid_worker"), as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    done = report(worker, district, f"已作废{mark}")
    dispatcher.post(f"/api/v1/cases/{done['id']}/steps", json={"step": "cancel", "note": "误报"})
    open_case = report(worker, district, f"待办{mark}")
    point = district.grid(STREET_A).geometry.representative_point()
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)
    near = f"near={lng},{lat}&crs=wgs84"
    assert ids(dispatcher, f"q={mark}&{near}") == {open_case["id"]}
    html = dispatcher.get(f"/cases?q={mark}&{near}").text
    assert "<th>距离</th>" in html and re.search(r'class="distance">\d+ 米<', html)


def test_the_list_sorts_by_a_column_the_same_way_in_the_api_the_page_and_the_export(as_user, district):
    import csv
    import io

    worker, dispatcher = as_user("grid_worker"), as_user("dispatcher")
    mark = uuid.uuid4().hex[:6]
    made = [
        report(worker, district, f"排序{mark}{n}", class_code=code)
        for n, code in enumerate(["E0201", "E0102", "E0103"])
    ]
    by_class = [c["id"] for c in dispatcher.get(f"/api/v1/cases?q={mark}&sort=class").json()["items"]]
    assert by_class == [made[1]["id"], made[2]["id"], made[0]["id"]]
    newest = [c["id"] for c in dispatcher.get(f"/api/v1/cases?q={mark}").json()["items"]]
    assert newest == [c["id"] for c in reversed(made)]  # the default: newest first
    page = dispatcher.get(f"/cases?q={mark}&sort=class").text
    listed = re.findall(r'<a href="/cases/(\d+)">', page.split('id="case-list"', 1)[1])
    assert [int(i) for i in listed] == by_class
    assert 'data-sort="class" href="/cases?q=' in page and "sort=-class" in page  # the header turns it round
    rows = list(
        csv.reader(
            io.StringIO(
                dispatcher.get(f"/api/v1/cases/export?format=csv&q={mark}&sort=class").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [r[0] for r in rows[1:]] == [made[1]["code"], made[2]["code"], made[0]["code"]]
    refused = dispatcher.get("/api/v1/cases?sort=title")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "sort"
