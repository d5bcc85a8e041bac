"""Security headers on every response: a Content-Security-Policy that allows only the server's own
scripts and styles (everything is bundled: no CDN), no framing, no MIME sniffing, no referrer beyond the
site, and — behind HTTPS — Strict-Transport-Security."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(tile_url: str) -> str:
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
        tiles = f" {parts.scheme}://{host}" if parts.scheme and host else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:"
        + tiles
        + "; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, tile_url: str = "", https: bool = False) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(tile_url).encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"geolocation=(self), camera=(self), microphone=(), payment=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *(h for h in self.headers if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Every request body is bounded before it is read: by its Content-Length, and while it streams in
    (chunked bodies). JSON and forms get `json_bytes`; file uploads `upload_bytes`; `large` names paths with
    their own limit (the GeoJSON import). Larger bodies get 413 naming the limit."""

    def __init__(self, app: ASGIApp, *, json_bytes: int, upload_bytes: int, large: dict[str, int]) -> None:
        self.app, self.json_bytes, self.upload_bytes, self.large = app, json_bytes, upload_bytes, large

    def _limit(self, scope: Scope) -> int:
        if scope["path"] in self.large:
            return self.large[scope["path"]]
        kind = dict(scope.get("headers") or []).get(b"content-type", b"")
        return self.upload_bytes if kind.startswith(b"multipart/") else self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen, exceeded, answered = 0, False, False

        async def counted() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # stop reading: the app sees the body end, and its answer is replaced below
                exceeded = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def watched(message: Message) -> None:
            nonlocal answered
            if not exceeded:
                await send(message)
            elif not answered:
                answered = True
                await _too_large(send, limit)

        await self.app(scope, counted, watched)
        if exceeded and not answered:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    import json

    body = json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "field": "body",
                "message": f"请求体超过 {limit / 1048576:.0f} MB 的上限",
            }
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class QueryGuard:
    """No control character (a NUL byte, which PostgreSQL cannot even compare) reaches a route through the
    path or the query string: such a request is a 422 naming the parameter, before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            bad = _bad_parameter(scope)
            if bad is not None:
                await _refuse_parameter(scope, send, bad)
                return
        await self.app(scope, receive, send)


def _bad_parameter(scope: Scope) -> str | None:
    from urllib.parse import parse_qsl

    from govgrid.domain.text import FORBIDDEN

    if FORBIDDEN.search(scope.get("path", "")):
        return "path"
    query = scope.get("query_string", b"").decode("utf-8", "replace")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if FORBIDDEN.search(key) or FORBIDDEN.search(value):
            return key[:40] or "query"
    return None


async def _refuse_parameter(scope: Scope, send: Send, field: str) -> None:
    import html
    import json

    message = f"参数 {field} 含不可见的控制字符，请删除后重试"
    if scope["path"].startswith("/open311/"):  # GeoReport's own error format
        body = json.dumps([{"code": 422, "description": message}], ensure_ascii=False).encode()
        kind = b"application/json; charset=utf-8"
    elif scope["path"].startswith("/api/"):
        body = json.dumps(
            {"error": {"code": "invalid_input", "message": message, "field": field}}, ensure_ascii=False
        ).encode()
        kind = b"application/json; charset=utf-8"
    else:
        body = (
            f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>参数无效</title>'
            f'<p role="alert">{html.escape(message)}</p><p><a href="/">返回工作台</a></p></html>'
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 422, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": body})
