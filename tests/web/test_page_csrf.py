"""CSRF on the pages is one dependency of their router: every page POST — those of today and any added
later — refuses a form sent with the login cookie but without its token, before anything is read."""

import re

from fastapi.routing import APIRoute

from govgrid.web.pages import router as pages


def routes_of(router) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    """The routes of a router and of the routers it includes."""
    found = []
    for route in router.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router
            found += routes_of(route.original_router)
    return found


def page_posts() -> list[str]:
    return sorted(r.path for r in routes_of(pages) if "POST" in r.methods)


def test_there_are_page_forms_to_check():
    assert len(page_posts()) >= 15 and "/login" in page_posts()


def test_every_page_post_without_its_token_is_refused(as_user, district):
    client = as_user("admin")
    client.headers.pop("X-CSRF-Token", None)
    for path in page_posts():
        url = re.sub(r"\{[^}]+\}", "1", path)
        answer = client.post(url, data={"note": "x"}, follow_redirects=False)
        assert answer.status_code == 403 and "CSRF" in answer.text, (path, answer.status_code)


def test_a_wrong_token_is_refused_too_and_the_right_one_passes(as_user, district):
    client = as_user("admin")
    client.headers.pop("X-CSRF-Token", None)
    assert client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
