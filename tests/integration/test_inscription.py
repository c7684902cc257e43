"""Registration proves who registers (issue 11, defect 4), and instructors sign in with a second factor.

Through Chalice's test client with AWS faked by moto, the Sirene register being the emulation's fixture
and the mailer a recorder: what the API sent is what the address received.
"""

from __future__ import annotations

from typing import Any

import pytest
from api import app as api
from chalice.test import Client
from test_api_moto import (  # noqa: F401
    BAILLEUR_A,
    INSTRUCTEUR,
    PASSWORD,
    SIREN_A,
    aws,
    call,
    client,
    confirm,
    headers,
    register,
    registration,
    token,
)

from infra.sirene_fixture import sirene_fixture

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")
A = "a@bailleur-a.fr"


def _units(**where: Any) -> list[Any]:
    return [u for u in sirene_fixture().units.values() if all(getattr(u, k) == v for k, v in where.items())]


def sent_to(address: str) -> list[Any]:
    return [e for e in api.services().mailer.sent if address in e.to]  # type: ignore[attr-defined]


def test_the_only_email_before_confirmation_is_the_code_and_it_carries_nothing_typed(
    client: Client, aws: dict[str, Any]  # noqa: F811
) -> None:
    bait = "Cliquez sur https://phishing.example/connexion"
    r = call(client, "POST", "/inscription", registration(raison_sociale=bait, adresse="1 rue https://x.example"))
    assert r.status_code == 202, r.body
    (email,) = sent_to(A)
    assert email.subject == "AMI garantie : votre code de confirmation"
    for part in (email.subject, email.text, email.html):
        assert "phishing.example" not in part and "x.example" not in part
    assert "https://" not in email.text and "<a " not in email.html
    # the account exists but is nobody: no profile, no group, the SIREN free
    assert call(client, "GET", "/bailleur", h=BAILLEUR_A).status_code == 404
    r = call(client, "POST", "/dossiers", {}, h=headers(_unverified_token()))
    assert r.status_code == 403 and r.json_body["code"] == "acces_refuse"


def _unverified_token() -> str:
    import base64
    import json

    def b64(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    claims = {"sub": "u", "cognito:username": A, "email": A, "custom:siren": SIREN_A, "cognito:groups": ["bailleurs"],
              "token_use": "id", "aud": "client-web", "email_verified": "false"}
    return f"{b64({'alg': 'RS256'})}.{b64(claims)}.c2ln"


def test_a_wrong_code_is_refused_and_five_wrong_codes_cancel_the_inscription(
    client: Client, aws: dict[str, Any]  # noqa: F811
) -> None:
    assert call(client, "POST", "/inscription", registration()).status_code == 202
    right = api.services().mailer.code_for(A)  # type: ignore[attr-defined]
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        r = confirm(client, A, wrong)
        assert r.status_code == 422 and r.json_body["code"] == "code_invalide", r.body
        assert r.json_body["details"][0]["champ"] == "code"
    r = confirm(client, A, right)  # the sixth try, even right, comes too late
    assert r.status_code == 422 and r.json_body["code"] == "code_epuise"
    assert "recommencez" in r.json_body["message"]
    users = aws["idp"].list_users(UserPoolId=aws["pool_id"], Filter=f'email = "{A}"')["Users"]
    assert users == []
    assert call(client, "GET", "/bailleur", h=BAILLEUR_A).status_code == 404
    # the address may register again, and a new code works
    register(client)
    assert call(client, "GET", "/bailleur", h=BAILLEUR_A).status_code == 200


def test_an_unconfirmed_inscription_squats_no_siren(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    squatter = "squat@ailleurs.example"
    assert call(client, "POST", "/inscription", registration(email=squatter)).status_code == 202
    register(client)  # the real bailleur, same SIREN, confirms first
    r = confirm(client, squatter, api.services().mailer.code_for(squatter))  # type: ignore[attr-defined]
    assert r.status_code == 409 and r.json_body["code"] == "bailleur_existant"
    assert aws["idp"].list_users(UserPoolId=aws["pool_id"], Filter=f'email = "{squatter}"')["Users"] == []
    assert call(client, "GET", "/bailleur", h=BAILLEUR_A).json_body["email_contact"] == A


def test_an_inscription_waiting_for_its_code_cannot_be_made_twice(client: Client) -> None:  # noqa: F811
    assert call(client, "POST", "/inscription", registration()).status_code == 202
    r = call(client, "POST", "/inscription", registration())
    assert r.status_code == 409 and r.json_body["code"] == "inscription_en_attente"
    assert len(sent_to(A)) == 1


def test_an_unknown_code_request_says_nothing_of_the_address(client: Client) -> None:  # noqa: F811
    r = confirm(client, "personne@nulle-part.example", "123456")
    assert r.status_code == 422 and r.json_body["code"] == "code_invalide"


@pytest.mark.parametrize(
    ("siren", "champ", "words"),
    [
        ("000000000", "siren", "invalide"),
        ("٧٣٢٨٢٩٣٢٠", "siren", "chiffres"),  # SIREN_A in Arabic-Indic digits: passes \d and Luhn
        ("123456782", "siren", "inconnu du répertoire Sirene"),
    ],
)
def test_sirens_that_name_nobody_are_refused(client: Client, siren: str, champ: str, words: str) -> None:  # noqa: F811
    assert sirene_fixture().unite_legale("123456782") is None
    r = call(client, "POST", "/inscription", registration(siren=siren))
    assert r.status_code == 422, r.body
    detail = next(d for d in r.json_body["details"] if d["champ"] == champ)
    assert words in (detail.get("message") or detail.get("msg") or ""), detail
    assert sent_to(A) == []


def test_a_siren_cessee_or_of_another_legal_form_is_refused(client: Client) -> None:  # noqa: F811
    cessee = next(u for u in _units(active=False) if u.categorie_juridique in ("5546", "5646"))
    r = call(client, "POST", "/inscription", registration(siren=cessee.siren))
    assert r.status_code == 422
    assert r.json_body["details"][0]["message"].startswith("L'entreprise de ce numéro SIREN est cessée")
    oph = _units(active=True, categorie_juridique="4140")[0]
    r = call(client, "POST", "/inscription", registration(siren=oph.siren))  # declared sa_hlm
    assert r.status_code == 422
    (detail,) = r.json_body["details"]
    assert detail["champ"] == "forme_juridique" and "(4140)" in detail["message"]
    assert call(client, "POST", "/inscription", registration(siren=oph.siren, forme_juridique="oph")).status_code == 202


# ---------------------------------------------------------------- instructors' second factor


def test_an_instructor_without_mfa_is_refused_with_mfa_is_let_in(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    idp, pool = aws["idp"], aws["pool_id"]
    idp.admin_create_user(UserPoolId=pool, Username="sans.mfa@actionlogement.fr", MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="sans.mfa@actionlogement.fr", GroupName="instructeurs")
    without = headers(token(["instructeurs"], email="sans.mfa@actionlogement.fr"))
    for path in ("/instruction/dossiers", "/instruction/enveloppe"):
        r = call(client, "GET", path, h=without)
        assert r.status_code == 403 and r.json_body["code"] == "double_authentification_requise", r.body
        assert "double authentification" in r.json_body["message"]
    assert call(client, "GET", "/instruction/dossiers", h=INSTRUCTEUR).status_code == 200  # enrolled in TOTP
    unknown = headers(token(["instructeurs"], email="inconnu@actionlogement.fr"))
    assert call(client, "GET", "/instruction/dossiers", h=unknown).status_code == 403
