"""Routes anyone may call: registration and the list of eligible legal forms."""

from __future__ import annotations

from ami.domain.dispositif import dispositif
from ami.domain.models import BailleurRegistration
from ami.services import accounts
from chalice import Blueprint, Response

from api.core import dump, parse_body, route, services
from api.errors import json_response

bp = Blueprint(__name__)


@route(bp, "/inscription", "POST", public=True)
def inscription() -> Response:
    bailleur = accounts.register(parse_body(BailleurRegistration), services().dossiers, services().accounts)
    return json_response(dump(bailleur), 201)


@route(bp, "/formes-juridiques", "GET", public=True)
def formes_juridiques() -> Response:
    return json_response([dump(f) for f in dispositif().formes_juridiques])
