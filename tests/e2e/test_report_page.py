"""上报 in a real browser: a bad photo is named on the form with everything kept and nothing filed; a citizen
signs up, reports on the web and follows the case by the receipt's code without logging in; a grid worker
without signal reports, the report waits in the browser, and once the network is back exactly one case is
filed; the page fits a phone."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from govgrid.db.case_models import Attachment, Case
from tests.e2e.test_browser import log_in
from tests.e2e.test_case_list import SHOTS
from tests.e2e.test_case_pages import ONE_PIXEL_PNG, log_out, tap_the_map
from tests.factories import STREET_A

pytestmark = pytest.mark.e2e


def cases_titled(session, title):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Case).where(Case.title == title))


def pick_class(page, word, code):
    page.fill("#class-search", word)
    expect(page.locator("#class-count")).to_contain_text(
        "匹配", timeout=15_000
    )  # a loaded machine: the filter runs late
    page.select_option("#class-code", code)


def test_a_report_with_a_bad_photo_keeps_its_input_and_creates_nothing(page, district, session):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    title = "浏览器：照片损坏的上报"
    log_in(page, "grid_worker")
    page.goto("/report")
    pick_class(page, "垃圾", "E0102")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", "路口东侧")
    tap_the_map(page, point.x, point.y)
    page.set_input_files(
        "#photo", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture at all"}]
    )
    page.click("#report-submit")
    problem = page.locator("[data-field=photo] .field-error")
    expect(problem).to_be_visible()
    assert page.url.endswith("/report")  # the same form, not an error page
    assert page.input_value("input[name=title]") == title
    assert page.input_value("textarea[name=description]") == "路口东侧"
    assert page.input_value("#class-code") == "E0102"
    assert page.evaluate("document.getElementById('photo').files.length") == 1  # the photo is still chosen
    assert cases_titled(session, title) == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-bad-photo-1280.png"), full_page=True)

    page.set_input_files(
        "#photo", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": ONE_PIXEL_PNG}]
    )
    page.click("#report-submit")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert cases_titled(session, title) == 1


def test_an_address_the_gazetteer_does_not_know_says_place_it_on_the_map(page):
    log_in(page, "grid_worker")
    page.goto("/report")
    page.fill("#address", "没有这条路")
    page.locator("#address").blur()
    expect(page.locator("#address-result")).to_contain_text("未找到“没有这条路”：请在地图上点选位置")


def test_a_citizen_signs_up_reports_on_the_web_and_follows_by_the_receipts_code(page, district, session):
    point = district.grid(f"{STREET_A}002").geometry.representative_point()
    page.goto("/login")
    page.click("text=注册")
    page.fill("input[name=phone]", "13855550001")
    page.fill("input[name=name]", "陈女士")
    page.fill("input[name=password]", "my-own-password")
    page.fill("input[name=repeated]", "my-own-password")
    page.click("#signup-form button")
    page.wait_for_url(re.compile(r".*/$"))
    expect(page.locator("main")).to_contain_text("您好，陈女士")
    page.click("#my-reports >> text=上报问题")
    pick_class(page, "垃圾", "E0102")
    page.fill("input[name=title]", "小区门口垃圾无人清理")
    tap_the_map(page, point.x, point.y)
    assert page.input_value("input[name=reporter_phone]") == "13855550001"  # from the account, editable
    page.click("#report-submit")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    code = page.locator("#receipt strong").first.inner_text()
    secret = page.locator("#follow-secret").inner_text()
    page.screenshot(path=str(SHOTS / "report-receipt-1280.png"), full_page=True)
    page.goto("/")
    expect(page.locator("#my-reports")).to_contain_text(code)
    log_out(page)

    page.goto("/follow")
    page.fill("input[name=code]", code)
    page.fill("input[name=secret]", secret)
    page.click("#follow-form button")
    expect(page.locator("#follow-status")).to_have_text("待核实")
    assert "13855550001" not in page.content() and "陈女士" not in page.content()


def test_an_offline_report_is_queued_in_the_browser_and_sent_once(page, district, session):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    title = "地下室无信号时的上报"
    page.set_viewport_size({"width": 390, "height": 844})  # a grid worker's phone
    log_in(page, "grid_worker")
    page.goto("/report")
    pick_class(page, "垃圾", "E0102")
    page.fill("input[name=title]", title)
    tap_the_map(page, point.x, point.y)
    page.set_input_files(
        "#photo", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": ONE_PIXEL_PNG}]
    )

    page.context.set_offline(True)
    page.click("#report-submit")
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(page.locator("#queue-list")).to_contain_text(title)
    expect(page.locator("#queue-list")).to_contain_text("含照片")
    assert page.input_value("input[name=title]") == ""  # the form is free for the next report
    page.screenshot(path=str(SHOTS / "report-offline-queue-390.png"), full_page=True)
    assert cases_titled(session, title) == 0

    page.context.set_offline(False)
    expect(page.locator("#sent-notice")).to_contain_text("已发送离线保存的上报", timeout=20_000)
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert cases_titled(session, title) == 1
    case = session.scalar(select(Case).where(Case.title == title))
    photos = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.case_id == case.id))
    assert case.grid_code == district.grid(f"{STREET_A}001").code and photos == 1

    page.reload()  # nothing is left to resend: still one case
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert cases_titled(session, title) == 1


def test_the_report_page_opens_without_signal_once_it_has_been_opened(page):
    log_in(page, "grid_worker")
    page.goto("/report")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker controls the page and keeps it
    page.context.set_offline(True)
    try:
        page.reload()
        expect(page.locator("#report-form")).to_be_visible()
    finally:
        page.context.set_offline(False)


def test_the_report_page_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "grid_worker")
    page.goto("/report")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(SHOTS / "report-390.png"), full_page=True)


def test_a_queued_report_waits_for_its_own_author_on_a_shared_phone_and_goes_after_a_new_login(
    page, district, session
):
    from govgrid.db.models import User

    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    title = "共用手机上排队的上报"
    log_in(page, "grid_worker")
    page.goto("/report")
    page.route(
        "**/report", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
    )
    pick_class(page, "垃圾", "E0102")
    page.fill("input[name=title]", title)
    tap_the_map(page, point.x, point.y)
    page.click("#report-submit")
    expect(page.locator("#queue-count")).to_have_text("1")
    page.unroute("**/report")
    log_out(page)  # the session (and its form token) ends

    log_in(page, "gw_370102001002")  # another grid worker on the same phone
    page.goto("/report")
    expect(page.locator("#report-map[data-ready='1']")).to_be_attached()
    expect(page.locator("#offline-queue")).to_be_hidden()  # nobody sees or sends another's reports
    page.wait_for_timeout(500)
    assert cases_titled(session, title) == 0
    log_out(page)

    log_in(page, "grid_worker")  # back, with a new session and a new form token
    page.goto("/report")
    expect(page.locator("#sent-notice")).to_contain_text("已发送离线保存的上报", timeout=20_000)
    assert cases_titled(session, title) == 1
    case = session.scalar(select(Case).where(Case.title == title))
    assert case.reporter_id == session.scalar(select(User.id).where(User.username == "grid_worker"))
