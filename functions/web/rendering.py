"""The pages' templates (Jinja2, autoescaped, strict about undefined names) and the answers made of them."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Response

from web import session, views
from web.core import CSRF_FIELD, HERE, csrf_token, request


@cache
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(views.FILTERS)
    env.globals.update(static=views.static_url, csrf_field=CSRF_FIELD)
    return env


def render_text(template: str, **context: Any) -> str:
    base = {"csrf_token": csrf_token(), "user": session.current_user(optional=True), "path": request().path}
    return str(environment().get_template(template).render({**base, **context}))


def page(template: str, status: int = 200, **context: Any) -> Response:
    return Response(body=render_text(template, **context), status_code=status,
                    headers={"Content-Type": "text/html; charset=utf-8"})


def redirect(location: str, status: int = 303) -> Response:
    return Response(body="", status_code=status, headers={"Location": location})
