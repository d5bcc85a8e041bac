"""The pages under their Content-Security-Policy in a real browser: nothing is blocked (every script and
style is the server's own file), and the API docs render offline from the bundled Swagger UI."""

from tests.e2e.test_case_pages import log_in


def collect_csp_errors(page):  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_the_api_docs_render_from_the_bundled_swagger_ui_with_nothing_blocked(page):
    errors = collect_csp_errors(page)
    log_in(page, "admin")
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "govgrid" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 40
    assert errors == []


def test_every_main_page_runs_under_the_policy_without_a_violation(page):
    errors = collect_csp_errors(page)
    log_in(page, "dispatcher")
    for path in ("/", "/cases", "/report", "/map", "/ledger", "/people", "/audit", "/calendar"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert errors == [], errors


def test_the_policy_really_refuses_an_inline_script_and_framing(page):
    errors = collect_csp_errors(page)
    log_in(page, "dispatcher")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === undefined") and errors, "an injected inline script ran"
    response = page.request.get("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert (
        response.headers["x-frame-options"] == "DENY"
        and response.headers["x-content-type-options"] == "nosniff"
    )
