"""What every route shares: the Chalice app, the Cognito authorizer, the request, its JSON body,
and the service's composition (made once per process by `ami.bootstrap`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from ami import bootstrap
from ami.domain import jsonsafe
from ami.domain.errors import InvalidInput
from ami.settings import ApiSettings
from chalice import Blueprint, Chalice, CognitoUserPoolAuthorizer, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from api.errors import BadJson, json_errors

app = Chalice(app_name="ami-garantie-api")
cognito = CognitoUserPoolAuthorizer("CognitoAuthorizer", provider_arns=[])
M = TypeVar("M", bound=BaseModel)
_services: list[bootstrap.Container] = []


def configure(container: bootstrap.Container | None) -> bootstrap.Container | None:
    """Wire the API to these adapters (the local runtime and the tests; Lambda builds from its
    environment on the first request); returns the previous wiring, so that a test can put it back."""
    previous = _services[0] if _services else None
    _services[:] = [container] if container is not None else []
    return previous


def services() -> bootstrap.Container:
    if not _services:
        _services.append(bootstrap.build(ApiSettings.from_env()))
    return _services[0]


def route(
    bp: Blueprint, path: str, method: str, *, public: bool = False
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """`bp.route`, with the error mapping and (unless public) the Cognito authorizer."""

    def register(func: Callable[..., Response]) -> Callable[..., Response]:
        wrapped = json_errors(func)
        if public:
            bp.route(path, methods=[method])(wrapped)
        else:
            bp.route(path, methods=[method], authorizer=cognito)(wrapped)
        return wrapped

    return register


def request() -> Request:
    req = app.current_request
    assert req is not None
    return req


def parse_body(model: type[M]) -> M:
    raw = request().raw_body
    data = raw.encode("utf-8") if isinstance(raw, str) else raw  # its size was checked by http_guard
    if jsonsafe.depth_exceeds(data):
        raise BadJson("json_trop_imbrique",
                      f"Le corps de la requête imbrique plus de {jsonsafe.MAX_DEPTH} niveaux de tableaux ou d'objets.")

    def _no_constants(name: str) -> Any:
        raise ValueError(name)

    try:
        parsed = json.loads(data, parse_constant=_no_constants) if data.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadJson("json_invalide", "Le corps de la requête n'est pas du JSON valide.") from exc
    if not isinstance(parsed, dict):
        raise BadJson("json_invalide", "Le corps de la requête doit être un objet JSON.")
    try:
        return model.model_validate_json(data)
    except ValidationError:
        raise
    except ValueError as exc:  # a validator's bare error that pydantic let through: the data, not the service
        raise InvalidInput("donnees_invalides", "Une valeur du formulaire n'a pas la forme attendue.") from exc


def dump(m: BaseModel) -> Any:
    return m.model_dump(mode="json")
