"""The 4xx answers each API route can give, documented in the OpenAPI document (one error shape for all),
derived from what the route is: every route validates its input (422); a route that needs a login also
answers 401, 403 and 404 (records outside the caller's reach are "not found"); a write may meet a changed
record (409) or too large a body (413); the connector push and the live stream are limited (429)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel

from govgrid.web.deps import require_login


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


MEANING = {
    401: "未登录，或令牌无效、过期、已失效",
    403: "当前角色无权执行此操作",
    404: "记录不存在，或不在您的数据范围内",
    409: "记录已被他人改变（请刷新后重试），或编号已被占用",
    413: "请求体超过上限",
    422: "参数无效：error.field 指出哪一项",
    429: "请求过于频繁：见 Retry-After",
}
# as the route knows its path, below /api/v1: the connector push (per key) and the live stream (per person;
# it resolves its caller itself, holding no session, so it is not seen to need a login)
RATE_LIMITED = ("/connectors/{connector_id}/events", "/stream")
PUBLIC_LOOKUPS = ("/geo/geocode",)  # public, and may find nothing


def _needs_login(route: APIRoute) -> bool:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is require_login:
            return True
        stack.extend(dependant.dependencies)
    return False


def codes_of(route: APIRoute) -> set[int]:
    codes = {422}
    writes = bool((route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"})
    limited = route.path.endswith(RATE_LIMITED)
    if _needs_login(route) or limited:
        codes |= {401, 403, 404}
    if writes:
        codes |= {409, 413}
    if limited:
        codes.add(429)
    if "{" in route.path or route.path.endswith(PUBLIC_LOOKUPS):
        codes.add(404)
    return codes


def api_routes(routes: Any) -> Any:
    """Every APIRoute below `routes`, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and inner is not route:
            yield from api_routes(inner.routes)


def document_errors(router: APIRouter) -> None:
    """Add the error answers to every route of the JSON API before the OpenAPI document is first built."""
    for route in api_routes(router.routes):
        for code in sorted(codes_of(route)):
            route.responses.setdefault(code, {"model": ErrorBody, "description": MEANING[code]})
