"""HTTP API of AMI garantie (API Gateway REST + Cognito authorizer, one Lambda), with Chalice.

Routes live in blueprints (`routes_public`, `routes_bailleur`, `routes_instruction`, `routes_lifecycle`), each thin:
parse the body with the domain models, check who is calling (`auth`), call a use case or the
store, answer JSON. Every error leaves through `errors.error_response`, the one place where
exceptions become `{"code", "message", "details"}` answers.
"""

from __future__ import annotations

from collections.abc import Callable

from ami import tracing
from aws_lambda_powertools import Logger
from chalice import Response
from chalice.app import Request

from api import core, routes_bailleur, routes_instruction, routes_lifecycle, routes_public
from api.core import configure, services
from api.errors import http_guard

logger = Logger(service="api")
# In Lambda, each request is traced in X-Ray (template.yaml: Tracing: Active), each AWS call a subsegment
# (the Tracer patches boto3); outside Lambda it does nothing.
tracer = tracing.tracer("api")
app = core.app  # what template.yaml's Handler names

__all__ = ["app", "configure", "services"]


@app.middleware("http")
@tracer.capture_method(capture_response=False)
def _guard(event: Request, get_response: Callable[[Request], Response]) -> Response:
    logger.append_keys(route=getattr(event, "path", None))
    tracer.put_annotation("route", str(getattr(event, "path", "")))
    return http_guard(event, get_response)


app.register_blueprint(routes_public.bp)
app.register_blueprint(routes_bailleur.bp)
app.register_blueprint(routes_instruction.bp)
app.register_blueprint(routes_lifecycle.bp)
