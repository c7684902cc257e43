"""Routes anyone may call: registration (the form, then the code sent to the address), the list of
eligible legal forms and the dispositifs open to deposits with their library."""

from __future__ import annotations

from ami.domain.dispositif import Dispositif, dispositif, ouverts
from ami.domain.models import BailleurRegistration, RegistrationConfirmation
from chalice import Blueprint, Response

from api.core import dump, parse_body, route, services
from api.errors import json_response
from api.schemas import DispositifOut, DocumentOut, PieceOut

bp = Blueprint(__name__)


@route(bp, "/inscription", "POST", public=True)
def inscription() -> Response:
    pending = services().inscriptions.register(parse_body(BailleurRegistration))
    return json_response(dump(pending), 202)


@route(bp, "/inscription/confirmation", "POST", public=True)
def confirmation() -> Response:
    body = parse_body(RegistrationConfirmation)
    bailleur = services().inscriptions.confirm(body.email_contact, body.code)
    return json_response(dump(bailleur), 201)


@route(bp, "/formes-juridiques", "GET", public=True)
def formes_juridiques() -> Response:
    return json_response([dump(f) for f in dispositif().formes_juridiques])


def described(d: Dispositif) -> DispositifOut:
    last = d.dernier_delai
    return DispositifOut(
        code=d.code, libelle=d.libelle, ouverture=d.ouverture, cloture=d.cloture,
        cloture_texte=f"jusqu'au {last} (heure de Paris)" if last else None, numerotation=d.numbered,
        pieces=[PieceOut(piece=k, libelle=r.libelle, type=r.type) for k, r in d.pieces.items()],
        documents=[DocumentOut(nom=doc.nom, titre=doc.titre, adresse=f"/dispositifs/{d.code}/documents/{doc.nom}")
                   for doc in d.documents],
        autres_documents=list(d.bibliotheque), mailbox=d.mailbox,
    )


@route(bp, "/dispositifs", "GET", public=True)
def list_dispositifs() -> Response:
    """The dispositifs open to deposits now (the service's clock), each with its pieces and its library."""
    return json_response([dump(described(d)) for d in ouverts(services().clock())])
