"""The lifecycle's routes (ami.services.lifecycle): the instructors' steps (CCN, opinion, tarification, CA,
convention, prime, acte, sans suite) and cotation FIBEN, the bailleur's (accept the proposition, withdraw,
the presigned POST of the signed convention, which intake checks and turns into the step), and the documents of
both. The actor is always the authenticated user."""

from __future__ import annotations

from datetime import timedelta

from ami.domain.errors import NotFound
from ami.domain.lifecycle import STATUS_LABELS, TRANSITIONS, Role, actions_possibles
from ami.domain.models import Dossier, EtapeIn, FibenIn, utcnow
from chalice import Blueprint, Response

from api.auth import bailleur_caller, dossier_or_404, instructeur_caller
from api.core import dump, parse_body, route, services
from api.errors import json_response
from api.schemas import DocumentLink, EtapeOut, UploadFormOut

bp = Blueprint(__name__)
LINK_SECONDS = 300


def _out(d: Dossier, role: Role, message: str) -> Response:
    return json_response(dump(EtapeOut(
        dossier_id=d.dossier_id, deposit_number=d.deposit_number, status=d.status, statut=STATUS_LABELS[d.status],
        actions_possibles=actions_possibles(d.status, role), suivi=d.suivi, message=message)))


def _done(action: str) -> str:
    t = TRANSITIONS.get(action)
    return f"Étape enregistrée : {t.libelle}." if t else "Étape enregistrée."


def _link(dossier_id: str, kind: str) -> Response:
    d = services().lifecycle.dossier(dossier_id)
    ref = d.suivi.documents.get(kind)
    if ref is None:
        raise NotFound("document_introuvable", "Ce dossier n'a pas (encore) ce document.")
    url = services().deposits.document_link(ref.key, ref.version_id, ref.nom, LINK_SECONDS)
    return json_response(dump(DocumentLink(kind=kind, nom=ref.nom, sha256=ref.sha256, size=ref.size, url=url,
                                           expires_at=utcnow() + timedelta(seconds=LINK_SECONDS))))


# ---------------------------------------------------------------- instructors


@route(bp, "/instruction/dossiers/{dossier_id}/fiben", "POST")
def record_fiben(dossier_id: str) -> Response:
    who = instructeur_caller()
    body = parse_body(FibenIn)
    dossier_or_404(dossier_id)
    d = services().lifecycle.fiben(dossier_id, who.actor, body)
    return _out(d, "instructeur", "Cotation FIBEN enregistrée.")


@route(bp, "/instruction/dossiers/{dossier_id}/etapes/{action}", "POST")
def instruction_step(dossier_id: str, action: str) -> Response:
    who = instructeur_caller()
    body = parse_body(EtapeIn)
    dossier_or_404(dossier_id)
    d = services().lifecycle.act(dossier_id, action, "instructeur", who.actor, body)
    return _out(d, "instructeur", _done(action))


@route(bp, "/instruction/dossiers/{dossier_id}/documents/{kind}", "GET")
def instruction_document(dossier_id: str, kind: str) -> Response:
    instructeur_caller()
    dossier_or_404(dossier_id)
    return _link(dossier_id, kind)


# ---------------------------------------------------------------- bailleurs


@route(bp, "/dossiers/{dossier_id}/etapes/{action}", "POST")
def bailleur_step(dossier_id: str, action: str) -> Response:
    who = bailleur_caller()
    body = parse_body(EtapeIn)
    dossier_or_404(dossier_id, who)
    d = services().lifecycle.act(dossier_id, action, "bailleur", who.actor, body, siren=who.siren)
    return _out(d, "bailleur", _done(action))


@route(bp, "/dossiers/{dossier_id}/convention/formulaire", "POST")
def convention_form(dossier_id: str) -> Response:
    """The presigned POST of the signed convention: the file goes straight to the deposits bucket, intake checks
    it as a piece and, if it is good, takes the step « deposer_convention » for the bailleur who asked."""
    who = bailleur_caller()
    assert who.siren is not None
    dossier_or_404(dossier_id, who)
    upload = services().lifecycle.convention_form(dossier_id, who.siren, who.actor)
    return json_response(dump(UploadFormOut(url=upload.url, fields=upload.fields, key=upload.key,
                                            expires_at=upload.expires_at, max_bytes=upload.max_bytes)))


@route(bp, "/dossiers/{dossier_id}/documents/{kind}", "GET")
def bailleur_document(dossier_id: str, kind: str) -> Response:
    who = bailleur_caller()
    dossier_or_404(dossier_id, who)
    return _link(dossier_id, kind)
