"""A signed-in bailleur's pages: its dossiers, the form of one, its pieces, the envoi and the receipt.

Each page goes through the same use cases as the JSON API (`ami.services.drafts`, `ami.services.envoi`)
and sees only the bailleur's own dossiers: another's does not exist for it (404).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from ami.domain import rules
from ami.domain.dispositif import dispositif, dispositifs, ouverts
from ami.domain.duplicates import likely_duplicates
from ami.domain.errors import AmiError, NotFound
from ami.domain.extraction.compare import instruction_view
from ami.domain.identity import User
from ami.domain.models import LLI_DISPOSITIF, Dossier, DossierForm, PieceKind, PieceRecord
from ami.services import drafts
from ami.services import envoi as envoi_logic
from chalice import Blueprint, Response

from web import forms, session
from web.core import absolute, form_data, query, services, state
from web.rendering import page, redirect
from web.routing import route

bp = Blueprint(__name__)
PIECES: dict[PieceKind, dict[str, str]] = {
    # How the pages speak of each piece: with its article, and the pronoun that agrees with it (DESIGN §8).
    "lettre_offre": {"nom": "la lettre d'offre", "Nom": "La lettre d'offre", "deposer": "déposez-la", "accord": "e",
                     "absente": "La lettre d'offre n'est pas encore déposée : déposez-la."},
    "dossier_presentation": {"nom": "le dossier de présentation", "Nom": "Le dossier de présentation",
                             "deposer": "déposez-le", "accord": "",
                             "absente": "Le dossier de présentation n'est pas encore déposé : déposez-le."},
    "tableau_programmation": {"nom": "le tableau de programmation", "Nom": "Le tableau de programmation",
                              "deposer": "déposez-le", "accord": "",
                              "absente": "Le tableau de programmation n'est pas encore déposé : déposez-le."},
}
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,128}")
SEVERITY = {"bloquant": "À corriger avant l'envoi", "attention": "À vérifier", "info": "Pour information"}


def own_dossier(dossier_id: str, user: User) -> Dossier:
    """The bailleur's own dossier; another's, or none, is « introuvable » alike."""
    d = services().dossiers.get_dossier(dossier_id) if re.fullmatch(r"[0-9a-f]{32}", dossier_id) else None
    if d is None or d.siren != user.siren:
        raise NotFound("dossier_introuvable", "Ce dossier est introuvable.")
    return d


def records_of(dossier_id: str) -> list[PieceRecord]:
    return sorted(services().dossiers.piece_records(dossier_id).values(), key=lambda r: r.received_at)


@route(bp, "/tableau-de-bord")
def tableau_de_bord() -> Response:
    user = session.bailleur()
    assert user.siren is not None
    bailleur = services().dossiers.get_bailleur(user.siren)
    dossiers = sorted(services().dossiers.list_dossiers(user.siren), key=lambda d: d.created_at, reverse=True)
    return page("tableau_de_bord.html", bailleur=bailleur, dossiers=dossiers, ouverts=ouverts(services().clock()),
                dispositifs=dispositifs(),
                communes={d.dossier_id: rules.commune(d.form.operation.commune_insee)
                          for d in dossiers if d.form.operation.commune_insee})


@route(bp, "/dossiers", ("POST",))
def nouveau_dossier() -> Response:
    user = session.bailleur()
    assert user.siren is not None
    app = services()
    chosen = form_data().get("dispositif") or LLI_DISPOSITIF  # the dispositif the bailleur chose
    d = drafts.create(app.dossiers, user.siren, DossierForm(), user.actor, dispositif=chosen, at=app.clock())
    return redirect(f"/dossiers/{d.dossier_id}")


# ---------------------------------------------------------------- one dossier


def _pieces_view(d: Dossier, user: User, records: list[PieceRecord], editable: bool) -> list[dict[str, Any]]:
    out = []
    rules = dispositif(d.dispositif)  # the pieces the dossier's dispositif asks for
    for kind in rules.piece_kinds:
        mine = [r for r in records if r.piece == kind]
        latest = mine[-1] if mine else None
        upload = None
        if editable:
            assert user.siren is not None
            target = absolute(f"/dossiers/{d.dossier_id}/pieces/{kind}/recu?avant={len(mine)}")
            upload = services().deposits.upload_form(user.siren, d.dossier_id, kind, redirect=target)
            state().upload_origins.add("{0.scheme}://{0.netloc}".format(urlsplit(upload.url)))
        deposited = d.envoi.pieces.get(kind) if d.envoi else None
        out.append({"kind": kind, "rules": rules.pieces[kind], "words": PIECES[kind], "latest": latest,
                    "count": len(mine), "upload": upload, "deposited": deposited})
    return out


def _checks(d: Dossier, records: list[PieceRecord], pieces: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What the bailleur should see before sending: the form's gaps, the pieces missing or refused,
    and what the pieces say against the form."""
    found = [{"niveau": "À compléter", "message": r.message} for r in rules.form_gaps(d)]
    for p in pieces:
        latest = p["latest"]
        if latest is None:
            found.append({"niveau": "À compléter", "message": p["words"]["absente"]})
        elif not latest.accepted:
            e = p["words"]["accord"]
            found.append({"niveau": "À corriger avant l'envoi",
                          "message": f"{p['words']['Nom']} déposé{e} en dernier a été refusé{e} : {latest.message} "
                                     f"Corrigez le fichier, puis {p['words']['deposer']} de nouveau."})
    checks, _, _ = instruction_view(records, d)
    found += [{"niveau": SEVERITY.get(c.severity, "À vérifier"), "message": c.message_fr} for c in checks
              if c.severity != "info"]
    return found


def _programmation_page(d: Dossier, user: User, raw: dict[str, str] | None = None,
                        errors: dict[str, str] | None = None, status: int = 200, note: str | None = None) -> Response:
    """The page of a DROM programmation: its département, the synthesis reported filière by filière, the workbook."""


    from web import programmation

    editable = drafts.editable(d)
    records = records_of(d.dossier_id)
    pieces = _pieces_view(d, user, records, editable)
    rules = dispositif(d.dispositif)
    saved = d.form.programmation.departement if d.form.programmation else None
    return page("programmation.html", status, d=d, editable=editable, dispositif=rules,
                cloture=rules.dernier_delai,
                lignes=programmation.rows(d.form, raw, errors), departements=programmation.departements(),
                departement=(raw or {}).get("departement", saved) if raw is not None else saved,
                totaux=programmation.totals(d.form), pieces=pieces,
                checks=_checks(d, records, pieces) if editable else [], errors=errors or {}, note=note)


def _dossier_page(d: Dossier, user: User, raw: dict[str, str] | None = None,
                  errors: dict[str, str] | None = None, status: int = 200, note: str | None = None) -> Response:
    if dispositif(d.dispositif).formulaire == "programmation_drom":  # the pages follow the dispositif's form
        return _programmation_page(d, user, raw, errors, status, note)
    editable = drafts.editable(d)
    records = records_of(d.dossier_id)
    operation = forms.operation_widgets(d.form, raw)
    loans = forms.loan_rows(d.form, raw)
    lines = forms.line_rows(d.form, raw)
    row_widgets: list[Any] = [w for rows in loans.values() for row in rows for w in row.widgets]
    row_widgets += [*lines, *(w for line in lines for w in line.widgets)]
    unplaced = forms.attach([*operation, *row_widgets], errors or {})
    pieces = _pieces_view(d, user, records, editable)
    assert user.siren is not None
    others = likely_duplicates(d, services().dossiers.list_dossiers(user.siren)) if d.form.operation.nom or \
        d.form.operation.adresse else []
    insee = d.form.operation.commune_insee
    return page("dossier.html", status, d=d, editable=editable, operation=operation, loans=loans, lignes=lines,
                loan_kinds=forms.LOAN_KINDS, pieces=pieces, checks=_checks(d, records, pieces) if editable else [],
                errors=errors or {}, unplaced=unplaced,
                doublons=others, commune=rules.commune(insee) if insee else None, note=note)


@route(bp, "/dossiers/{dossier_id}")
def dossier(dossier_id: str) -> Response:
    user = session.bailleur()
    from web.views import SUIVI_NOTES

    note = {"enregistre": "Le brouillon est enregistré.", **SUIVI_NOTES}.get(query("note"))
    return _dossier_page(own_dossier(dossier_id, user), user, note=note)


@route(bp, "/dossiers/{dossier_id}", ("POST",))
def enregistrer(dossier_id: str) -> Response:
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    drafts.require_editable(d)
    raw = form_data()
    action = raw.get("action", "enregistrer")
    if dispositif(d.dispositif).formulaire == "programmation_drom":
        return _enregistrer_programmation(d, user, raw)
    if m := re.fullmatch(r"retirer_(\d{1,2})", action):
        raw = {k: v for k, v in raw.items() if not k.startswith(f"prets.{m[1]}.")}
    if m := re.fullmatch(r"retirer_ligne_(\d{1,3})", action):
        raw = {k: v for k, v in raw.items() if not k.startswith(f"{forms.LINES}.{m[1]}.")}
    form, errors = forms.parse(raw)
    if _stale(d, raw):
        # Saved elsewhere (another tab, a colleague) since this page was loaded: nothing is overwritten
        # unseen; the page comes back with what was typed here, and saving it again replaces that version.
        return _dossier_page(d, user, raw, {"_": _stale_message(d)}, 409)
    if action in ("ajouter_foncier", "ajouter_bati"):
        free = max([int(k.split(".")[1]) for k in raw if re.fullmatch(r"prets\.\d{1,2}\.kind", k)] + [-1]) + 1
        if free >= 20:
            errors["prets"] = "Un dossier compte au plus 20 prêts."
        raw = {**raw, f"prets.{free}.kind": action.removeprefix("ajouter_"), f"prets.{free}.produit": "PLI",
               f"prets.{free}.index": "livret_a"}
    if action == "ajouter_ligne":
        free = max([int(k.split(".")[2]) for k in raw if re.fullmatch(rf"{forms.LINES}\.\d{{1,3}}\.typologie", k)]
                   + [-1]) + 1
        if free >= 200:
            errors[forms.LINES] = "Le détail compte au plus 200 lignes."
        raw = {**raw, f"{forms.LINES}.{free}.typologie": "t2"}
    if form is None or errors:
        return _dossier_page(d, user, raw, errors, 422)
    try:
        saved = drafts.save(services().dossiers, d, form, user.actor)
    except AmiError as exc:
        champs = exc.details if isinstance(exc.details, list) else []
        placed = {str(c["champ"]): exc.message for c in champs if isinstance(c, dict) and c.get("champ")}
        return _dossier_page(d, user, raw, placed or {"_": exc.message}, exc.status)
    if action != "enregistrer":
        return _dossier_page(saved, user, raw, {}, 200, note="Le brouillon est enregistré.")
    return redirect(f"/dossiers/{dossier_id}?note=enregistre#formulaire")


def _stale(d: Dossier, raw: dict[str, str]) -> bool:
    """Whether the page posting `raw` was loaded before the dossier's last save (no version: an old page)."""
    sent = raw.get("version", "")
    return sent.isdigit() and int(sent) != d.version


def _stale_message(d: Dossier) -> str:
    from web.views import paris_hour

    return (f"Ce brouillon a été enregistré ailleurs à {paris_hour(d.updated_at)} (dans un autre onglet ou par un "
            "collègue) depuis l'ouverture de cette page : ce que vous avez saisi ici n'est pas encore enregistré. "
            "Enregistrez de nouveau pour remplacer l'autre version par celle-ci, ou rechargez la page pour voir "
            "l'autre version.")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8"})


@route(bp, "/dossiers/{dossier_id}/brouillon", ("POST",))
def enregistrement_automatique(dossier_id: str) -> Response:
    """The page's script saves the form as the bailleur types (debounced): the same form as « Enregistrer »,
    answered in JSON, refused when the dossier was saved elsewhere since the page's version."""
    from web.views import paris_hour

    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    drafts.require_editable(d)
    if dispositif(d.dispositif).formulaire == "programmation_drom":  # its page saves by its button only
        raise NotFound("brouillon_automatique", "Ce formulaire s'enregistre avec son bouton « Enregistrer ».")
    raw = form_data()
    if _stale(d, raw) or not raw.get("version", "").isdigit():
        return _json({"code": "brouillon_modifie", "message": _stale_message(d), "version": d.version}, 409)
    form, errors = forms.parse(raw)
    if form is None or errors:
        n = len(errors)
        return _json({"code": "brouillon_invalide", "champs": sorted(errors), "message": (
            f"Brouillon non enregistré automatiquement : {n} champ{'s' if n > 1 else ''} à corriger "
            f"({next(iter(errors.values()))})")}, 422)
    saved = drafts.save(services().dossiers, d, form, user.actor)
    return _json({"version": saved.version, "message": f"Brouillon enregistré à {paris_hour(saved.updated_at)}."})


def _enregistrer_programmation(d: Dossier, user: User, raw: dict[str, str]) -> Response:
    from web import programmation

    form, errors = programmation.parse(raw)
    if form is None or errors:
        return _dossier_page(d, user, raw, errors, 422)
    try:
        drafts.save(services().dossiers, d, form, user.actor)
    except AmiError as exc:  # another programmation of this département, a dossier sent meanwhile
        return _dossier_page(d, user, raw, {"departement" if exc.code == "programmation_existante" else "_":
                                            exc.message}, exc.status)
    return redirect(f"/dossiers/{d.dossier_id}?note=enregistre#formulaire")


# ---------------------------------------------------------------- pieces


def _piece(piece: str, d: Dossier) -> PieceKind:
    """`piece` as one of the kinds the dossier's dispositif asks for."""
    kind = next((k for k in dispositif(d.dispositif).piece_kinds if k == piece), None)
    if kind is None:
        raise NotFound("piece_inconnue", "Cette pièce n'est pas demandée par l'AMI.")
    return kind


@route(bp, "/dossiers/{dossier_id}/pieces/{piece}/formulaire", ("POST",))
def formulaire_depot(dossier_id: str, piece: str) -> Response:
    """The presigned POST for the page's script (upload with a progress bar)."""
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    kind = _piece(piece, d)
    drafts.require_editable(d)
    assert user.siren is not None
    upload = services().deposits.upload_form(user.siren, dossier_id, kind)
    body = {"url": upload.url, "fields": upload.fields, "max_bytes": upload.max_bytes,
            "content_type": dispositif(d.dispositif).pieces[kind].content_type}
    return Response(body=json.dumps(body), status_code=200, headers={"Content-Type": "application/json"})


@route(bp, "/dossiers/{dossier_id}/etat")
def etat(dossier_id: str) -> Response:
    """How many versions of each piece intake has examined (the page's script waits for one more)."""
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    records = records_of(dossier_id)
    kinds = dispositif(d.dispositif).piece_kinds
    body = {"status": d.status.value, "pieces": {k: sum(r.piece == k for r in records) for k in kinds}}
    return Response(body=json.dumps(body), status_code=200, headers={"Content-Type": "application/json"})


@route(bp, "/dossiers/{dossier_id}/pieces/{piece}/recu")
def piece_recue(dossier_id: str, piece: str) -> Response:
    """Where S3 sends the browser after an upload without JavaScript: waits for intake's verdict."""
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    kind = _piece(piece, d)
    before = int(query("avant")) if query("avant").isdigit() else 0
    mine = [r for r in records_of(dossier_id) if r.piece == kind]
    if len(mine) > before:
        return redirect(f"/dossiers/{d.dossier_id}#piece-{kind}")
    return page("piece_recue.html", d=d, words=PIECES[kind], kind=kind)


# ---------------------------------------------------------------- envoi and receipt


@route(bp, "/dossiers/{dossier_id}/envoi")
def confirmer_envoi(dossier_id: str) -> Response:
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    drafts.require_editable(d, "envoi_impossible")
    dispositif(d.dispositif).check_open(services().clock())  # after the close, say so before the click
    records = records_of(dossier_id)
    pieces = _pieces_view(d, user, records, editable=False)
    # One idempotency key per click on « Envoyer » (as the API's client sends one): the same page posted
    # again (a double click, a browser resending after a lost answer) finds the deposit it made.
    return page("envoi.html", d=d, checks=_checks(d, records, pieces), pieces=pieces, cle=uuid.uuid4().hex,
                numerote=dispositif(d.dispositif).numbered)


@route(bp, "/dossiers/{dossier_id}/envoi", ("POST",))
def envoyer(dossier_id: str) -> Response:
    user = session.bailleur()
    typed = form_data().get("cle_envoi", "")
    key = typed if IDEMPOTENCY_KEY.fullmatch(typed) else None
    d = own_dossier(dossier_id, user)
    app = services()
    envoi_logic.submit(
        app.sequence, app.dossiers, app.deposits, app.publisher, d, user.actor, key, clock=app.clock
    )
    return redirect(f"/dossiers/{dossier_id}/accuse")


def _receipt(dossier_id: str) -> dict[str, Any]:
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    if d.envoi is None:
        raise NotFound("accuse_introuvable", "Ce dossier n'a pas encore été envoyé : il n'a pas d'accusé de réception.")
    bailleur = services().dossiers.get_bailleur(d.siren)
    rules = dispositif(d.dispositif)
    return {"d": d, "bailleur": bailleur, "pieces": [
        {"kind": k, "libelle": rules.pieces[k].libelle, "piece": d.envoi.pieces.get(k)} for k in rules.piece_kinds
    ], "dispositif": rules}


@route(bp, "/dossiers/{dossier_id}/accuse")
def accuse(dossier_id: str) -> Response:
    return page("accuse.html", **_receipt(dossier_id))


@route(bp, "/dossiers/{dossier_id}/accuse.pdf")
def accuse_pdf(dossier_id: str) -> Response:
    from web import receipt

    data = receipt.pdf(**_receipt(dossier_id))
    return Response(body=data, status_code=200, headers={
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="accuse-reception-{dossier_id[:8]}.pdf"',
    })

