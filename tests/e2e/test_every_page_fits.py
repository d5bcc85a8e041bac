"""Every page of every role's menu, and the pages they open from it (a case, a ledger item, 我的账号), fits a
390 px phone and a 1920 px command-center screen with the CJK fonts real users have — and is photographed
at both sizes for review (build/screenshots/roles/, not committed)."""

import re
import uuid

import pytest

from tests.e2e.test_browser import log_in
from tests.e2e.test_case_list import SHOTS
from tests.factories import PERSONAS, STREET_A

pytestmark = pytest.mark.e2e
SIZES = {"390": {"width": 390, "height": 844}, "1920": {"width": 1920, "height": 1080}}
ROLES = sorted({*PERSONAS, "grid_worker"})


@pytest.fixture(scope="module")
def a_case(app, district):  # type: ignore[no-untyped-def]
    """One case every staff role can open (in street A), with a long title, as real ones have."""
    from fastapi.testclient import TestClient

    from tests.conftest import login

    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    with TestClient(app) as client:
        login(client, "grid_worker")
        answer = client.post(
            "/api/v1/cases",
            json={
                "class_code": "E0102",
                "title": "泉城路与舜井街交叉口东北角人行道上暴露垃圾堆放多日无人清理影响通行（页面宽度检查）",
                "description": "现场约两立方米生活垃圾，周边商户反映多次。" * 5,
                "lng": point.x,
                "lat": point.y,
                "client_id": str(uuid.uuid4()),
            },
        )
        return answer.json()["id"]


def pages_of(page, role, case_id):  # type: ignore[no-untyped-def]
    paths = [a.get_attribute("href") for a in page.locator("nav.menu a").all()]
    paths += ["/account"]
    if role != "citizen":
        paths.append(f"/cases/{case_id}")
    if "/ledger" in paths:  # an item of the ledger too: its page was once wider than a phone
        page.goto("/ledger")
        first = page.locator("a[href^='/ledger/items/']").first
        if first.count():
            paths.append(first.get_attribute("href"))
        if page.locator("#draft-link").count():  # 拉出单子, for those who manage the ledger
            paths.append("/ledger/draft")
    return [p for p in dict.fromkeys(paths) if p and p != "/docs"]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_fits_the_screen(page, demo_ledger, a_case, role, size):
    viewport = SIZES[size]
    page.set_viewport_size(viewport)
    log_in(page, role)
    folder = SHOTS / "roles" / role
    folder.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for path in pages_of(page, role, a_case):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide[path] = width
        name = re.sub(r"[^a-z0-9]+", "-", path.strip("/") or "workspace")
        page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=size == "390")
    assert too_wide == {}, too_wide
