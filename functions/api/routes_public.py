"""Routes anyone may call: registration (the form, then the code sent to the address) and the list of
eligible legal forms."""

from __future__ import annotations

from ami.domain.dispositif import dispositif
from ami.domain.models import BailleurRegistration, RegistrationConfirmation
from chalice import Blueprint, Response

from api.core import dump, parse_body, route, services
from api.errors import json_response

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
