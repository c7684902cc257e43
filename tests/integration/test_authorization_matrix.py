"""Who may call what: every route of openapi.yaml × every kind of caller, with the status each must get.

A route added to the API (hence to openapi.yaml, see tests/unit/test_openapi.py) fails here until it
has its row. Callers: nobody, bailleur A (owner of the dossiers), bailleur B, an instructor (with MFA),
a token of another app client of the pool, and the expired tokens of bailleur A, bailleur B and the
instructor. The first five go through Chalice's test client (the claims as the authorizer hands them
over); an expired token is the authorizer's business (deployed: API Gateway's; locally:
`infra.localapi`), so that column is tried over HTTP on the local stack, whose gateway verifies the
signature and the expiry. Forged and tampered tokens: test_api_local.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
import yaml
from chalice.test import Client
from moto.utilities.utils import load_resource
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
EXPIRED = "expire"  # the expired token of bailleur A, of bailleur B and of the instructor: one expected status


def row(anonyme: int, autre_client: int, bailleur_b: int, instructeur: int, bailleur_a: int,
        expire: int = 401) -> dict[str, int]:
    """The status each caller gets; an expired token gets 401 wherever a token is required, and what
    nobody gets on a public route (the gateway does not look at the token there)."""
    return dict(zip((*CALLERS, EXPIRED), (anonyme, autre_client, bailleur_b, instructeur, bailleur_a, expire),
                    strict=True))


PUBLIC_422 = row(422, 422, 422, 422, 422, expire=422)  # an empty body, whoever sends it: validation, not identity
OWN = row(401, 401, 200, 403, 200)  # the caller's own things
OWNED = row(401, 401, 404, 403, 200)  # bailleur A's dossier: does not exist for B
STAFF = row(401, 401, 403, 200, 403)

MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("POST", "/inscription"): PUBLIC_422,
    ("POST", "/inscription/confirmation"): PUBLIC_422,
    ("GET", "/formes-juridiques"): row(200, 200, 200, 200, 200, expire=200),
    ("GET", "/dispositifs"): row(200, 200, 200, 200, 200, expire=200),
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
    # The lifecycle: A's brouillon is no dossier for the instructor; for A, accepting a brouillon is a step out
    # of order (409), and it has no documents yet (404).
    ("POST", "/instruction/dossiers/{dossier_id}/fiben"): row(401, 401, 403, 404, 403),
    ("POST", "/instruction/dossiers/{dossier_id}/etapes/{action}"): row(401, 401, 403, 404, 403),
    ("GET", "/instruction/dossiers/{dossier_id}/documents/{kind}"): row(401, 401, 403, 404, 403),
    ("POST", "/dossiers/{dossier_id}/etapes/{action}"): row(401, 401, 404, 403, 409),
    # The signed convention's upload form: the owner's dossier does not await one yet (409, in French).
    ("POST", "/dossiers/{dossier_id}/convention/formulaire"): row(401, 401, 404, 403, 409),
    ("GET", "/dossiers/{dossier_id}/documents/{kind}"): row(401, 401, 404, 403, 404),
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
        ("POST", "/instruction/dossiers/{dossier_id}/fiben"): {"cote": "3", "date_cotation": "2026-01-02"},
        ("POST", "/instruction/dossiers/{dossier_id}/etapes/{action}"): {},
        ("POST", "/dossiers/{dossier_id}/etapes/{action}"): {},
    }
    wrong = []
    envoi = ("POST", "/dossiers/{dossier_id}/envoi")
    for method, template in sorted(MATRIX, key=lambda r: r == envoi):  # the envoi last: it freezes the dossier
        dossier = draft if template.startswith("/instruction/") else sent
        path = (template.replace("{dossier_id}", dossier).replace("{piece}", "lettre_offre")
                .replace("{critere}", "localisation").replace("{kind}", "proposition")
                .replace("{action}", "presenter_ccn" if template.startswith("/instruction/") else "accepter")
                ) + QUERY.get((method, template), "")
        for caller in CALLERS:  # the expired tokens: below, through the gateway that verifies them
            r = call(client, method, path, bodies.get((method, template)), who[caller])
            if r.status_code != MATRIX[(method, template)][caller]:
                wrong.append(f"{method} {template} as {caller}: {r.status_code} (expected "
                             f"{MATRIX[(method, template)][caller]}) {r.body[:120]!r}")
            if r.status_code >= 400:
                assert set(r.json_body) == {"code", "message", "details"}, (method, template, caller)
    assert wrong == []



# ---------------------------------------------------------------- expired tokens, through the verifying gateway

# moto signs the pool's tokens with this key (its JWKS serves the public half): a token re-signed with it
# has a valid signature, and only what we change in its claims can make the gateway refuse it.
MOTO_KEY = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"), algorithm="RS256")


def resigned(token: str, lifetime: int) -> str:
    """`token`'s claims, issued two hours ago and expiring `lifetime` seconds from now, signed with the pool's key."""
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=now - 7200, auth_time=now - 7200, exp=now + lifetime)
    return jwt.encode(claims, MOTO_KEY.key, algorithm="RS256", headers={"kid": jwt.get_unverified_header(token)["kid"]})


def test_an_expired_token_is_refused_on_every_route_in_french(
    ami: Any, register_bailleur: Any, instructor: Any
) -> None:
    from infra.localapi import gateway_response

    owner, other = register_bailleur(), register_bailleur()
    dossier = ami.new_dossier(owner)
    base = ami.runtime.api_url
    # Signed as the pool signs: the same claims with an expiry to come are accepted, so a 401 below is the expiry's.
    assert requests.get(f"{base}/bailleur", headers={"Authorization": f"Bearer {resigned(owner.token, 600)}"},
                        timeout=30).status_code == 200
    assert requests.get(f"{base}/instruction/dossiers", timeout=30,
                        headers={"Authorization": f"Bearer {resigned(instructor.token, 600)}"}).status_code == 200
    expired = {"bailleur_a": resigned(owner.token, -60), "bailleur_b": resigned(other.token, -60),
               "instructeur": resigned(instructor.token, -60)}
    refusal = json.loads(gateway_response("UNAUTHORIZED", 401)[1])
    assert refusal["code"] == "non_authentifie" and "Authentification" in refusal["message"]
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/inscription"): {}, ("POST", "/inscription/confirmation"): {}, ("POST", "/dossiers"): {},
        ("PUT", "/dossiers/{dossier_id}"): {},
        ("PUT", "/instruction/dossiers/{dossier_id}/score/{critere}"): {
            "points": 1, "justification": "Visite du site faite le 3 novembre."},
    }
    wrong = []
    for (method, template), expected in sorted(MATRIX.items()):
        path = (template.replace("{dossier_id}", dossier).replace("{piece}", "lettre_offre")
                .replace("{critere}", "localisation")) + QUERY.get((method, template), "")
        for role, token in expired.items():
            r = requests.request(method, base + path, json=bodies.get((method, template)), timeout=30,
                                 headers={"Authorization": f"Bearer {token}"})
            if r.status_code != expected[EXPIRED]:
                wrong.append(f"{method} {template}, jeton expiré de {role}: {r.status_code} (expected "
                             f"{expected[EXPIRED]}) {r.text[:120]!r}")
            elif r.status_code == 401 and r.json() != refusal:
                wrong.append(f"{method} {template}, jeton expiré de {role}: {r.text[:200]!r}")
    assert wrong == []
    # Nothing an expired token asked for was done: A's dossier is still a brouillon, untouched.
    assert owner.call("GET", f"/dossiers/{dossier}")["dossier"]["status"] == "brouillon"
