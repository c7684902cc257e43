"""What every page shares: the Chalice app, the service's composition, the request's form, the
templates, the cookies (session and CSRF) and the security headers.

Pages are server-rendered (Jinja2) and work without JavaScript; scripts only add the upload progress
bar and the commune suggestions. The session is the Cognito ID token in an `HttpOnly; Secure;
SameSite=Strict` cookie (`__Host-` prefix: this host only, path /), never in the page's reach. Every
POST carries the CSRF token of its form (double-submit: a random value in a `__Host-` cookie, the same
in the form), checked before any route runs.
"""

from __future__ import annotations

import contextvars
import hmac
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ami import bootstrap
from ami.domain.errors import AmiError
from ami.settings import WebSettings
from chalice import Chalice

HERE = Path(__file__).resolve().parent
app = Chalice(app_name="ami-garantie-plateforme")
app.api.binary_types.extend(["application/pdf", "text/plain",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])

SESSION_COOKIE = "__Host-ami_session"
REFRESH_COOKIE = "__Host-ami_renouvellement"
CSRF_COOKIE = "__Host-ami_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"
REFRESH_SECONDS = 30 * 24 * 3600

_services: list[bootstrap.Container] = []


def configure(container: bootstrap.Container | None) -> bootstrap.Container | None:
    """Wire the pages to these adapters (local runtime, tests); returns the previous wiring."""
    previous = _services[0] if _services else None
    _services[:] = [container] if container is not None else []
    return previous


def services() -> bootstrap.Container:
    if not _services:
        _services.append(bootstrap.build(WebSettings.from_env()))
    return _services[0]


# ---------------------------------------------------------------- per-request state


@dataclass
class State:
    """What a request leaves for its response: cookies to set, sources the CSP must allow."""

    set_cookies: dict[str, str] = field(default_factory=dict)
    upload_origins: set[str] = field(default_factory=set)
    csrf: str | None = None
    user: Any = None
    user_known: bool = False


_state: contextvars.ContextVar[State] = contextvars.ContextVar("web_state")


def state() -> State:
    try:
        return _state.get()
    except LookupError:
        s = State()
        _state.set(s)
        return s


def reset_state() -> State:
    s = State()
    _state.set(s)
    return s


def request() -> Any:
    req = app.current_request
    assert req is not None
    return req


def header(name: str) -> str:
    headers = request().headers or {}
    return str(headers.get(name) or "")


def cookies() -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header("cookie"))
    except Exception:  # a malformed Cookie header is no session
        return {}
    return {k: m.value for k, m in jar.items()}


def cookie_header(name: str, value: str, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "Secure", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def set_cookie(name: str, value: str, max_age: int | None = None) -> None:
    state().set_cookies[name] = cookie_header(name, value, max_age)


def clear_cookie(name: str) -> None:
    state().set_cookies[name] = cookie_header(name, "", 0)


def query(name: str) -> str:
    params = request().query_params or {}
    return str(params.get(name) or "")


# ---------------------------------------------------------------- forms and CSRF


class CsrfRefused(AmiError):
    status = 403

    def __init__(self) -> None:
        super().__init__("jeton_csrf", "Le formulaire a expiré ou ne vient pas de cette page : "
                                       "rechargez la page et recommencez.")


def form_data() -> dict[str, str]:
    """The POSTed form (url-encoded), one value per name (the last)."""
    raw = request().raw_body or b""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def csrf_token() -> str:
    """This browser's CSRF token (set in its cookie on first use)."""
    s = state()
    if s.csrf is None:
        s.csrf = cookies().get(CSRF_COOKIE) or ""
        if len(s.csrf) != 43:
            s.csrf = secrets.token_urlsafe(32)
            set_cookie(CSRF_COOKIE, s.csrf)
    return s.csrf


def check_csrf() -> None:
    """A POST must carry the token of this browser's cookie, from a page of this very origin."""
    expected = cookies().get(CSRF_COOKIE) or ""
    sent = header(CSRF_HEADER)
    if not sent and FORM in header("content-type"):
        sent = form_data().get(CSRF_FIELD, "")
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRefused()
    origin = header("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != header("host"):
        raise CsrfRefused()


def absolute(path: str) -> str:
    """`path` on this plateforme's origin, as the browser reached it."""
    scheme = header("x-forwarded-proto") or ("http" if header("host").startswith(("127.0.0.1", "localhost"))
                                              else "https")
    return f"{scheme}://{header('host')}{path}"


def security_headers(extra_sources: set[str]) -> dict[str, str]:
    """Strict CSP (scripts and styles from this origin only, no inline code, no framing), HSTS and the rest."""
    uploads = " ".join(sorted(extra_sources))
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {uploads}".rstrip() + "; "
        f"form-action 'self' {uploads}".rstrip() + "; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
