"""Domain errors → HTTP, in one place, so the JSON API and the pages never disagree."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from govgrid.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)

STATUS = {
    NotFound: 404,
    Forbidden: 403,
    NotAuthenticated: 401,
    InvalidInput: 422,
    Conflict: 409,
    TooManyAttempts: 429,
}
CODE = {
    NotFound: "not_found",
    Forbidden: "forbidden",
    NotAuthenticated: "not_authenticated",
    InvalidInput: "invalid_input",
    Conflict: "conflict",
    TooManyAttempts: "too_many_attempts",
}


def status_of(exc: DomainError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(exc, kind)), 400)


def code_of(exc: DomainError) -> str:
    return next((code for kind, code in CODE.items() if isinstance(exc, kind)), "bad_request")


def is_api(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")[:40]
    )


def error_body(code: str, message: str, field: str | None = None, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status = status_of(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        if is_api(request):
            extra = {"problems": [str(p) for p in exc.problems]} if hasattr(exc, "problems") else {}
            return JSONResponse(
                error_body(code_of(exc), exc.message, exc.field, **extra), status_code=status, headers=headers
            )
        if status == 401:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        from govgrid.domain.permissions import ANONYMOUS
        from govgrid.web.pages.render import page

        answer = page(
            request, "error.html", ANONYMOUS, status_code=status, status=status, message=exc.message
        )
        answer.headers.update(headers or {})
        return answer

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_api(request) and exc.status_code in PAGE_MESSAGES:
            return _error_page(request, exc.status_code, PAGE_MESSAGES[exc.status_code])
        if not is_api(request) and exc.status_code != 400:
            from fastapi.exception_handlers import http_exception_handler

            return await http_exception_handler(request, exc)
        return _http_error(request, exc)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        """A fault of ours: logged with its traceback (by the server), answered without one."""
        if is_api(request) or request.url.path.startswith("/open311/"):
            body = error_body("internal_error", "服务器内部错误，已记录，请稍后再试")
            return JSONResponse(body, status_code=500)
        return _error_page(request, 500, "服务器内部错误，已记录。请稍后再试，或联系管理员。")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [_describe(e) for e in exc.errors()]
        first = problems[0] if problems else {"field": "request", "message": "请求无效"}
        if request.url.path.startswith("/open311/"):  # GeoReport's own error format
            return JSONResponse(
                [{"code": 422, "description": p["message"]} for p in problems], status_code=422
            )
        if not is_api(request):  # a page: the same error in Chinese on the page, never raw JSON
            from govgrid.domain.permissions import ANONYMOUS
            from govgrid.web.pages.render import page

            text = "；".join(p["message"] for p in problems[:5])
            return page(request, "error.html", ANONYMOUS, status_code=422, status=422, message=text)
        body = error_body("invalid_input", first["message"], first["field"], problems=problems)
        return JSONResponse(body, status_code=422)


PAGE_MESSAGES = {
    404: "页面不存在：请检查地址，或从菜单进入。",
    405: "此页面不接受这种请求。",
}


def _error_page(request: Request, status: int, message: str) -> Response:
    """The error as a page in Chinese, for a browser: never raw JSON."""
    from govgrid.domain.permissions import ANONYMOUS
    from govgrid.web.pages.render import page

    try:
        return page(request, "error.html", ANONYMOUS, status_code=status, status=status, message=message)
    except Exception:  # the page itself cannot be drawn (e.g. no database): plain text, still in Chinese
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse(f"{status} {message}", status_code=status)


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Framework errors (unparsable body, unknown path, wrong method) in the same shape as ours."""
    if exc.status_code == 400:  # an unparsable body (JSON, form, multipart): like every other bad input, 422
        message = "请求体无法解析：须为 UTF-8 编码的 JSON，或所需的表单"
        if request.url.path.startswith("/open311/"):
            return JSONResponse([{"code": 422, "description": message}], status_code=422)
        return JSONResponse(error_body("invalid_input", message, "body"), status_code=422)
    else:
        body = error_body(
            {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request"),
            str(exc.detail),
            None,
        )
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


MESSAGES = {  # pydantic's error types, said in Chinese
    "missing": "不能缺少",
    "extra_forbidden": "不是可接受的参数",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "finite_number": "须为有限数值（不能是 NaN 或无穷大）",
    "bool_parsing": "须为 true 或 false",
    "enum": "须为 {expected} 之一",
    "literal_error": "须为 {expected} 之一",
    "uuid_parsing": "须为 UUID",
    "datetime_parsing": "须为日期时间（如 2026-12-01T17:30:00+08:00）",
    "datetime_from_date_parsing": "须为日期时间",
    "timezone_aware": "须带时区",
    "json_invalid": "不是有效的 JSON",
    "string_type": "须为文字",
    "dict_type": "须为对象",
    "list_type": "须为列表",
    "model_attributes_type": "须为对象",
    "value_error": "{error}",
}


def _describe(error: dict) -> dict[str, str]:
    location = [
        str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path", "header", "form")
    ]
    field = ".".join(location) or "request"
    given = error.get("input")
    shown = (
        f"（收到：{str(given)[:40]!r}）"
        if given is not None and not isinstance(given, dict | list | bytes)
        else ""
    )
    template = MESSAGES.get(str(error.get("type", "")))
    try:
        said = template.format(**(error.get("ctx") or {})) if template else str(error.get("msg", ""))
    except (KeyError, IndexError):
        said = str(error.get("msg", ""))
    return {"field": field, "message": f"参数 {field} {said}{shown}"}
