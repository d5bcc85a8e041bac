"""Every list of the API pages the same way: ?page=&page_size= in (at most MAX_PAGE_SIZE), and
{items, page, page_size, pages, total} out; and every paged page links to ?page=N keeping its filters."""

from __future__ import annotations

import pytest

from govgrid.domain.paging import MAX_PAGE_SIZE, Paging, page_of
from tests.factories import STREET_A

# Lists that are one record's own parts, bounded by that record, or GeoJSON bounded by a bounding box:
# returned whole, by design.
WHOLE = {
    "/api/v1/cases/{case_id}/timeline": "a case's own history",
    "/api/v1/cases/{case_id}/photos": "a case's own photos (capped per case)",
    "/api/v1/cases/{case_id}/similar": "a case's own links to similar cases (the newest SHOWN_LINKS)",
    "/api/v1/geo/areas": "GeoJSON of the areas in scope",
    "/api/v1/geo/grids": "GeoJSON of the grids in a bounding box",
}

PAGED = [
    "/api/v1/cases",
    "/api/v1/reminders",
    "/api/v1/audit",
    "/api/v1/people",
    "/api/v1/units",
    "/api/v1/geo/responsibility-grids",
    "/api/v1/ledger/items",
]


PAGE_FIELDS = {"items", "page", "page_size", "pages", "total"}


def test_every_list_route_of_the_api_is_paged_or_named_as_returned_whole(app):
    """Read from the published OpenAPI document: what a client is promised."""
    document = app.openapi()
    schemas = document["components"]["schemas"]
    lists, pages = set(), set()
    for path, operations in document["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array":
            lists.add(path)
        elif "$ref" in schema:
            fields = set(schemas[schema["$ref"].rsplit("/", 1)[1]].get("properties", {}))
            if fields >= PAGE_FIELDS:
                pages.add(path)
            assert "limit" not in {p["name"] for p in operations["get"].get("parameters", [])}, path
    assert lists <= set(WHOLE), f"unpaged lists: {sorted(lists - set(WHOLE))}"
    assert pages == set(PAGED)


@pytest.mark.parametrize("path", PAGED)
def test_each_paged_list_answers_with_its_page_and_total(as_user, path):
    reader = "auditor" if path == "/api/v1/audit" else "admin"  # 三员分立: the log is the auditor's
    body = as_user(reader).get(f"{path}?page=1&page_size=2").json()
    assert set(body) >= {"items", "page", "page_size", "pages", "total"}
    assert body["page"] == 1 and body["page_size"] == 2 and len(body["items"]) <= 2
    assert body["pages"] == max(1, -(-body["total"] // 2))


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("query", [f"page_size={MAX_PAGE_SIZE + 1}", "page_size=0", "page=0", "page=x"])
def test_a_page_size_over_the_maximum_or_a_page_below_one_is_refused_by_name(as_user, path, query):
    answer = as_user("admin").get(f"{path}?{query}")
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == query.split("=")[0]


def report(client, district, count):
    point = district.grid(STREET_A).geometry.representative_point()
    for n in range(count):
        answer = client.post(
            "/api/v1/cases", json={"class_code": "E0102", "title": f"分页{n}", "lng": point.x, "lat": point.y}
        )
        assert answer.status_code == 201, answer.text


def test_pages_of_cases_do_not_overlap_and_a_page_beyond_the_last_shows_the_last(as_user, district):
    client = as_user("admin")
    report(as_user("grid_worker"), district, 4)
    first = client.get("/api/v1/cases?page_size=3").json()
    assert first["total"] >= 4
    second = client.get("/api/v1/cases?page_size=3&page=2").json()
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}
    beyond = client.get(f"/api/v1/cases?page_size=3&page={first['pages'] + 5}").json()
    assert beyond["page"] == first["pages"] and beyond["items"]


def test_paging_in_memory_brings_odd_values_into_range():
    assert Paging(0, 0) == Paging(1, 1)
    assert Paging(1, 10**6).page_size == MAX_PAGE_SIZE
    found = page_of(list(range(7)), Paging(9, 3))
    assert (found.items, found.page, found.pages, found.total) == ([6], 3, 3, 7)
    assert page_of([], Paging(4, 3)).pages == 1


def test_the_case_list_page_links_to_its_next_page_keeping_the_status_filter(as_user, district, monkeypatch):
    from govgrid.web.pages import case_list as case_pages

    monkeypatch.setattr(case_pages, "LIST_PAGE", 1)  # a page of one case, so the few test cases make pages
    report(as_user("citizen"), district, 2)
    client = as_user("admin")
    total = client.get("/api/v1/cases?status=reported").json()["total"]
    assert total >= 2, "the test district needs two reported cases"
    html = client.get("/cases?status=reported&page=2").text
    assert f"共 {total} 行，{total} 页" in html
    assert 'href="/cases?status=reported&amp;page=3"' in html or total == 2
    assert 'href="/cases?status=reported&amp;page=1"' in html
