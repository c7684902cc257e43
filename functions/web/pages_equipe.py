"""Several users for one bailleur: a signed-in user invites a colleague by email (page « Équipe »), and
the colleague joins the same SIREN through the link it receives (`ami.services.accounts.Invitations`)."""

from __future__ import annotations

import re
from urllib.parse import quote

from ami.domain.errors import Conflict, InvalidInput
from ami.domain.invitation import INVITATION_VALIDITY
from chalice import Blueprint, Response

from web import session
from web.core import absolute, form_data, query, services
from web.rendering import page, redirect
from web.routing import route
from web.views import paris_short

bp = Blueprint(__name__)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DAYS = INVITATION_VALIDITY.days


def _team_page(email: str = "", error: str | None = None, note: str | None = None, status: int = 200) -> Response:
    user = session.bailleur()
    assert user.siren is not None
    return page(
        "equipe.html",
        status,
        bailleur=services().dossiers.get_bailleur(user.siren),
        email=email,
        erreur=error,
        note=note,
        jours=DAYS,
    )


@route(bp, "/equipe")
def equipe() -> Response:
    return _team_page()


@route(bp, "/equipe", ("POST",))
def inviter() -> Response:
    user = session.bailleur()
    assert user.siren is not None
    email = form_data().get("email", "").strip()
    if not EMAIL.fullmatch(email) or len(email) > 254:
        return _team_page(
            email, "Indiquez l'adresse électronique de votre collègue, par exemple nom@organisme.fr.", status=422
        )
    try:
        until = services().invitations.invite(
            user.siren, email, user.actor, lambda token: absolute(f"/invitation?jeton={quote(token)}")
        )
    except Conflict as exc:
        return _team_page(email, exc.message, status=409)
    return _team_page(
        note=f"Invitation envoyée à {email.lower()} : le lien qu'elle contient est valable jusqu'au "
        f"{paris_short(until)} (heure de Paris) et ne sert qu'une fois."
    )


def _join_page(token: str, errors: dict[str, str], status: int = 200) -> Response:
    invitation, bailleur = services().invitations.peek(token)
    return page(
        "invitation.html",
        status,
        jeton=token,
        invitation=invitation,
        bailleur=bailleur,
        erreurs=errors,
        expire=paris_short(invitation.expires_at),
    )


@route(bp, "/invitation")
def invitation() -> Response:
    return _join_page(query("jeton")[:100], {})


@route(bp, "/invitation", ("POST",))
def rejoindre() -> Response:
    form = form_data()
    token, password = form.get("jeton", "")[:100], form.get("mot_de_passe", "")
    errors: dict[str, str] = {}
    if len(password) < 12:
        errors["mot_de_passe"] = "Le mot de passe doit comporter au moins 12 caractères."
    elif password != form.get("mot_de_passe_confirmation", ""):
        errors["mot_de_passe_confirmation"] = "Les deux mots de passe saisis sont différents."
    if errors:
        return _join_page(token, errors, 422)
    try:
        services().invitations.accept(token, password)
    except InvalidInput as exc:  # a password the user pool refuses: the link stays usable
        return _join_page(token, {"mot_de_passe": exc.message}, 422)
    except Conflict as exc:
        return _join_page(token, {"_": exc.message}, 409)
    return redirect("/connexion?invitation=1")
