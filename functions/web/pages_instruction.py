"""The instructors' workspace (issue 13): the numbered dossiers, filtered and paged on the server; one dossier
with its form, its deposited PDFs inline, intake's checks and the values read with their page, the score
criterion by criterion with the override form, its history; the actions its status allows; the CCN registre.

Same app, session and security rules as the bailleurs' pages: the Cognito session cookie, CSRF on every POST,
strict CSP. Reserved to the `instructeurs` group, signed in with the authenticator app's code (the sign-in asks
for it: `/connexion/code`), checked on every request as the JSON API checks it (`has_mfa`). The actor of every
audited change is the signed-in instructor (`instructeur:<adresse>`, as the API names them).
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ami.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ami.domain.identity import User
from ami.domain.lifecycle import TRANSITIONS
from ami.domain.models import Dossier, DossierStatus, utcnow
from chalice import Blueprint, Response

from web import forms, instruction_actions, session, views
from web.core import app, clear_cookie, cookies, form_data, query, request, security_headers, services, set_cookie
from web.rendering import page, redirect
from web.routing import route

bp = Blueprint(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
app.api.binary_types.append(XLSX)  # the registre's bytes reach the browser intact
MFA_COOKIE = "__Host-ami_mfa"
MFA_SECONDS = 180  # Cognito's challenge session lives 3 minutes
INLINE_MAX_BYTES = 4 * 1024 * 1024  # a Lambda answer holds 6 MB once base64-encoded: larger PDFs go by presigned GET
DOWNLOAD_SECONDS = 300
PDF_PIECES = frozenset({"lettre_offre", "dossier_presentation"})  # the others (an Excel workbook) are downloaded
PIECE_LABELS = {"lettre_offre": "Lettre d'offre de la Banque des Territoires",
                "dossier_presentation": "Dossier de présentation de l'opération",
                "tableau_programmation": "Tableau de programmation"}
ACTION_LABELS = {
    "creation": "Création du brouillon", "modification": "Modification du formulaire", "envoi": "Envoi du dossier",
    "incompletude": "Dossier déclaré incomplet", "numerotation": "Numérotation",
    "surcharge_score": "Surcharge d'un critère du score", "recalcul_score": "Nouveau calcul du score",
    "prise_en_instruction": "Mise en instruction", "notation_fiben": "Cotation FIBEN saisie",
    **{code: t.libelle[:1].upper() + t.libelle[1:] for code, t in TRANSITIONS.items()},
}
NOTES = {
    "pris": "Le dossier est à vous : mettez-le en instruction ou rendez-le à la file avant l'heure indiquée.",
    "vide": "Aucun dossier à prendre : la file d'instruction est vide ou chaque dossier est déjà pris.",
    "surcharge": "La surcharge du critère est enregistrée et inscrite à l'historique.",
    **{a.code: a.effet for a in instruction_actions.ACTIONS.values()},
}


def points(value: Decimal | None) -> str:
    """Points the French way, without trailing zeros: `12,5`, `30`."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# ---------------------------------------------------------------- who may enter


def instructeur() -> User:
    """The signed-in instructor, with a second factor (as the JSON API requires); anyone else is refused."""
    user = session.current_user()
    assert user is not None
    if not user.is_instructeur:
        raise Forbidden("acces_refuse", "Cet espace est réservé aux instructeurs d'Action Logement Services.")
    if not user.username or not services().accounts.has_mfa(user.username):
        raise Forbidden("double_authentification_requise",
                        "Les instructeurs se connectent avec une double authentification : activez l'application "
                        "d'authentification de votre compte, puis connectez-vous de nouveau.")
    return user


def instructor_target(suite: str) -> str:
    """Where an instructor lands after signing in: the workspace page asked for, or the list."""
    return suite if re.fullmatch(r"/instruction(/[A-Za-z0-9/_\-.]*)?", suite or "") else "/instruction"


# ---------------------------------------------------------------- the second factor at sign-in


def ask_code(email: str, cognito_session: str, suite: str) -> Response:
    """The password was right: remember Cognito's challenge (HttpOnly cookie, 3 minutes) and ask for the code."""
    raw = json.dumps({"e": email, "s": cognito_session, "n": instructor_target(suite)}, separators=(",", ":"))
    set_cookie(MFA_COOKIE, base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="), MFA_SECONDS)
    return redirect("/connexion/code")


def _challenge() -> dict[str, str] | None:
    value = cookies().get(MFA_COOKIE, "")
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:
        return None
    return data if isinstance(data, dict) and all(isinstance(data.get(k), str) for k in "esn") else None


@route(bp, "/connexion/code")
def code_page() -> Response:
    if _challenge() is None:
        return redirect("/connexion?motif=session_expiree")
    return page("instruction/code.html", erreur=None)


@route(bp, "/connexion/code", ("POST",))
def code_answer() -> Response:
    challenge = _challenge()
    if challenge is None:
        return redirect("/connexion?motif=session_expiree")
    code = re.sub(r"\s", "", form_data().get("code", ""))
    if not re.fullmatch(r"[0-9]{6}", code):
        return page("instruction/code.html", 422, erreur="Le code compte 6 chiffres : recopiez celui que votre "
                                                          "application d'authentification affiche.")
    clear_cookie(MFA_COOKIE)  # one answer per challenge: Cognito does not take a second
    try:
        signed = services().sessions.answer_mfa(challenge["e"], challenge["s"], code)
        user = User.of(services().sessions.verify(signed.id_token))
    except Unauthorized as exc:
        return page("connexion.html", 401, suite=challenge["n"], note=None, email=challenge["e"], erreur=exc.message)
    if not user.is_instructeur and not user.is_bailleur:
        return page("connexion.html", 403, suite="", note=None, email=challenge["e"],
                    erreur="Cet espace est réservé aux bailleurs inscrits et aux instructeurs.")
    session.start(signed.id_token, signed.refresh_token)
    return redirect(challenge["n"] if user.is_instructeur else "/tableau-de-bord")


# ---------------------------------------------------------------- the list


@route(bp, "/instruction")
def liste() -> Response:
    user = instructeur()
    from ami.domain import instruction_list
    from ami.domain.envelope import REGIONS, ZONES
    from ami.domain.worklist import describe

    params = {str(k): str(v) for k, v in (request().query_params or {}).items()}
    filtres, errors = instruction_list.lire(params)
    from ami.domain.dispositif import delegations_of, visible_in

    delegations = delegations_of(user.groups)
    summaries = services().dossiers.list_summaries()  # the summaries, not the dossiers (ami.domain.summary)
    result = instruction_list.page((s for s in summaries if visible_in(s.dispositif, s.departement, delegations)),
                                   filtres)
    now = utcnow()
    file = {e.item.dossier_id: describe(e, now) for e in services().work_list.work_entries()}
    sirens = sorted({ligne.dossier.siren for ligne in result.lignes})
    found = services().dossiers.get_bailleurs(sirens)  # the page's bailleurs, read at once
    names = {s: found[s].raison_sociale if s in found else f"SIREN {s}" for s in sirens}
    from web.views import STATUS_LABELS

    statuts = [(s, STATUS_LABELS.get(s, s.replace("_", " ").capitalize())) for s in instruction_list.statuts()]
    return page("instruction/liste.html", status=422 if errors else 200, f=filtres, r=result, errors=errors,
                names=names, file=file, statuts=statuts, regions=sorted(REGIONS.items(), key=lambda kv: kv[1]),
                zones=ZONES, attente=instruction_list.ATTENTE, note=NOTES.get(query("note")), pts=points)


@route(bp, "/instruction/travail/suivant", ("POST",))
def suivant() -> Response:
    user = instructeur()
    taken = services().instruction.take(user.instructeur_actor)
    if taken is None:
        return redirect("/instruction?note=vide")
    return redirect(f"/instruction/dossiers/{taken.item.dossier_id}?note=pris")


# ---------------------------------------------------------------- one dossier


def _visible(user: User) -> Any:
    """Whether `user` may see a dossier: a delegation's instructors see their départements' dossiers only, in a
    dispositif instructed by delegation (`ami.domain.dispositif.visible_to`, as the JSON API decides)."""
    from ami.domain.dispositif import delegations_of, visible_to

    delegations = delegations_of(user.groups)
    return lambda d: visible_to(d, delegations)


def _dossier(dossier_id: str, user: User) -> Dossier:
    d = services().dossiers.get_dossier(dossier_id) if re.fullmatch(r"[0-9a-f]{32}", dossier_id) else None
    # A brouillon belongs to its bailleur until it is sent: to an instructor it does not exist yet; nor does a
    # dossier outside the instructor's delegation.
    if d is None or d.status == DossierStatus.BROUILLON or not _visible(user)(d):
        raise NotFound("dossier_introuvable", "Ce dossier est introuvable.")
    return d


def _entry(d: Dossier) -> Any:
    return next((e for e in services().work_list.work_entries() if e.item.dossier_id == d.dossier_id), None)


def _actor_label(actor: str) -> str:
    kind, _, rest = actor.partition(":")
    if kind == "instructeur":
        return f"Instructeur ({rest})"
    if kind == "bailleur":
        return f"Bailleur (SIREN {rest.split(':', 1)[0]})"
    if kind == "systeme":
        return "Service AMI garantie (automatique)"
    return actor


def _dossier_page(d: Dossier, user: User, status: int = 200, note: str | None = None,
                  score_errors: dict[str, str] | None = None, score_values: dict[str, str] | None = None) -> Response:
    from ami.domain.extraction.compare import instruction_view
    from ami.domain.rules import commune
    from ami.domain.worklist import describe

    now = utcnow()
    entry = _entry(d)
    records = sorted(services().dossiers.piece_records(d.dossier_id).values(), key=lambda r: r.received_at)
    checks, fields, comparison = instruction_view(records, d)
    pieces = [{"kind": kind, "libelle": PIECE_LABELS.get(kind, kind), "p": p,
               "inline": kind in PDF_PIECES and p.size <= INLINE_MAX_BYTES}
              for kind, p in (d.envoi.pieces.items() if d.envoi else ())]
    history = [(h, ACTION_LABELS.get(h.action, h.action.replace("_", " ").capitalize()), _actor_label(h.actor))
               for h in services().audit_log.history(d.dossier_id)]
    insee = d.form.operation.commune_insee
    response = page(
        "instruction/dossier.html", status, d=d, bailleur=services().dossiers.get_bailleur(d.siren),
        commune=commune(insee) if insee else None, operation=forms.operation_widgets(d.form, None),
        loans=forms.loan_rows(d.form, None), lignes=forms.line_rows(d.form, None), loan_kinds=forms.LOAN_KINDS,
        pieces=pieces, checks=checks, fields=fields, comparison=comparison, history=history,
        actions=instruction_actions.allowed(d, entry, user.instructeur_actor, now),
        file=describe(entry, now) if entry else None, tenu_jusqu_a=entry.lease_until if entry and entry.held(now)
        and entry.holder == user.instructeur_actor else None,
        note=note, score_errors=score_errors or {}, score_values=score_values or {}, piece_labels=PIECE_LABELS,
        pts=points, **views.suivi_context(f"/instruction/dossiers/{d.dossier_id}/documents", True),
    )
    # The PDFs are shown in frames of this very origin (their own answers allow being framed by it only).
    csp = security_headers(set())["Content-Security-Policy"] + "; frame-src 'self'"
    response.headers["Content-Security-Policy"] = csp
    return response


@route(bp, "/instruction/dossiers/{dossier_id}")
def dossier(dossier_id: str) -> Response:
    user = instructeur()
    return _dossier_page(_dossier(dossier_id, user), user, note=NOTES.get(query("note")))


@route(bp, "/instruction/dossiers/{dossier_id}/pieces/{piece}")
def piece(dossier_id: str, piece: str) -> Response:
    """The deposited version of a piece (the one the envoi froze), as a PDF the browser shows inline; a file too
    large for a Lambda answer goes by a short-lived presigned GET instead."""
    d = _dossier(dossier_id, instructeur())
    p = next((x for kind, x in d.envoi.pieces.items() if kind == piece), None) if d.envoi else None
    if p is None:
        raise NotFound("piece_introuvable", "Cette pièce n'a pas été déposée avec l'envoi du dossier.")
    if piece not in PDF_PIECES or p.size > INLINE_MAX_BYTES:
        return redirect(services().deposits.download_link(p.key, p.version_id, DOWNLOAD_SECONDS), 303)
    found = services().deposits.read(p.key, p.version_id, INLINE_MAX_BYTES)
    if found is None:
        raise NotFound("piece_introuvable", "Cette version de la pièce n'est plus disponible.")
    data, _ = found
    name = f"{piece.replace('_', '-')}-n{d.deposit_number or 0}.pdf"
    return Response(body=data, status_code=200, headers={
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="{name}"',
        # A PDF runs no script of ours and is framed by the dossier page only.
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
        "X-Frame-Options": "SAMEORIGIN",
    })


@route(bp, "/instruction/dossiers/{dossier_id}/score", ("POST",))
def surcharger(dossier_id: str) -> Response:
    user = instructeur()
    d = _dossier(dossier_id, user)
    raw = form_data()
    critere, justification = raw.get("critere", ""), raw.get("justification", "")
    values = {"critere": critere, "points": raw.get("points", ""), "justification": justification}
    errors: dict[str, str] = {}
    if d.scoring is None:
        errors["critere"] = "Ce dossier n'a pas encore de score calculé."
    elif d.scoring.critere(critere) is None:
        errors["critere"] = "Choisissez un critère de la liste."
    try:
        points = Decimal(forms.parse_decimal(raw.get("points", "")))
        if not points.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["points"] = "Indiquez un nombre de points, par exemple 2,5."
    if errors:
        return _dossier_page(d, user, 422, score_errors=errors, score_values=values)
    from ami.domain import scoring

    try:
        updated = scoring.override(d.scoring, critere, points, justification, user.instructeur_actor, utcnow())
    except InvalidInput as exc:
        details = exc.details if isinstance(exc.details, list) else []
        field_errors = {str(e.get("champ")): str(e.get("message")) for e in details if isinstance(e, dict)}
        return _dossier_page(d, user, 422, score_errors=field_errors or {"critere": exc.message},
                             score_values=values)
    services().dossiers.override_score(d, updated, user.instructeur_actor, critere)
    return redirect(f"/instruction/dossiers/{dossier_id}?note=surcharge#score")


FIELD_IDS = {"cote": "cote", "date_cotation": "date-cotation", "seance": "seance-libelle",
             "seance.libelle": "seance-libelle", "seance.le": "seance-le", "qualite": "qualite",
             "paiement": "paiement-montant", "paiement.montant_eur": "paiement-montant",
             "paiement.regle_le": "paiement-date", "paiement.reference": "paiement-reference",
             "justification": "justification"}


def _confirmation(d: Dossier, action: instruction_actions.Action, status: int = 200,
                  erreurs: dict[str, str] | None = None, erreur: str | None = None,
                  valeurs: dict[str, str] | None = None) -> Response:
    from ami.domain.models import FIBEN_COTES
    from ami.domain.tarification import QUALITE_LIBELLES

    return page("instruction/confirmation.html", status, d=d, action=action, erreurs=erreurs or {}, erreur=erreur,
                valeurs=valeurs or {}, ids=FIELD_IDS, cotes=FIBEN_COTES, qualites=list(QUALITE_LIBELLES.items()))


def _allowed(d: Dossier, user: User, action: str) -> instruction_actions.Action:
    chosen = next((a for a in instruction_actions.allowed(d, _entry(d), user.instructeur_actor, utcnow())
                   if a.code == action), None)
    if chosen is None:
        raise Conflict("action_impossible", "Cette action n'est pas possible pour ce dossier maintenant : son statut "
                                            "a changé, ou vous ne le tenez plus dans la file.")
    return chosen


@route(bp, "/instruction/dossiers/{dossier_id}/actions/{action}")
def confirmer(dossier_id: str, action: str) -> Response:
    user = instructeur()
    d = _dossier(dossier_id, user)
    return _confirmation(d, _allowed(d, user, action))


@route(bp, "/instruction/dossiers/{dossier_id}/actions/{action}", ("POST",))
def agir(dossier_id: str, action: str) -> Response:
    """Do the action as confirmed; a form that does not do comes back with each field's error in French (the
    lifecycle's own refusals, such as a missing cotation FIBEN or a different amount, included)."""
    user = instructeur()
    d = _dossier(dossier_id, user)
    raw = {k: v for k, v in form_data().items() if isinstance(v, str)}
    try:
        done = instruction_actions.perform(action, d, _entry(d), user.instructeur_actor, utcnow(), services(), raw)
    except InvalidInput as exc:
        details = exc.details if isinstance(exc.details, list) else []
        erreurs = {str(e.get("champ")): str(e.get("message")) for e in details if isinstance(e, dict)}
        known = {k: v for k, v in erreurs.items() if k in FIELD_IDS}
        return _confirmation(d, _allowed(d, user, action), 422, erreurs=known,
                             erreur=None if known else exc.message, valeurs=raw)
    return redirect(f"/instruction/dossiers/{dossier_id}?note={done.code}")


def document_response(d: Dossier, kind: str) -> Response:
    """A document of the lifecycle (proposition, convention, attestation, acte, signed convention) as a PDF
    download, read from its stored version through the lifecycle's use case."""
    from ami.domain.documents import DOCUMENTS

    if kind not in DOCUMENTS:
        raise NotFound("document_introuvable", "Ce document est introuvable.")
    ref, data = services().lifecycle.document(d.dossier_id, kind)
    return Response(body=data, status_code=200, headers={
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{ref.nom}"',
        "Content-Security-Policy": "default-src 'none'",
        "Cache-Control": "no-store",
    })


@route(bp, "/instruction/dossiers/{dossier_id}/documents/{kind}")
def instruction_document(dossier_id: str, kind: str) -> Response:
    return document_response(_dossier(dossier_id, instructeur()), kind)


# ---------------------------------------------------------------- the CCN registre


@route(bp, "/instruction/registre")
def registre() -> Response:
    user = instructeur()
    from datetime import date

    from ami.domain import registre as reg

    dossiers = [d for d in services().dossiers.list_numbered() if _visible(user)(d)]
    seance_id, raw = query("seance"), query("ccn")
    seance = reg.find_seance(dossiers, seance_id) if seance_id else None
    if seance_id and seance is None:
        raise InvalidInput("seance_inconnue", "Aucun dossier n'est inscrit à cette séance de la CCN.")
    try:
        ccn = seance.date_seance if seance else date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) \
            else None
    except ValueError:
        ccn = None
    if ccn is None:
        raise InvalidInput("date_ccn_invalide", "Choisissez une séance de la CCN, ou indiquez la date de la CCN.")
    data = reg.to_bytes(dossiers, reg.bailleurs_of(services().dossiers, dossiers), ccn, utcnow(), seance=seance)
    name = f"registre-ccn-{ccn.isoformat()}.xlsx"
    return Response(body=data, status_code=200, headers={
        "Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
    })
