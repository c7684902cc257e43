"""The plateforme's function in template.yaml: every page of the web app is a route of PlateformeApi
(API Gateway REST routes only what it declares), none has an authorizer (the app checks its own
session cookie), and the pages are served as binary-capable so that PDFs reach the browser intact."""

from __future__ import annotations

import sys
from pathlib import Path

from test_template import props, ref, template

ROOT = Path(__file__).resolve().parents[2]


def web_routes() -> set[tuple[str, str]]:
    sys.path.insert(0, str(ROOT / "functions"))
    try:
        from web.app import app
    finally:
        sys.path.remove(str(ROOT / "functions"))
    return {(method, path) for path, methods in app.routes.items() for method in methods}


def test_every_page_is_a_route_of_the_plateforme_api_and_nothing_else() -> None:
    fn = template()["Resources"]["WebFunction"]
    routes = set()
    for name, ev in props(fn)["Events"].items():
        p = ev["Properties"]
        assert ev["Type"] == "Api" and ref(p["RestApiId"]) == "PlateformeApi", name
        routes.add((p["Method"].upper(), p["Path"]))
    assert routes == web_routes()


def test_the_plateforme_api_has_no_authorizer_and_binary_bodies() -> None:
    api = props(template()["Resources"]["PlateformeApi"])
    assert "Auth" not in api
    assert api["BinaryMediaTypes"] == ["*~1*"]
    associations = [r for r in template()["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    assert any("PlateformeApi" in str(props(a)["ResourceArn"]) for a in associations)
