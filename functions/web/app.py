"""The plateforme sécurisée: the pages through which a bailleur registers, enters its operations and
loans, deposits its pieces and sends its dossier (cahier des charges §1, §2-A, §5), served by its own
Lambda function behind its own API (template.yaml: WebFunction, PlateformeApi).

Routes live in blueprints (`pages_public`, `pages_bailleur`, `pages_instruction`, `pages_suivi`), each
thin: read the form, call the use case, render a template. This module adds what every answer carries:
the security headers and the cookies the request decided to set.
"""

from __future__ import annotations

from collections.abc import Callable

from ami import tracing
from aws_lambda_powertools import Logger
from chalice import Response
from chalice.app import Request

from web import core, pages_bailleur, pages_equipe, pages_instruction, pages_public, pages_suivi
from web.core import configure, reset_state, security_headers, services

logger = Logger(service="plateforme")
# In Lambda, each request is traced in X-Ray (template.yaml: Tracing: Active), each AWS call a subsegment
# (the Tracer patches boto3); outside Lambda it does nothing.
tracer = tracing.tracer("plateforme")
app = core.app  # what template.yaml's Handler names

__all__ = ["app", "configure", "services"]


@app.middleware("http")
@tracer.capture_method(capture_response=False)
def _headers(event: Request, get_response: Callable[[Request], Response]) -> Response:
    logger.append_keys(route=getattr(event, "path", None))
    tracer.put_annotation("route", str(getattr(event, "path", "")))
    state = reset_state()
    response = get_response(event)
    headers = dict(response.headers)
    for name, value in security_headers(state.upload_origins).items():
        headers.setdefault(name, value)
    if str(headers.get("Content-Type", "")).startswith(("text/html", "application/json", "application/pdf")):
        headers.setdefault("Cache-Control", "no-store")
    if state.set_cookies:
        headers["Set-Cookie"] = list(state.set_cookies.values())
    response.headers = headers
    return response


app.register_blueprint(pages_public.bp)
app.register_blueprint(pages_bailleur.bp)
app.register_blueprint(pages_instruction.bp)
app.register_blueprint(pages_equipe.bp)
app.register_blueprint(pages_suivi.bp)
