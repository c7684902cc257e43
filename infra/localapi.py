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

import base64
import functools
import logging
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

import jwt
from chalice.app import Chalice, CognitoUserPoolAuthorizer
from chalice.config import Config
from chalice.local import (
    CustomLocalChalice,
    ForbiddenError,
    LambdaContext,
    LocalChalice,
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


class GatewayApp:
    """The API Gateway in front of the app, as a WSGI application: what chalice.local's request handler
    does (LocalGateway per thread, binary bodies, multi-value headers), with the verifying authorizer
    and the template's GatewayResponses."""

    def __init__(self, app_object: Chalice, config: Config, authorizer: CognitoVerifyingAuthorizer) -> None:
        self.app_object, self.config, self.authorizer = app_object, config, authorizer
        self._local = threading.local()

    def _gateway(self) -> LocalGateway:
        gateway: LocalGateway | None = getattr(self._local, "gateway", None)
        if gateway is None:
            gateway = LocalGateway(self.app_object, self.config)
            gateway._authorizer = self.authorizer
            self._local.gateway = gateway
        return gateway

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        headers = {
            key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else None
        path = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        try:
            response = self._gateway().handle_request(
                method=environ["REQUEST_METHOD"], path=path, headers=headers, body=body
            )
            status = int(response["statusCode"])
            out_headers: dict[str, Any] = {**response["headers"], **response.get("multiValueHeaders", {})}
            payload = response.get("body")
            data = base64.b64decode(payload or "") if response.get("isBase64Encoded") else payload
        except LocalGatewayException as error:
            status, data = gateway_response(GATEWAY_RESPONSES.get(type(error), "DEFAULT_4XX"), error.CODE)
            out_headers = {**error.headers, "Content-Type": "application/json; charset=utf-8"}
        raw = b"" if data is None else data if isinstance(data, bytes) else str(data).encode("utf-8")
        pairs = [("Content-Type", str(out_headers.pop("Content-Type", "application/json")))]
        for name, value in out_headers.items():
            if name.lower() in ("content-length", "content-type"):
                continue
            for v in value if isinstance(value, list) else [value]:
                pairs.append((name, str(v)))
        pairs.append(("Content-Length", str(len(raw))))
        start_response(f"{status} {HTTPStatus(status).phrase}", pairs)
        return [raw]


QUIET = threading.Event()  # set: no warnings from the server itself (the demo prints its own report)
# Requests served at once; the other connections wait their turn, held open. bench_rush on the quiet machine:
# 32 threads gave the same envois/s as 16 with a longer tail (p99 3.8-4.5 s against 1.95-2.43 s).
API_THREADS = 16


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

    The server is waitress: one event loop holds every connection (up to `connection_limit`, with a
    listen backlog of 1,024) and a pool of `API_THREADS` threads runs the requests, so a rush of
    hundreds of simultaneous clients waits in line instead of being refused (chalice's development
    server, a thread per connection behind a backlog of 5, refused connections from 80 on).

    Returns the base URL and a function that stops the server.
    """
    import waitress

    app = _api_app()
    from api.app import configure

    previous = configure(services)
    config = Config.create(
        chalice_stage="dev", app_name="ami-garantie-api", lambda_timeout=30, lambda_memory_size=512
    )
    authorizer = CognitoVerifyingAuthorizer(app, endpoint_url, user_pool_id)
    if QUIET.is_set():
        logging.getLogger("waitress").setLevel(logging.ERROR)
    server: Any = waitress.create_server(
        GatewayApp(app, config, authorizer),
        host="127.0.0.1",
        port=port,
        threads=API_THREADS,
        connection_limit=2000,
        backlog=1024,
        channel_timeout=120,
        asyncore_use_poll=True,  # select() stops at 1,024 descriptors
        ident="ami-local",
    )
    host, bound_port = server.effective_host, server.effective_port
    thread = threading.Thread(target=server.run, name="ami-local-api", daemon=True)
    thread.start()

    def stop() -> None:
        configure(previous)
        server.close()  # closes the listening socket and every channel; the loop then ends
        thread.join(timeout=5)

    return f"http://{host}:{bound_port}", stop
