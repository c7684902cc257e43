"""The signed-in user of a request: the verified ID token of the session cookie, renewed with the
refresh token when it has expired; a page reserved to bailleurs sends anyone else to the sign-in page."""

from __future__ import annotations

from urllib.parse import quote

from ami.domain.errors import AmiError, Unauthorized
from ami.domain.identity import SessionExpired, User

from web.core import REFRESH_COOKIE, REFRESH_SECONDS, SESSION_COOKIE, clear_cookie, cookies, request, services
from web.core import set_cookie as _set_cookie
from web.core import state as _state


class SignInRequired(AmiError):
    """Raised by a page that needs a signed-in bailleur; the app answers with the sign-in page."""

    status = 303

    def __init__(self, message: str = "Connectez-vous pour accéder à cette page.") -> None:
        super().__init__("connexion_requise", message)
        path = _asked_path()
        self.location = f"/connexion?suite={quote(path)}" if path.startswith("/") else "/connexion"


def _asked_path() -> str:
    """The path the browser asked for (Chalice's `request.path` is the route's pattern, `/dossiers/{dossier_id}`),
    so that the sign-in leads back to the very page: a receipt linked from an email, say."""
    req = request()
    params = {k: quote(str(v), safe="") for k, v in (req.uri_params or {}).items()}
    try:
        return str(req.path).format(**params)
    except (KeyError, IndexError, ValueError):
        return "/"


def start(id_token: str, refresh_token: str | None) -> None:
    _set_cookie(SESSION_COOKIE, id_token)
    if refresh_token:
        _set_cookie(REFRESH_COOKIE, refresh_token, REFRESH_SECONDS)


def end() -> None:
    clear_cookie(SESSION_COOKIE)
    clear_cookie(REFRESH_COOKIE)


def _resolve() -> User | None:
    jar = cookies()
    token = jar.get(SESSION_COOKIE)
    if not token:
        return None
    sessions = services().sessions
    try:
        return User.of(sessions.verify(token))
    except SessionExpired:
        refresh = jar.get(REFRESH_COOKIE)
        if not refresh:
            end()
            return None
        try:
            token = sessions.refresh(refresh)
            user = User.of(sessions.verify(token))
        except Unauthorized:
            end()
            return None
        _set_cookie(SESSION_COOKIE, token)
        return user
    except Unauthorized:
        end()
        return None


def current_user(optional: bool = False) -> User | None:
    """The signed-in user (None if nobody is, when `optional`); cached for the request."""
    s = _state()
    if not s.user_known:
        s.user, s.user_known = _resolve(), True
    if s.user is None and not optional:
        raise SignInRequired()
    user: User | None = s.user
    return user


def bailleur() -> User:
    user = current_user()
    assert user is not None
    if not user.is_bailleur:
        end()
        raise SignInRequired("Cet espace est réservé aux bailleurs inscrits : connectez-vous avec le compte "
                             "de votre organisme.")
    return user
