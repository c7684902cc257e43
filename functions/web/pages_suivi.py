"""The bailleur's steps after the numbering (ami.domain.lifecycle), on the plateforme: accept the proposition
de tarification before its expiry, withdraw the demande, deposit the signed convention, and download the
dossier's documents (proposition, convention, attestation, acte) at `/dossiers/<id>/documents/<kind>`, the
address the lifecycle's emails link to.

Same use case as the JSON API's bailleur routes (`ami.services.lifecycle.Lifecycle.act` with the bailleur's
SIREN): the same checks (expiry, the signed convention read as any PDF piece), the actor the signed-in
bailleur. Another bailleur's dossier does not exist here (404), as everywhere on the plateforme.
"""

from __future__ import annotations

import base64
from email import policy
from email.parser import BytesParser

from ami.domain.errors import Conflict, InvalidInput, NotFound, PieceRefused
from ami.domain.identity import User
from ami.domain.lifecycle import STATUS_LABELS, TRANSITIONS, actions_possibles
from ami.domain.models import Dossier, EtapeIn
from chalice import Blueprint, Response

from web import session, views
from web.core import CSRF_COOKIE, CSRF_FIELD, CsrfRefused, app, cookies, form_data, header, request, services
from web.errors import error_page
from web.pages_bailleur import own_dossier
from web.pages_instruction import document_response
from web.rendering import page, redirect
from web.routing import route

bp = Blueprint(__name__)
app.api.binary_types.append("multipart/form-data")  # the signed convention reaches the function intact
STEPS = ("accepter", "retirer", "deposer_convention")
MULTIPART_MAX_BYTES = 400 * 1024  # the convention (180 Kio) and the form around it


def _step(d: Dossier, action: str) -> str:
    if action not in STEPS:
        raise NotFound("page_introuvable", "Cette page est introuvable.")
    if action not in actions_possibles(d.status, "bailleur"):
        raise Conflict("etape_impossible", f"Cette démarche n'est pas possible : le dossier n° {d.deposit_number} "
                       f"est {STATUS_LABELS[d.status]}.")
    return action


def _page(d: Dossier, action: str, status: int = 200, erreur: str | None = None, motif: str = "") -> Response:
    return page("suivi_etape.html", status, d=d, action=action, libelle=views.BAILLEUR_STEPS[action],
                erreur=erreur, motif=motif, etape=TRANSITIONS[action])


def _act(user: User, d: Dossier, action: str, given: EtapeIn) -> Dossier:
    return services().lifecycle.act(d.dossier_id, action, "bailleur", user.actor, given,
                                    siren=user.siren)


@route(bp, "/dossiers/{dossier_id}/suivi/{action}")
def etape(dossier_id: str, action: str) -> Response:
    user = session.bailleur()
    d = own_dossier(dossier_id, user)
    return _page(d, _step(d, action))


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


def _multipart() -> dict[str, bytes]:
    """The fields of a multipart/form-data POST (the stdlib's MIME parser), by name."""
    raw = request().raw_body or b""
    body = raw if isinstance(raw, bytes) else str(raw).encode()
    if len(body) > MULTIPART_MAX_BYTES:
        raise InvalidInput("convention_trop_volumineuse", "La convention signée dépasse 180 Kio : déposez une "
                           "version plus légère (numérisation en niveaux de gris, 150 ppp).")
    head = f"Content-Type: {header('content-type')}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    fields: dict[str, bytes] = {}
    if message.is_multipart():
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload
    return fields


def _check_csrf(fields: dict[str, bytes]) -> None:
    import hmac

    expected = cookies().get(CSRF_COOKIE) or ""
    sent = fields.get(CSRF_FIELD, b"").decode("ascii", errors="replace")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRefused()
    origin = header("origin")
    if origin and origin != "null":
        from urllib.parse import urlsplit

        if urlsplit(origin).netloc != header("host"):
            raise CsrfRefused()


@bp.route("/dossiers/{dossier_id}/convention", methods=["POST"], content_types=["multipart/form-data"])
def deposer_convention(dossier_id: str) -> Response:
    """The signed convention, posted as a file (multipart): checked by the use case as the API checks it."""
    try:
        fields = _multipart()
        _check_csrf(fields)
        user = session.bailleur()
        d = own_dossier(dossier_id, user)
        _step(d, "deposer_convention")
        data = fields.get("convention", b"")
        given = EtapeIn(convention_pdf_base64=base64.b64encode(data).decode() if data else None)
        try:
            _act(user, d, "deposer_convention", given)
        except (InvalidInput, PieceRefused) as exc:
            return _page(d, "deposer_convention", 422, exc.message)
        return redirect(f"/dossiers/{dossier_id}?note=deposer_convention")
    except Exception as exc:  # the one mapping of errors to pages, as every route
        return error_page(exc)


@route(bp, "/dossiers/{dossier_id}/documents/{kind}")
def document(dossier_id: str, kind: str) -> Response:
    """A document of the bailleur's own dossier (another's, or none: 404)."""
    return document_response(own_dossier(dossier_id, session.bailleur()), kind)
