"""Every page route, today's and any added later, is either public by name (below) or sends an anonymous
caller to the login form; no page POST does anything for an anonymous caller without the form's token."""

from fastapi.routing import APIRoute

PUBLIC_PAGES = {"/login", "/signup", "/follow", "/docs", "/sw.js"}


def page_routes(app):  # type: ignore[no-untyped-def]
    """(path, methods) of the app's routes with their full paths, minus the APIs. FastAPI keeps included
    routers as such (0.16x): their routes, with the prefixes applied, are their effective contexts."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            found = [(route.path, route.methods)]
        elif hasattr(route, "effective_route_contexts"):
            found = [(c.path, c.methods) for c in route.effective_route_contexts()]
        else:
            continue
        for path, methods in found:
            if not path.startswith(("/api/", "/open311/")):
                yield path, methods


def concrete(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_page_is_public_by_name_or_asks_an_anonymous_caller_to_log_in(app, anonymous):
    seen = set()
    for route_path, methods in page_routes(app):
        path = concrete(route_path)
        for method in methods:
            seen.add((method, route_path))
            if method == "GET":
                answer = anonymous.get(path, follow_redirects=False)
                if route_path in PUBLIC_PAGES:
                    assert answer.status_code == 200, (route_path, answer.status_code)
                else:
                    assert answer.status_code == 303, (route_path, answer.status_code)
                    assert answer.headers["location"].startswith("/login"), route_path
            elif method == "POST":
                answer = anonymous.post(path, data={"x": "1"}, follow_redirects=False)
                assert answer.status_code in (303, 403), (route_path, answer.status_code)
                if answer.status_code == 303:
                    assert answer.headers["location"].startswith("/login"), route_path
    assert {("GET", "/account"), ("POST", "/report"), ("GET", "/signup"), ("POST", "/signup")} <= seen
    assert len(seen) >= 30
