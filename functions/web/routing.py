"""`route`: a page's registration, with the CSRF check of every POST and the one mapping of errors to pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from web.core import FORM, check_csrf, request
from web.errors import error_page


def route(bp: Blueprint, path: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[Callable[..., Response]],
                                                                                   Callable[..., Response]]:
    """`bp.route`, accepting the forms browsers post, with the CSRF check of every POST and the one
    mapping of errors to pages."""
    def register(func: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Response:
            try:
                if request().method == "POST":
                    check_csrf()
                return func(*args, **kwargs)
            except Exception as exc:
                return error_page(exc)

        bp.route(path, methods=list(methods), content_types=[FORM, "application/json"])(guarded)
        return guarded

    return register
