"""考核 page: a period and a slice, the rows ranked by 按期结案率 with the minimum of due cases, every count a
link to the case list showing exactly those cases; and `govgrid report metrics` answers as the API does."""

import re


def test_the_assessment_page_links_every_count_to_the_cases_behind_it(as_user, may_cases):
    dispatcher = as_user("dispatcher")
    page = dispatcher.get("/assessment?from=2025-05-01&to=2025-05-31&by=department")
    assert page.status_code == 200
    table = page.text.split('id="assessment-table"', 1)[1].split("</table>", 1)[0]
    total = table.split('id="assessment-total"', 1)[1]
    links = dict(re.findall(r'<a href="(/cases\?[^"]+)"[^>]*>(\d+)</a>', total))
    assert len(links) == 6
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
