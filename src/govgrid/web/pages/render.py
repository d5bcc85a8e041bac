"""Rendering a page with the shared layout context (user, menu, CSRF token, settings)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from govgrid.domain.permissions import Actor
from govgrid.domain.roles import ROLE_LABEL
from govgrid.web.deps import csrf_token, remember_pre_cookie
from govgrid.web.navigation import menu_for


def page(
    request: Request, template: str, actor: Actor, status_code: int = 200, **context: Any
) -> HTMLResponse:
    app = request.app
    context.update(
        actor=actor,
        role_label=ROLE_LABEL.get(actor.role, "") if actor.role else "",
        menu=menu_for(app.state.navigation, actor),
        csrf_token=csrf_token(request),
        settings=app.state.settings,
        current_path=request.url.path,
        page_url=lambda path, number: page_url(request, path, number),
    )
    response = app.state.templates.TemplateResponse(request, template, context, status_code=status_code)
    remember_pre_cookie(request, response)
    return response


def page_url(request: Request, path: str, number: int) -> str:
    """The link to page `number` of the list at `path`, with the request's other query parameters kept."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "page"]
    return f"{path}?{urlencode([*kept, ('page', str(number))])}"
