"""A browser gets error pages in Chinese (404, 405, 500), never raw JSON; the API keeps its JSON errors; and
a fault never shows its traceback to anyone."""

from __future__ import annotations

from fastapi.testclient import TestClient

HTML = {"accept": "text/html,application/xhtml+xml"}


def test_an_unknown_page_is_a_chinese_404_page_for_a_browser(anonymous):
    answer = anonymous.get("/no-such-page", headers=HTML)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "页面不存在" in answer.text and "Not Found" not in answer.text
    assert 'rel="icon"' in answer.text


def test_an_unknown_api_path_stays_a_json_404(anonymous):
    answer = anonymous.get("/api/v1/no-such-thing")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_the_favicon_is_served_from_the_package(anonymous):
    answer = anonymous.get("/static/img/favicon.svg")
    assert answer.status_code == 200 and answer.text.startswith("<svg")


def test_a_fault_is_a_500_page_without_its_traceback(tmp_path):
    from govgrid.settings import load_settings
    from govgrid.web.app import create_app

    app = create_app(
        load_settings(
            database_url=f"sqlite:///{tmp_path / 'fault.db'}", secret_key="x" * 40, media_dir=tmp_path
        )
    )

    @app.get("/fault-for-test")
    def fault() -> None:
        raise RuntimeError("secret detail of the fault")

    @app.get("/api/v1/fault-for-test")
    def api_fault() -> None:
        raise RuntimeError("secret detail of the fault")

    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/fault-for-test", headers=HTML)
    assert page.status_code == 500 and "服务器内部错误" in page.text and "secret detail" not in page.text
    api = client.get("/api/v1/fault-for-test")
    assert api.status_code == 500 and api.json()["error"]["code"] == "internal_error"
    assert "secret detail" not in api.text
