"""Serve the Chalice API locally, with a Cognito authorizer that verifies tokens as API Gateway does.

Chalice's own local authorizer only decodes the token. Here the ID token must be signed (RS256)
by a key of the user pool's JWKS, issued by the pool, an ID token (`token_use` = id) and not expired;
anything else answers 401 like API Gateway. The claims then reach the app as API Gateway REST passes
them: every value a string, groups as "a,b". Like API Gateway's Cognito authorizer, it does not check
the audience: the app does, deployed and here alike (ami.domain.audience).

The answers the gateway gives without calling the app (401, unknown route) are the GatewayResponses
of template.yaml, French JSON `{code, message, details}` as deployed, read from the template.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from chalice.app import Chalice, CognitoUserPoolAuthorizer
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LambdaContext,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    LocalGatewayAuthorizer,
    LocalGatewayException,
    NotAuthorizedError,
)

FUNCTIONS = str(Path(__file__).resolve().parents[1] / "functions")
# chalice.local's own errors → the GatewayResponses of template.yaml that API Gateway would use.
GATEWAY_RESPONSES = {NotAuthorizedError: "UNAUTHORIZED", ForbiddenError: "MISSING_AUTHENTICATION_TOKEN"}


@functools.cache
def gateway_response(kind: str, default_status: int) -> tuple[int, bytes]:
    """(status, JSON body) of the API's GatewayResponses entry `kind` in template.yaml (DEFAULT_4XX if absent)."""
    from infra.template import load_sam

    responses = load_sam()["Resources"]["AmiApi"]["Properties"]["GatewayResponses"]
    spec = responses.get(kind) or responses["DEFAULT_4XX"]
    body = str(spec["ResponseTemplates"]["application/json"])
    return int(spec.get("StatusCode", default_status)), body.encode("utf-8")


def issuers(endpoint_url: str, user_pool_id: str) -> set[str]:
    """The issuers an ID token of the pool may carry: AWS's form (what moto signs too) and the endpoint's."""
    region = user_pool_id.split("_", 1)[0]
    return {
        f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}",
        f"{endpoint_url.rstrip('/')}/{user_pool_id}",
    }


def _as_api_gateway_claim(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


class CognitoVerifyingAuthorizer(LocalGatewayAuthorizer):
    """Verifies the Cognito ID token of routes with a CognitoUserPoolAuthorizer."""

    def __init__(self, app_object: Chalice, endpoint_url: str, user_pool_id: str) -> None:
        super().__init__(app_object)
        self.jwks_url = f"{endpoint_url.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"
        self.issuers = issuers(endpoint_url, user_pool_id)
        self.jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises jwt.PyJWTError when API Gateway would refuse it."""
        key = self.jwks.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
        )
        if claims.get("iss") not in self.issuers:
            raise jwt.InvalidIssuerError(f"unexpected issuer {claims.get('iss')!r}")
        if claims.get("token_use") != "id":
            raise jwt.InvalidTokenError("not an ID token")
        return claims

    def authorize(
        self, raw_path: str, lambda_event: dict[str, Any], lambda_context: LambdaContext
    ) -> tuple[dict[str, Any], LambdaContext]:
        route_entry = self._route_for_event(lambda_event)
        if route_entry is None or not isinstance(route_entry.authorizer, CognitoUserPoolAuthorizer):
            return super().authorize(raw_path, lambda_event, lambda_context)
        error_headers = {
            "x-amzn-RequestId": lambda_context.aws_request_id,
            "x-amzn-ErrorType": "UnauthorizedException",
        }
        header = str(lambda_event.get("headers", {}).get("authorization") or "").strip()
        token = header[7:].strip() if header[:7].lower() == "bearer " else header
        if not token:
            raise NotAuthorizedError(error_headers, gateway_response("UNAUTHORIZED", 401)[1])
        try:
            claims = self.verify(token)
        except (jwt.PyJWTError, ValueError) as exc:
            raise NotAuthorizedError(error_headers, gateway_response("UNAUTHORIZED", 401)[1]) from exc
        lambda_event["requestContext"]["authorizer"] = {
            "claims": {k: _as_api_gateway_claim(v) for k, v in claims.items()},
            "principalId": "",
        }
        return lambda_event, lambda_context


class VerifyingRequestHandler(ChaliceRequestHandler):
    def __init__(
        self,
        request: bytes,
        client_address: tuple[str, int],
        server: Any,
        app_object: Chalice,
        config: Config,
        authorizer: CognitoVerifyingAuthorizer,
    ) -> None:
        self.local_gateway = LocalGateway(app_object, config)
        self.local_gateway._authorizer = authorizer
        # BaseHTTPRequestHandler handles the request inside __init__: the gateway must be ready first.
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, body = gateway_response(GATEWAY_RESPONSES.get(type(error), "DEFAULT_4XX"), error.CODE)
        headers = {**error.headers, "Content-Type": "application/json; charset=utf-8"}
        self._send_http_response(status, headers, body)

    def log_message(self, format: str, *args: Any) -> None:
        if not QUIET.is_set():
            super().log_message(format, *args)


QUIET = threading.Event()  # set: no access log line per request (the demo prints its own report)


def _api_app() -> Chalice:
    if FUNCTIONS not in sys.path:
        sys.path.insert(0, FUNCTIONS)
    from api.app import app

    if not isinstance(app, LocalChalice):
        # As chalice.local.create_local_server does: a thread-local current_request for a threaded server.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    return app


def serve_api(
    endpoint_url: str, user_pool_id: str, services: Any, port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Serve the API on 127.0.0.1:`port` (0: any free port) in a background thread, wired to
    `services` (an `ami.bootstrap.Container`).

    Returns the base URL and a function that stops the server.
    """
    app = _api_app()
    from api.app import configure

    previous = configure(services)
    config = Config.create(
        chalice_stage="dev", app_name="ami-garantie-api", lambda_timeout=30, lambda_memory_size=512
    )
    authorizer = CognitoVerifyingAuthorizer(app, endpoint_url, user_pool_id)
    handler = functools.partial(VerifyingRequestHandler, authorizer=authorizer)
    server = LocalDevServer(app, config, "127.0.0.1", port, handler_cls=handler)
    host, bound_port = server.server.server_address[:2]
    thread = threading.Thread(target=server.server.serve_forever, name="ami-local-api", daemon=True)
    thread.start()

    def stop() -> None:
        configure(previous)
        server.shutdown()
        server.server.server_close()
        thread.join(timeout=10)

    return f"http://{host}:{bound_port}", stop
