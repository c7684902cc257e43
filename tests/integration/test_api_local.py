"""The HTTP API served locally, with tokens verified as API Gateway's Cognito authorizer does."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import boto3
import jwt
import pytest
import requests
from ami.adapters.dynamodb import Store
from ami.settings import settings
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.client import AmiClient, ApiError
from infra.provision import REGION


def status_of(client: AmiClient, method: str, path: str, body: object = None) -> int:
    try:
        client.call(method, path, body, expect=())
    except ApiError as exc:
        return exc.status
    raise AssertionError("unreachable")


def forged_token(runtime, siren: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pool = runtime.stack.user_pool_id
    now = int(time.time())
    claims = {"sub": "intrus", "email": "intrus@example.org", "custom:siren": siren, "cognito:groups": ["bailleurs"],
              "token_use": "id", "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{pool}", "iat": now,
              "exp": now + 3600, "aud": runtime.stack.user_pool_client_id}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def test_bad_tokens_are_refused_with_401(runtime, register_bailleur):
    bailleur = register_bailleur()
    idp = boto3.session.Session().client("cognito-idp", endpoint_url=runtime.emulation.endpoint, region_name=REGION)
    access = idp.initiate_auth(ClientId=runtime.stack.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": bailleur.email, "PASSWORD": "Essai-AMI-garantie-2026!"},
                               )["AuthenticationResult"]["AccessToken"]
    header, payload, _ = bailleur.token.split(".")
    unsigned = f"{header}.{payload}."
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["custom:siren"] = "552100554"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tampered = f"{header}.{body}.{bailleur.token.split('.')[2]}"
    for token in (None, "", "n-importe-quoi", unsigned, tampered, access, forged_token(runtime, bailleur.siren)):
        assert status_of(AmiClient(runtime.api_url, token), "GET", "/dossiers") == 401, token
    assert status_of(bailleur, "GET", "/dossiers") == 200


def test_roles_are_kept_apart(register_bailleur, instructor, ami):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    assert status_of(bailleur, "GET", "/instruction/dossiers") == 403
    assert status_of(bailleur, "GET", f"/instruction/dossiers/{dossier_id}") == 403
    assert status_of(instructor, "GET", "/dossiers") == 403
    assert status_of(instructor, "POST", "/dossiers", ami.complete_dossier_form()) == 403


def test_another_bailleurs_dossier_does_not_exist(register_bailleur, ami):
    owner, other = register_bailleur(), register_bailleur()
    dossier_id = ami.new_dossier(owner)
    form = ami.complete_dossier_form()
    assert status_of(other, "GET", f"/dossiers/{dossier_id}") == 404
    assert status_of(other, "PUT", f"/dossiers/{dossier_id}", form) == 404
    assert status_of(other, "POST", f"/dossiers/{dossier_id}/pieces/lettre_offre") == 404
    assert status_of(other, "POST", f"/dossiers/{dossier_id}/envoi") == 404
    assert status_of(other, "GET", f"/dossiers/{dossier_id}/historique") == 404
    assert owner.call("GET", f"/dossiers/{dossier_id}")["dossier"]["status"] == "brouillon"


def test_the_presigned_post_is_bound_to_its_key(register_bailleur, ami, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    form = bailleur.call("POST", f"/dossiers/{dossier_id}/pieces/lettre_offre")
    key = ami.key(bailleur, dossier_id, "lettre_offre")
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert {"key": key} in policy["conditions"]
    assert ["content-length-range", 1, form["max_bytes"]] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]

    # moto does not check POST policies: an upload to another key must at least never become a piece.
    elsewhere = f"bailleurs/{bailleur.siren}/{dossier_id}/autre-chose.pdf"
    fields = {**form["fields"], "key": elsewhere}
    data = ami.good_pdf(bailleur, "lettre_offre")
    response = requests.post(form["url"], data=fields, files={"file": ("x.pdf", data, "application/pdf")}, timeout=30)
    settle()
    if response.status_code < 300:
        assert [k.rsplit("/", 1)[0] for k in ami.quarantined_under(elsewhere)] == [elsewhere]
    assert Store(settings()).piece_records(dossier_id) == {}


@pytest.mark.parametrize(("data", "content_type", "code"), [
    (b"Lettre d'offre en texte brut\n", "text/plain", "pas_un_pdf"),
    (b"%PDF-1.7\n" + b"0" * (25 * 1024 * 1024 + 10) + b"\n%%EOF\n", "application/pdf", "trop_volumineux"),
])
def test_intake_refuses_what_the_post_policy_would(data, content_type, code, register_bailleur, ami, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    bailleur.upload(dossier_id, "lettre_offre", data, "offre", content_type=content_type)
    settle()
    records = list(Store(settings()).piece_records(dossier_id).values())
    assert [(r.accepted, r.reason_code) for r in records] == [(False, code)]
    key = ami.key(bailleur, dossier_id, "lettre_offre")
    assert ami.quarantine_tags(f"{key}/{records[0].version_id}") == {"motif": code}


def test_envoi_twice_is_a_conflict_and_history_is_in_order(register_bailleur, ami, upload_good_pieces, settle):
    bailleur = register_bailleur()
    complete = ami.new_dossier(bailleur)
    incomplete = ami.new_dossier(bailleur, drop="adresse")
    upload_good_pieces(bailleur, complete)
    settle()
    accepted = bailleur.call("POST", f"/dossiers/{complete}/envoi")
    assert accepted["envoi"]["complete_when_sent"] is True  # both pieces examined and accepted before
    assert "numéro de dépôt vous sera communiqué" in accepted["message"]
    refused = bailleur.call("POST", f"/dossiers/{incomplete}/envoi")
    assert refused["envoi"]["complete_when_sent"] is False
    assert "en cours de vérification" in refused["message"]
    with pytest.raises(ApiError) as twice:
        bailleur.call("POST", f"/dossiers/{complete}/envoi")
    assert twice.value.status == 409 and twice.value.payload["code"] == "envoi_impossible"
    settle()

    history = bailleur.call("GET", f"/dossiers/{complete}/historique")
    assert [h["action"] for h in history] == ["creation", "envoi", "numerotation"]
    assert [h["to_status"] for h in history] == ["brouillon", "envoyé", "complet"]
    # In time order: the numbering entry belongs to the numbering's chain, not the dossier's (issue 16).
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    history = bailleur.call("GET", f"/dossiers/{incomplete}/historique")
    assert [h["action"] for h in history] == ["creation", "envoi", "incompletude"]
    assert history[-1]["reason"].split("; ")[0] == "formulaire_adresse"
    assert status_of(bailleur, "POST", f"/dossiers/{complete}/envoi") == 409


def test_instructors_read_numbered_dossiers_in_order(register_bailleur, ami, upload_good_pieces, settle, instructor,
                                                    digest):
    first, second = register_bailleur(), register_bailleur()
    ids = [ami.new_dossier(first), ami.new_dossier(second)]
    uploaded = [upload_good_pieces(first, ids[0]), upload_good_pieces(second, ids[1])]
    settle()
    for client, dossier_id in zip((first, second), ids, strict=True):
        client.call("POST", f"/dossiers/{dossier_id}/envoi")
    settle()

    rows = instructor.call("GET", "/instruction/dossiers")
    numbers = [r["deposit_number"] for r in rows]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    ours = [r for r in rows if r["dossier_id"] in ids]
    assert [r["dossier_id"] for r in ours] == ids
    assert ours[1]["deposit_number"] == ours[0]["deposit_number"] + 1
    assert ours[0]["raison_sociale"] == first.raison_sociale and ours[0]["commune_nom"] == "Lyon"

    detail = instructor.call("GET", f"/instruction/dossiers/{ids[1]}")
    assert set(detail["documents"]) == {"lettre_offre", "dossier_presentation"}
    for piece, doc in detail["documents"].items():
        got = requests.get(doc["url"], timeout=30)
        assert got.status_code == 200
        assert hashlib.sha256(got.content).hexdigest() == doc["sha256"] == digest(uploaded[1][piece])
