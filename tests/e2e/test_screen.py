"""The big screen in a real browser: the dispatcher's screen takes a case reported through the API in the
background onto its map and its tiles without a reload, and a tile opens the list behind it; a street
officer's screen holds only their street; the wall fits 1920 × 1080 and a laptop's 1366 × 768 without
cropping (screenshots in build/screenshots/screen/)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from govgrid.db.case_models import Case
from govgrid.db.models import User
from govgrid.services.people.accounts import actor_for, issue_token
from tests.e2e.test_browser import log_in
from tests.factories import NOW, STREET_A

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "screen"


@pytest.fixture(scope="module")
def admin_key(district_sessions, district):
    with district_sessions() as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        key = issue_token(session, actor=actor_for(admin), name="screen test", now=NOW)
        session.commit()
        return key


def open_screen(page, width: int, height: int):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/screen")
    page.wait_for_selector("#screen-map[data-ready='1']")
    page.wait_for_selector("#live.on")


def fits_without_cropping(page, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("#stage").bounding_box()
    assert box is not None
    assert box["x"] >= -1 and box["y"] >= -1, box
    assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, box
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_case_reported_in_the_background_reaches_the_map_and_the_tiles(page, base_url, admin_key, district):
    log_in(page, "dispatcher")
    open_screen(page, 1920, 1080)
    fits_without_cropping(page, 1920, 1080)
    shoot(page, "command-1920x1080")
    before = page.locator(".tile[data-key='open'] .tile-value").inner_text()
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    answer = requests.post(
        f"{base_url}/api/v1/cases",
        headers={"Authorization": f"Bearer {admin_key}"},
        json={
            "class_code": "E0102",
            "title": "大屏实时测试",
            "lng": point.x,
            "lat": point.y,
            "client_id": str(uuid.uuid4()),
        },
    )
    assert answer.status_code in (200, 201), answer.text
    case_id = answer.json()["id"]
    page.wait_for_selector(f"#screen-map[data-last-case='{case_id}']", timeout=5_000)
    page.wait_for_function(
        "before => document.querySelector(\".tile[data-key='open'] .tile-value\").textContent !== before",
        arg=before,
        timeout=10_000,
    )
    after = page.locator(".tile[data-key='open'] .tile-value").inner_text()
    assert int(after.replace(",", "")) == int(before.replace(",", "")) + 1
    page.click(".tile[data-key='overdue']")
    page.wait_for_url("**/cases?open=true&overdue=true")
    assert page.locator("input[name=open]").is_checked() and page.locator("input[name=overdue]").is_checked()


def test_the_screen_fits_a_laptop_without_cropping(page):
    log_in(page, "leader")
    open_screen(page, 1366, 768)
    fits_without_cropping(page, 1366, 768)
    shoot(page, "command-1366x768")


def test_a_street_officers_screen_holds_only_their_street(page, district_sessions):
    log_in(page, "street_officer")
    open_screen(page, 1920, 1080)
    shoot(page, "street-1920x1080")
    assert "街道" in page.locator("h1").inner_text()
    points = json.loads(page.locator("#screen-data").text_content() or "{}")["points"]
    assert points, "the street has open cases on its map"
    with district_sessions() as session:
        scopes = set(session.scalars(select(Case.scope_code).where(Case.id.in_([p[3] for p in points]))))
    assert all(code.startswith(STREET_A) for code in scopes), scopes


def test_the_leaders_phone_view_fits_a_phone_and_leads_to_the_instruction(page, demo_ledger):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "leader")
    page.goto("/today")
    assert page.locator(".today-tile").count() == 9
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "leader-today-390x844.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.locator("#today-ledger a.button").count() >= 1, "the demo ledger has red or yellow items"
    page.locator("#today-ledger a.button").first.click()
    page.wait_for_selector("#instruction-form")
