"""Who may call what: every route of openapi.yaml × every kind of caller, with the status each must get.

A route added to the API (hence to openapi.yaml, see tests/unit/test_openapi.py) fails here until it
has its row. Callers: nobody, bailleur A (owner of the dossiers), bailleur B, an instructor (with MFA),
and a token of another app client of the pool. Forged, tampered and expired tokens are the gateway's
business: tests/integration/test_api_moto.py::test_local_server_verifies_cognito_id_tokens and
test_api_local.py check them on the local server that verifies signatures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from chalice.test import Client
from test_api_moto import (  # noqa: F401
    BAILLEUR_A,
    BAILLEUR_B,
    INSTRUCTEUR,
    SIREN_A,
    SIREN_B,
    _b64,
    aws,
    call,
    client,
    headers,
    new_dossier,
    register,
)

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")
OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"
CALLERS = ("anonyme", "autre_client", "bailleur_b", "instructeur", "bailleur_a")  # the owner last: envoi


def row(anonyme: int, autre_client: int, bailleur_b: int, instructeur: int, bailleur_a: int) -> dict[str, int]:
    return dict(zip(CALLERS, (anonyme, autre_client, bailleur_b, instructeur, bailleur_a), strict=True))


PUBLIC_422 = row(422, 422, 422, 422, 422)  # an empty body, whoever sends it: validation, not identity
OWN = row(401, 401, 200, 403, 200)  # the caller's own things
OWNED = row(401, 401, 404, 403, 200)  # bailleur A's dossier: does not exist for B
STAFF = row(401, 401, 403, 200, 403)

MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("POST", "/inscription"): PUBLIC_422,
    ("POST", "/inscription/confirmation"): PUBLIC_422,
    ("GET", "/formes-juridiques"): row(200, 200, 200, 200, 200),
    ("GET", "/dispositifs"): row(200, 200, 200, 200, 200),
    ("GET", "/bailleur"): OWN,
    ("GET", "/dossiers"): OWN,
    ("POST", "/dossiers"): row(401, 401, 201, 403, 201),
    ("GET", "/dossiers/{dossier_id}"): OWNED,
    ("PUT", "/dossiers/{dossier_id}"): OWNED,
    ("POST", "/dossiers/{dossier_id}/pieces/{piece}"): OWNED,
    ("GET", "/dossiers/{dossier_id}/historique"): OWNED,
    ("POST", "/dossiers/{dossier_id}/envoi"): row(401, 401, 404, 403, 202),
    ("GET", "/instruction/dossiers"): STAFF,
    ("GET", "/instruction/programmations"): STAFF,
    # A's brouillon: it belongs to A until sent, so it does not exist for the instructor either.
    ("GET", "/instruction/dossiers/{dossier_id}"): row(401, 401, 403, 404, 403),
    ("PUT", "/instruction/dossiers/{dossier_id}/score/{critere}"): row(401, 401, 403, 404, 403),
    ("GET", "/instruction/enveloppe"): STAFF,
    ("GET", "/instruction/registre"): STAFF,
    ("GET", "/instruction/travail"): STAFF,
    ("POST", "/instruction/travail/suivant"): STAFF,  # 200 with nothing to take as well
    # A's brouillon again: not in the work list, and not a dossier for the instructor.
    ("POST", "/instruction/travail/{dossier_id}/prise"): row(401, 401, 403, 404, 403),
    ("POST", "/instruction/travail/{dossier_id}/rendre"): row(401, 401, 403, 404, 403),
}

QUERY = {("GET", "/instruction/registre"): "?ccn=2027-01-15"}


def documented_routes() -> set[tuple[str, str]]:
    document = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}


def test_every_documented_route_has_its_row() -> None:
    assert documented_routes() == set(MATRIX)


def test_each_caller_gets_what_its_row_says(client: Client) -> None:  # noqa: F811
    register(client)
    register(client, SIREN_B, "b@bailleur-b.fr")
    sent = new_dossier(client)  # A's dossier for the bailleur routes (sent by the last row)
    draft = new_dossier(client)  # A's brouillon for the instructor routes
    claims = {"sub": "u-a", "cognito:username": "a@bailleur-a.fr", "email": "a@bailleur-a.fr", "token_use": "id",
              "custom:siren": SIREN_A, "cognito:groups": ["bailleurs"], "email_verified": "true",
              "aud": "client-mobile"}
    other_client = headers(f"{_b64({'alg': 'RS256', 'kid': 'x'})}.{_b64(claims)}.c2ln")
    who: dict[str, dict[str, str]] = {
        "anonyme": headers(), "autre_client": other_client, "bailleur_a": BAILLEUR_A, "bailleur_b": BAILLEUR_B,
        "instructeur": INSTRUCTEUR,
    }
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/inscription"): {}, ("POST", "/inscription/confirmation"): {}, ("POST", "/dossiers"): {},
        ("PUT", "/dossiers/{dossier_id}"): {},
        ("PUT", "/instruction/dossiers/{dossier_id}/score/{critere}"): {
            "points": 1, "justification": "Visite du site faite le 3 novembre."},
    }
    wrong = []
    envoi = ("POST", "/dossiers/{dossier_id}/envoi")
    for method, template in sorted(MATRIX, key=lambda r: r == envoi):  # the envoi last: it freezes the dossier
        dossier = draft if template.startswith("/instruction/") else sent
        path = (template.replace("{dossier_id}", dossier).replace("{piece}", "lettre_offre")
                .replace("{critere}", "localisation")) + QUERY.get((method, template), "")
        for caller in CALLERS:
            r = call(client, method, path, bodies.get((method, template)), who[caller])
            if r.status_code != MATRIX[(method, template)][caller]:
                wrong.append(f"{method} {template} as {caller}: {r.status_code} (expected "
                             f"{MATRIX[(method, template)][caller]}) {r.body[:120]!r}")
            if r.status_code >= 400:
                assert set(r.json_body) == {"code", "message", "details"}, (method, template, caller)
    assert wrong == []

