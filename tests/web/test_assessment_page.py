"""考核 page: a period, a slice and a scheme, the rows ranked with the minimum of due cases, every count a
link to the case list showing exactly those cases, the 红黑榜, 环比 and 同比, the export; and `govgrid report
metrics` answers as the API does."""

import re


def test_the_assessment_page_links_every_count_to_the_cases_behind_it(as_user, may_cases):
    dispatcher = as_user("dispatcher")
    page = dispatcher.get("/assessment?from=2025-05-01&to=2025-05-31&by=department")
    assert page.status_code == 200
    table = page.text.split('id="assessment-table"', 1)[1].split("</table>", 1)[0]
    total = table.split('id="assessment-total"', 1)[1]
    links = dict(re.findall(r'<a href="(/cases\?[^"]+)"[^>]*>(\d+)</a>', total))
    assert len(links) == 11  # 上报 立案 派遣 应结案 结案 按期 超期 返工 督办 延期 回访
    for href, count in links.items():
        listed = dispatcher.get("/api/v1/cases" + href[len("/cases") :].replace("&amp;", "&")).json()
        assert listed["total"] == int(count), (href, count, listed["total"])
    assert "60.00%" in total and "80.00%" in total  # 按期结案率 3/5, 结案率 4/5
    assert 'class="unranked"' in table  # fewer than 20 due cases: listed, not ranked


def test_people_without_the_assessment_cannot_open_it(as_user):
    assert as_user("citizen").get("/assessment").status_code in (403, 404)
    assert as_user("grid_worker").get("/assessment").status_code in (403, 404)


def test_the_console_prints_the_same_metrics_as_the_api(as_user, may_cases, district_url, tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "GOVGRID_DATABASE_URL": district_url, "GOVGRID_MEDIA_DIR": str(tmp_path)}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "govgrid"),
            "report",
            "metrics",
            "--from",
            "2025-05-01",
            "--to",
            "2025-05-31",
            "--by",
            "department",
            "--format",
            "json",
            "--as",
            "dispatcher",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    api = (
        as_user("dispatcher")
        .get("/api/v1/assessment/metrics?from=2025-05-01&to=2025-05-31&by=department")
        .json()
    )
    assert json.loads(done.stdout) == api


def test_a_ranking_explains_each_score_and_the_export_holds_the_same_table(as_user, may_cases):
    from io import BytesIO

    from openpyxl import load_workbook

    dispatcher = as_user("dispatcher")
    page = dispatcher.get("/assessment?from=2025-05-01&to=2025-05-31&by=department&scheme=jinhua")
    assert page.status_code == 200 and "金华规则" in page.text
    assert 'id="assessment-boards"' in page.text and 'id="assessment-compare"' in page.text
    assert "按期结案率 60.00%" not in page.text or "低于 70%" in page.text
    lines = re.findall(r'<li>([^<]*?)\s*(?:<a href="(/cases\?[^"]+)">查看案件</a>)?</li>', page.text)
    assert any("按期结案率" in text for text, _ in lines)
    for _, href in lines:
        if href:
            assert (
                dispatcher.get("/api/v1/cases" + href[len("/cases") :].replace("&amp;", "&")).status_code
                == 200
            )
    exported = dispatcher.get("/assessment/export?from=2025-05-01&to=2025-05-31&by=department&scheme=jinhua")
    assert exported.status_code == 200
    book = load_workbook(BytesIO(exported.content))
    assert book.sheetnames == ["排名", "指标"]
    assert book["排名"]["A2"].value == "名次" and "金华规则" in book["排名"]["A1"].value
    figures = book["指标"]
    assert figures["A1"].value == "责任单位" and figures.cell(figures.max_row, 1).value == "合计"


def test_an_unknown_scheme_or_a_period_too_long_is_refused_on_the_page(as_user):
    dispatcher = as_user("dispatcher")
    assert dispatcher.get("/assessment?from=2025-05-01&to=2025-05-31&scheme=guess").status_code == 422
    assert dispatcher.get("/assessment/export?from=2024-01-01&to=2025-05-31").status_code == 422
    assert as_user("citizen").get("/assessment/export").status_code in (403, 404)


def test_the_api_ranks_on_a_scheme_within_the_callers_scope(as_user, may_cases):
    answer = as_user("dispatcher").get(
        "/api/v1/assessment/ranking?from=2025-05-01&to=2025-05-31&by=department"
    )
    body = answer.json()
    assert (
        answer.status_code == 200
        and body["scheme"]["id"] == "composite"
        and body["scheme"]["min_count"] == 20
    )
    assert body["ranked"] == [] and {e["name"] for e in body["unranked"]} >= {"历下区城市管理局"}
    assert (
        as_user("citizen").get("/api/v1/assessment/ranking?from=2025-05-01&to=2025-05-31").status_code == 403
    )
