"""The bailleur's steps after the numbering (ami.domain.lifecycle), on the plateforme: accept the proposition
de tarification before its expiry, withdraw the demande, deposit the signed convention, and download the
dossier's documents (proposition, convention, attestation, acte) at `/dossiers/<id>/documents/<kind>`, the
address the lifecycle's emails link to.

Same use case as the JSON API's bailleur routes (`ami.services.lifecycle.Lifecycle` with the bailleur's SIREN),
the actor the signed-in bailleur. The signed convention is deposited as the pieces are: a presigned POST straight
to the deposits bucket (the page's script with a progress bar, or the plain form without JavaScript, S3 then
sending the browser to `/dossiers/<id>/convention/recu`), checked by intake, whose verdict the page waits for.
Another bailleur's dossier does not exist here (404), as everywhere on the plateforme.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from ami.domain.errors import Conflict, InvalidInput, NotFound
from ami.domain.identity import User
from ami.domain.lifecycle import STATUS_LABELS, TRANSITIONS, actions_possibles
from ami.domain.models import Dossier, DossierStatus, EtapeIn
from chalice import Blueprint, Response

from web import session, views
from web.core import absolute, form_data, query, services, state
from web.pages_bailleur import own_dossier
from web.pages_instruction import document_response
from web.rendering import page, redirect
from web.routing import route

bp = Blueprint(__name__)
STEPS = ("accepter", "retirer", "deposer_convention")


def _step(d: Dossier, action: str) -> str:
    if action not in STEPS:
        raise NotFound("page_introuvable", "Cette page est introuvable.")
    if action not in actions_possibles(d.status, "bailleur"):
        raise Conflict("etape_impossible", f"Cette démarche n'est pas possible : le dossier n° {d.deposit_number} "
                       f"est {STATUS_LABELS[d.status]}.")
    return action


def _page(d: Dossier, action: str, status: int = 200, erreur: str | None = None, motif: str = "",
          **more: Any) -> Response:
    return page("suivi_etape.html", status, d=d, action=action, libelle=views.BAILLEUR_STEPS[action],
                erreur=erreur, motif=motif, etape=TRANSITIONS[action], **more)


def _convention_page(user: User, d: Dossier) -> Response:
    """The step « Déposer la convention signée »: the presigned POST (no JavaScript: S3 sends the browser back to
    the verdict's page) and why the last file was refused, if it was."""
    assert user.siren is not None
    seen = len(d.suivi.conventions_deposees)
    target = absolute(f"/dossiers/{d.dossier_id}/convention/recu?avant={seen}")
    upload = services().lifecycle.convention_form(d.dossier_id, user.siren, user.actor, redirect=target)
    state().upload_origins.add("{0.scheme}://{0.netloc}".format(urlsplit(upload.url)))
    last = d.suivi.derniere_convention
    return _page(d, "deposer_convention", upload=upload, avant=seen,
                 refusee=last if last is not None and not last.accepted else None)


def _act(user: User, d: Dossier, action: str, given: EtapeIn) -> Dossier:
    return services().lifecycle.act(d.dossier_id, action, "bailleur", user.actor, given,
                                    siren=user.siren)


@route(bp, "/dossiers/{dossier_id}/suivi/{action}")
def etape(dossier_id: str, action: str) -> Response:
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    if _step(d, action) == "deposer_convention":
        return _convention_page(user, d)
    return _page(d, action)


@route(bp, "/dossiers/{dossier_id}/suivi/{action}", ("POST",))
def faire(dossier_id: str, action: str) -> Response:
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    if _step(d, action) == "deposer_convention":
        raise Conflict("envoi_fichier", "Déposez la convention signée depuis le formulaire de dépôt.")
    motif = form_data().get("justification", "").strip()
    try:
        _act(user, d, action, EtapeIn(justification=motif or None))
    except InvalidInput as exc:
        return _page(d, action, 422, exc.message, motif)
    return redirect(f"/dossiers/{dossier_id}?note={action}")


@route(bp, "/dossiers/{dossier_id}/convention/formulaire", ("POST",))
def formulaire_convention(dossier_id: str) -> Response:
    """The presigned POST for the page's script (upload with a progress bar), as for the pieces."""
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    assert user.siren is not None
    upload = services().lifecycle.convention_form(d.dossier_id, user.siren, user.actor)
    body = {"url": upload.url, "fields": upload.fields, "max_bytes": upload.max_bytes,
            "content_type": "application/pdf"}
    return Response(body=json.dumps(body), status_code=200, headers={"Content-Type": "application/json"})


@route(bp, "/dossiers/{dossier_id}/convention/etat")
def etat_convention(dossier_id: str) -> Response:
    """How many signed conventions intake has examined (the page's script waits for one more)."""
    d = own_dossier(dossier_id, session.bailleur())
    body = {"status": d.status.value, "pieces": {"convention_signee": len(d.suivi.conventions_deposees)}}
    return Response(body=json.dumps(body), status_code=200, headers={"Content-Type": "application/json"})


@route(bp, "/dossiers/{dossier_id}/convention/recu")
def convention_recue(dossier_id: str) -> Response:
    """Where the upload leads (S3 without JavaScript, the script once intake has decided): intake's verdict on the
    file deposited after the `avant`-th; accepted, the dossier page; refused, the step's page saying why."""
    d = own_dossier(dossier_id, session.bailleur())
    before = int(query("avant")) if query("avant").isdigit() else 0
    if len(d.suivi.conventions_deposees) > before:
        last = d.suivi.conventions_deposees[-1]
        if last.accepted:
            return redirect(f"/dossiers/{dossier_id}?note=deposer_convention")
        if d.status == DossierStatus.CONVENTION_ENVOYEE:
            return redirect(f"/dossiers/{dossier_id}/suivi/deposer_convention")
        return redirect(f"/dossiers/{dossier_id}")
    return page("piece_recue.html", d=d, words={"nom": "la convention signée"}, kind="convention_signee",
                retour=f"/dossiers/{dossier_id}/suivi/deposer_convention"
                if d.status == DossierStatus.CONVENTION_ENVOYEE else f"/dossiers/{dossier_id}")


@route(bp, "/dossiers/{dossier_id}/documents/{kind}")
def document(dossier_id: str, kind: str) -> Response:
    """A document of the bailleur's own dossier (another's, or none: 404)."""
    return document_response(own_dossier(dossier_id, session.bailleur()), kind)
