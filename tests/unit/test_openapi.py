"""openapi.yaml is generated from the code (python -m infra.openapi > openapi.yaml) and must not drift."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra import openapi
from infra.openapi import ROUTES, build, chalice_app

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_is_what_the_code_builds() -> None:
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(committed) == build(), "regenerate: python -m infra.openapi > openapi.yaml"
    assert committed == openapi.render()


def test_every_route_is_documented_and_every_documented_route_exists() -> None:
    routes = {(path, method) for path, methods in chalice_app.routes.items() for method in methods}
    assert routes == set(ROUTES)
    document = build()
    described = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    assert described == routes


def test_security_and_schemas() -> None:
    document = build()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["cognito"]["scheme"] == "bearer"
    public = {("/inscription", "post"), ("/inscription/confirmation", "post"), ("/formes-juridiques", "get"),
              ("/dispositifs", "get")}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert (op["security"] == []) == ((path, method) in public), (path, method)
    schemas = document["components"]["schemas"]
    refs = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"].rsplit("/", 1)[-1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs <= set(schemas)
    loan = schemas["Loan-Output"]["properties"]["montant_eur"]
    assert loan["type"] == "string"  # money leaves as decimal strings
