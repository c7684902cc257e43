"""Pages anyone may open: the dispositif and its documents, registration and the confirmation of its
address, sign-in and sign-out, the forgotten password."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, unquote

from ami.domain import validation_fr
from ami.domain.dispositif import dispositif, dispositifs, ouverts, paris_text
from ami.domain.errors import AmiError, Conflict, InvalidInput, NotFound
from ami.domain.inscription import CODE_VALIDITY
from ami.domain.models import BailleurRegistration, RegistrationConfirmation
from ami.domain.rules import postcodes
from chalice import Blueprint, Response
from pydantic import ValidationError

from web import session
from web.core import HERE, clear_cookie, cookies, form_data, query, services, set_cookie
from web.forms import find_communes
from web.rendering import page, redirect
from web.routing import route

bp = Blueprint(__name__)
DOCUMENTS = Path(HERE / "documents")
# The documents of the dispositif (cahier des charges §4), as the accueil lists them.
LIBRARY = (
    ("cahier-des-charges-ami-garantie-lli.txt", "Cahier des charges de l'AMI (texte)", "text/plain; charset=utf-8"),
)
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
REGISTRATION_FIELDS = ("raison_sociale", "siren", "forme_juridique", "adresse", "email_contact")
# The address waiting for its code (registration, new password): the next page asks for the code only.
PENDING_COOKIE = "__Host-ami_adresse"
PENDING_SECONDS = int(CODE_VALIDITY.total_seconds())


@route(bp, "/")
def accueil() -> Response:
    """The dispositifs open to deposits now, each with its library to download."""
    shown = [{"d": d, "documents": [{"doc": doc, "taille": (DOCUMENTS / doc.nom).stat().st_size
                                     if doc.source == "fichier" else None} for doc in d.documents],
              "cloture": d.dernier_delai,
              "ouverture": paris_text(d.ouverture).split(" à ")[0]}
             for d in ouverts(services().clock())]
    return page("accueil.html", dispositifs=shown, mailbox=dispositif().mailbox)


@route(bp, "/dispositifs/{code}/documents/{nom}")
def document_du_dispositif(code: str, nom: str) -> Response:
    """A document of a dispositif's library: a file kept with the plateforme, or the tableau de programmation
    generated from the template (with the communes of the DROM in its validation list)."""
    d = dispositifs().get(code)
    doc = d.document(nom) if d else None
    if doc is None:
        raise NotFound("document_introuvable", "Ce document n'existe pas.")
    if doc.source == "modele_programmation":
        from ami.domain.programmation import template

        body = template(programmation_communes())
    else:
        body = (DOCUMENTS / doc.nom).read_bytes()
    return Response(body=body, status_code=200, headers={
        "Content-Type": doc.content_type, "Content-Disposition": f'attachment; filename="{doc.nom}"',
        "Cache-Control": "public, max-age=3600",
    })


def programmation_communes() -> list[tuple[str, str]]:
    """The communes of the DROM (code INSEE, nom), for the template's validation list."""
    from ami.domain.models import DEPARTEMENTS_DROM
    from ami.domain.rules import communes as all_communes

    return sorted((c.insee, c.nom) for c in all_communes().values() if c.departement in DEPARTEMENTS_DROM)


@route(bp, "/documents/{nom}")
def document(nom: str) -> Response:
    entry = next((e for e in LIBRARY if e[0] == nom), None)
    if entry is None:
        raise NotFound("document_introuvable", "Ce document n'existe pas.")
    return Response(body=(DOCUMENTS / nom).read_bytes(), status_code=200, headers={
        "Content-Type": entry[2], "Content-Disposition": f'attachment; filename="{nom}"',
        "Cache-Control": "public, max-age=3600",
    })


@route(bp, "/static/{nom}")
def static(nom: str) -> Response:
    path = HERE / "static" / nom
    kind = STATIC_TYPES.get(path.suffix)
    if not re.fullmatch(r"[a-z0-9-]+\.(css|js)", nom) or kind is None or not path.is_file():
        raise NotFound("fichier_introuvable", "Ce fichier n'existe pas.")
    return Response(body=path.read_text(encoding="utf-8"), status_code=200,
                     headers={"Content-Type": kind, "Cache-Control": "public, max-age=31536000, immutable"})


@route(bp, "/communes")
def communes() -> Response:
    """Suggestions for the commune field (name, postcode or INSEE code), with each one's postcodes and zone."""
    found = [{"insee": c.insee, "nom": c.nom, "departement": c.departement, "zone": c.zone,
              "codes_postaux": list(postcodes(c.insee))} for c in find_communes(query("q")[:80])]
    return Response(body=json.dumps(found, ensure_ascii=False), status_code=200,
                    headers={"Content-Type": "application/json; charset=utf-8",
                             "Cache-Control": "public, max-age=3600"})


# ---------------------------------------------------------------- registration


class Blanks(dict[str, str]):
    """A field nobody typed in, or without error, reads as nothing (not an error of the template)."""

    def __missing__(self, key: str) -> str:
        return ""


def _registration_page(values: dict[str, str], errors: dict[str, str], status: int = 200,
                       message: str | None = None) -> Response:
    return page("inscription.html", status, valeurs=Blanks(values), erreurs=Blanks(errors), message=message,
                formes=dispositif().formes_juridiques, mailbox=dispositif().mailbox)


@route(bp, "/inscription")
def inscription() -> Response:
    return _registration_page({}, {})


@route(bp, "/inscription", ("POST",))
def inscrire() -> Response:
    form = form_data()
    values = {k: form.get(k, "").strip() for k in REGISTRATION_FIELDS}
    errors: dict[str, str] = {}
    password = form.get("mot_de_passe", "")
    if password != form.get("mot_de_passe_confirmation", ""):
        errors["mot_de_passe_confirmation"] = "Les deux mots de passe saisis sont différents."
    try:
        registration = BailleurRegistration.model_validate({**values, "mot_de_passe": password})
    except ValidationError as exc:
        errors.update({e["champ"]: e["msg"] for e in validation_fr.field_errors(exc)})
        return _registration_page(values, errors, 422)
    if errors:
        return _registration_page(values, errors, 422)
    try:
        services().inscriptions.register(registration)
    except AmiError as exc:
        return _registration_page(values, _registration_errors(exc), exc.status if exc.status >= 400 else 422)
    _remember_address(registration.email_contact)
    return redirect("/inscription/confirmation")


def _registration_errors(exc: AmiError) -> dict[str, str]:
    mailbox = dispositif().mailbox
    if isinstance(exc, Conflict) and exc.code == "bailleur_existant":
        return {"siren": "Ce SIREN est déjà inscrit : une autre personne a inscrit votre organisme. Pour rejoindre "
                         "son espace, demandez à l'une des personnes déjà inscrites de vous inviter (page « Équipe » "
                         f"de son espace) ; si vous ne savez pas qui, écrivez à {mailbox} en indiquant ce SIREN."}
    if isinstance(exc, Conflict) and exc.code == "compte_existant":
        return {"email_contact": "Un compte existe déjà pour cette adresse électronique : connectez-vous, "
                                 "ou indiquez une autre adresse."}
    if isinstance(exc, Conflict) and exc.code == "inscription_en_attente":
        return {"email_contact": "Une inscription attend déjà la confirmation de cette adresse : saisissez le code "
                                 "reçu par courriel sur la page « Confirmer l'adresse »."}
    return _field_errors(exc)


def _remember_address(email: str) -> None:
    set_cookie(PENDING_COOKIE, quote(email, safe="@"), PENDING_SECONDS)


def _remembered_address() -> str:
    return unquote(cookies().get(PENDING_COOKIE, ""))[:254]


def _field_errors(exc: AmiError) -> dict[str, str]:
    """The use case's error, field by field (`{"_": message}` when it names no field)."""
    out: dict[str, str] = {}
    if isinstance(exc, InvalidInput) and isinstance(exc.details, list):
        for d in exc.details:
            if isinstance(d, dict) and d.get("champ"):
                out[str(d["champ"])] = str(d.get("message") or d.get("msg") or exc.message)
    return out or {"_": exc.message}


def _confirmation_page(email: str, errors: dict[str, str], status: int = 200, note: str | None = None) -> Response:
    hours = int(CODE_VALIDITY.total_seconds() // 3600)
    return page("confirmation.html", status, email=email, erreurs=Blanks(errors), note=note,
                validite=f"{hours} heure{'s' if hours > 1 else ''}")


@route(bp, "/inscription/confirmation")
def confirmation() -> Response:
    note = {"non_confirme": "Votre adresse électronique n'est pas encore confirmée : saisissez le code reçu par "
                            "courriel pour activer le compte."}.get(query("motif"))
    return _confirmation_page(_remembered_address(), {}, note=note)


@route(bp, "/inscription/confirmation", ("POST",))
def confirmer() -> Response:
    form = form_data()
    email, code = form.get("email_contact", "").strip(), re.sub(r"\s", "", form.get("code", ""))
    try:
        body = RegistrationConfirmation.model_validate({"email_contact": email, "code": code})
    except ValidationError as exc:
        errors = {e["champ"]: e["msg"] for e in validation_fr.field_errors(exc)}
        if "code" in errors:
            errors["code"] = "Le code de confirmation compte 6 chiffres."
        return _confirmation_page(email, errors, 422)
    try:
        services().inscriptions.confirm(body.email_contact, body.code)
    except AmiError as exc:
        return _confirmation_page(email, _field_errors(exc), exc.status if exc.status >= 400 else 422)
    clear_cookie(PENDING_COOKIE)
    return redirect("/connexion?confirme=1")


# ---------------------------------------------------------------- session


def _safe_next(target: str) -> str:
    """Only a path of this plateforme (never `//other.site` or a scheme)."""
    return target if re.fullmatch(r"/[A-Za-z0-9/_\-.]*", target or "") and not target.startswith("//") \
        else "/tableau-de-bord"


@route(bp, "/connexion")
def connexion() -> Response:
    notes = {
        "confirme": "Votre adresse est confirmée et votre organisme inscrit : connectez-vous avec l'adresse et le "
                    "mot de passe choisis.",
        "mot_de_passe": "Votre mot de passe est changé : connectez-vous avec le nouveau.",
        "deconnecte": "Vous êtes déconnecté.",
        "invitation": "Votre compte est créé et rattaché à votre organisme : connectez-vous avec votre adresse et le "
                      "mot de passe choisi.",
    }
    note = next((text for key, text in notes.items() if query(key)), None)
    reason = {"session_expiree": "Votre session a expiré : connectez-vous de nouveau."}.get(query("motif"))
    return page("connexion.html", suite=_safe_next(query("suite")), note=note, erreur=reason, email="")


@route(bp, "/connexion", ("POST",))
def connecter() -> Response:
    form = form_data()
    email, password = form.get("email", "").strip(), form.get("mot_de_passe", "")
    target = _safe_next(form.get("suite", ""))
    if not email or not password:
        return page("connexion.html", 422, suite=target, note=None, email=email,
                    erreur="Indiquez votre adresse électronique et votre mot de passe.")
    from ami.domain.identity import MfaRequired, User

    try:
        signed = services().sessions.sign_in(email, password)
        user = services().sessions.verify(signed.id_token)
    except MfaRequired as exc:  # an instructor: the authenticator app's code, on the next page
        from web.pages_instruction import ask_code

        return ask_code(email, exc.session, form.get("suite", ""))
    except AmiError as exc:
        return page("connexion.html", 401, suite=target, note=None, email=email, erreur=exc.message)

    if not User.of(user).is_bailleur and str(user.get("email_verified")).lower() == "false":
        _remember_address(email)  # registered, never confirmed: the code is what is missing
        return redirect("/inscription/confirmation?motif=non_confirme")
    if User.of(user).is_instructeur:
        from web.pages_instruction import instructor_target

        session.start(signed.id_token, signed.refresh_token)
        return redirect(instructor_target(form.get("suite", "")))
    if not User.of(user).is_bailleur:
        return page("connexion.html", 403, suite=target, note=None, email=email,
                    erreur="Cet espace est réservé aux bailleurs inscrits.")
    session.start(signed.id_token, signed.refresh_token)
    return redirect(target)


@route(bp, "/deconnexion", ("POST",))
def deconnecter() -> Response:
    session.end()
    return redirect("/connexion?deconnecte=1")




# ---------------------------------------------------------------- forgotten password


@route(bp, "/mot-de-passe-oublie")
def mot_de_passe_oublie() -> Response:
    return page("mot_de_passe_oublie.html", email=_remembered_address(), erreur=None)


@route(bp, "/mot-de-passe-oublie", ("POST",))
def demander_code() -> Response:
    email = form_data().get("email", "").strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        return page("mot_de_passe_oublie.html", 422, email=email,
                    erreur="Indiquez l'adresse électronique de votre compte, par exemple nom@organisme.fr.")
    try:
        services().sessions.forgot_password(email)
    except AmiError as exc:
        return page("mot_de_passe_oublie.html", exc.status if exc.status >= 400 else 422, email=email,
                    erreur=exc.message)
    _remember_address(email)
    return redirect("/mot-de-passe-oublie/code")


def _new_password_page(email: str, errors: dict[str, str], status: int = 200) -> Response:
    return page("nouveau_mot_de_passe.html", status, email=email, erreurs=Blanks(errors))


@route(bp, "/mot-de-passe-oublie/code")
def saisir_code() -> Response:
    return _new_password_page(_remembered_address(), {})


@route(bp, "/mot-de-passe-oublie/code", ("POST",))
def changer_mot_de_passe() -> Response:
    form = form_data()
    email, code = form.get("email", "").strip(), re.sub(r"\s", "", form.get("code", ""))
    password = form.get("mot_de_passe", "")
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Indiquez l'adresse électronique de votre compte."
    if not re.fullmatch(r"\d{6}", code):
        errors["code"] = "Le code reçu par courriel compte 6 chiffres."
    if len(password) < 12:
        errors["mot_de_passe"] = "Le mot de passe doit comporter au moins 12 caractères."
    elif password != form.get("mot_de_passe_confirmation", ""):
        errors["mot_de_passe_confirmation"] = "Les deux mots de passe saisis sont différents."
    if errors:
        return _new_password_page(email, errors, 422)
    try:
        services().sessions.confirm_forgot_password(email, code, password)
    except AmiError as exc:
        return _new_password_page(email, _field_errors(exc), exc.status if exc.status >= 400 else 422)
    clear_cookie(PENDING_COOKIE)
    return redirect("/connexion?mot_de_passe=1")
