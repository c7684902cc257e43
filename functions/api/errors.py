"""Every error a request can raise, as the French JSON answer `{code, message, details}`: the one mapping."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from ami.domain.errors import AmiError
from aws_lambda_powertools import Logger
from chalice import Response
from chalice.app import ChaliceViewError, Request
from pydantic import ValidationError

from api.schemas import ErrorBody, FieldError

logger = Logger(service="api", child=True)
MAX_BODY_BYTES = 256 * 1024
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class BadJson(AmiError):
    status = 400


class BodyTooLarge(AmiError):
    status = 413


CHALICE_CODES = {
    "BadRequestError": "requete_invalide",
    "BadRequest": "requete_invalide",
    "UnauthorizedError": "non_authentifie",
    "ForbiddenError": "acces_refuse",
    "NotFoundError": "ressource_introuvable",
    "MethodNotAllowedError": "methode_non_autorisee",
    "UnsupportedMediaType": "type_contenu_non_supporte",
    "RequestTimeoutError": "delai_depasse",
    "ConflictError": "conflit",
    "UnprocessableEntityError": "donnees_invalides",
    "TooManyRequestsError": "trop_de_requetes",
    "InternalServerError": "erreur_interne",
}
CHALICE_MESSAGES = {
    400: "La requête est invalide.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    408: "Délai dépassé.",
    409: "Conflit avec l'état de la ressource.",
    415: "Type de contenu non supporté : envoyez du JSON (application/json).",
    422: "Données invalides.",
    429: "Trop de requêtes.",
    500: "Erreur interne. Réessayez plus tard.",
}


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str | list[str]] | None = None
) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def _error(status: int, code: str, message: str, details: Any = None) -> Response:
    return json_response(
        ErrorBody(code=code, message=message, details=details).model_dump(mode="json"), status
    )


def error_response(exc: BaseException) -> Response:
    """Every exception a request can raise, as the JSON answer the client gets."""
    if isinstance(exc, AmiError):
        return _error(exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, ValidationError):
        from ami.domain import validation_fr

        errors = [FieldError(**e).model_dump() for e in validation_fr.field_errors(exc)]
        return _error(422, "donnees_invalides", validation_fr.summary(errors), errors)
    if isinstance(exc, ChaliceViewError):
        status = exc.STATUS_CODE
        code = CHALICE_CODES.get(type(exc).__name__, "erreur_requete")
        return _error(status, code, CHALICE_MESSAGES.get(status, "La requête ne peut pas aboutir."))
    # Where it failed, never what it said: an exception's message may carry what the user typed.
    from ami.domain.logsafe import where

    logger.error("erreur inattendue (%s) : %s", type(exc).__name__, where(exc))
    return _error(500, "erreur_interne", CHALICE_MESSAGES[500])


def _reshape_chalice_error(response: Response) -> Response:
    """Chalice's own answers (405, 415, 500…) get the same JSON shape as ours."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return response
    status = response.status_code
    code = CHALICE_CODES.get(str(body["Code"]), "erreur_requete")
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return json_response(
        ErrorBody(
            code=code, message=CHALICE_MESSAGES.get(status, "La requête ne peut pas aboutir.")
        ).model_dump(),
        status,
        headers,
    )


def http_guard(event: Request, get_response: Callable[[Request], Response]) -> Response:
    try:
        raw = event.raw_body if event is not None else b""
        size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(
                "corps_trop_volumineux",
                f"Le corps de la requête dépasse {MAX_BODY_BYTES // 1024} Kio.",
                {"max_bytes": MAX_BODY_BYTES},
            )
        return _reshape_chalice_error(get_response(event))
    except Exception as exc:
        return error_response(exc)


def json_errors(func: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            return error_response(exc)

    return wrapper
