"""The HTTP API through Chalice's test client, with AWS faked in-process by moto.

Claims reach the app the way API Gateway hands them over: Chalice's local gateway decodes the
(unsigned, here) ID token of the Authorization header into `requestContext.authorizer.claims`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import boto3
import pytest
from ami import bootstrap
from ami.adapters.aws import Aws
from ami.adapters.dynamodb import Store as DynamoStore
from ami.domain.extraction import Check, ExtractedField
from ami.domain.models import DossierStatus, PieceRecord
from ami.domain.notifications import Email
from ami.domain.sequence import DepositCounter, ToNumber
from ami.settings import Settings, settings
from api import app as api
from chalice.test import Client
from moto import mock_aws

from infra.client import totp_code
from infra.sirene_fixture import sirene_fixture

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")

REGION: Final = "eu-west-3"
SIREN_A = "732829320"  # valid Luhn
SIREN_B = "552100554"  # valid Luhn
PASSWORD = "Un-mot-de-passe-solide-42"
ENV = {
    "DOSSIERS_TABLE": "dossiers",
    "COUNTERS_TABLE": "counters",
    "AUDIT_TABLE": "audit",
    "IDEMPOTENCY_TABLE": "idempotency",
    "DEPOSITS_BUCKET": "ami-deposits",
    "QUARANTINE_BUCKET": "ami-quarantine",
    "SCORING_QUEUE_URL": "https://sqs.eu-west-3.amazonaws.com/123456789012/scoring.fifo",
    "NOTIFICATIONS_QUEUE_URL": "https://sqs.eu-west-3.amazonaws.com/123456789012/notifications",
    "INSTRUCTION_QUEUE_URL": "https://sqs.eu-west-3.amazonaws.com/123456789012/instruction.fifo",
    "SENDER_EMAIL": "ami.garantie@example.org",
    "USER_POOL_CLIENT_IDS": "client-web",
}


class RecordingMailer:
    """The emails the API sent (the confirmation codes of inscriptions), in order."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str:
        self.sent.append(email)
        return f"message-{len(self.sent)}"

    def code_for(self, address: str) -> str:
        found = re.search(r"code de confirmation : (\d{6})", [e for e in self.sent if address in e.to][-1].text)
        assert found
        return found.group(1)


def _wire_api(mailer: RecordingMailer) -> bootstrap.Container | None:
    """The API wired to fresh clients (inside moto's mock, from this test's environment), with the
    emulation's Sirene register; returns the wiring it replaces (the shared local stack's, when this
    worker runs one)."""
    return api.configure(bootstrap.build(settings(), aws=Aws(), sirene=sirene_fixture(), mailer=mailer))


def enrol_instructor(idp: Any, pool_id: str, email: str) -> None:
    """An instructor of the pool who signs in with an authenticator app (TOTP MFA enabled)."""
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="ops",
                                            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="instructeurs")
    access = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
                                     )["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    idp.verify_software_token(AccessToken=access, UserCode=totp_code(secret))
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=email,
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})


def _create_tables(ddb: Any) -> None:
    ddb.create_table(
        TableName=ENV["DOSSIERS_TABLE"],
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": t}
            for n, t in [
                ("pk", "S"),
                ("sk", "S"),
                ("siren", "S"),
                ("created_at", "S"),
                ("numbering", "S"),
                ("deposit_number", "N"),
                ("territoire", "S"),
            ]
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByBailleur",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "siren", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
            },
            {
                "IndexName": "ByDepositNumber",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "numbering", "KeyType": "HASH"},
                    {"AttributeName": "deposit_number", "KeyType": "RANGE"},
                ],
            },
            {
                "IndexName": "SummaryByDepositNumber",
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["summary"]},
                "KeySchema": [
                    {"AttributeName": "numbering", "KeyType": "HASH"},
                    {"AttributeName": "deposit_number", "KeyType": "RANGE"},
                ],
            },
            {
                "IndexName": "ByTerritoire",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "territoire", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
            },
        ],
    )
    ddb.create_table(
        TableName=ENV["COUNTERS_TABLE"],
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    ddb.create_table(
        TableName=ENV["AUDIT_TABLE"],
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "dossier_id", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByDossier",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "dossier_id", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
            },
        ],
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    with mock_aws():
        _create_tables(boto3.client("dynamodb", region_name=REGION))
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (ENV["DEPOSITS_BUCKET"], ENV["QUARANTINE_BUCKET"]):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION},
                             ObjectLockEnabledForBucket=bucket == ENV["DEPOSITS_BUCKET"])
        s3.put_bucket_versioning(Bucket=ENV["DEPOSITS_BUCKET"], VersioningConfiguration={"Status": "Enabled"})
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="completeness.fifo", Attributes={"FifoQueue": "true"})[
            "QueueUrl"
        ]
        idp = boto3.client("cognito-idp", region_name=REGION)
        pool_id = idp.create_user_pool(
            PoolName="ami",
            UsernameAttributes=["email"],
            Schema=[{"Name": "siren", "AttributeDataType": "String", "Mutable": False}],
        )["UserPool"]["Id"]
        for group in ("bailleurs", "instructeurs"):
            idp.create_group(UserPoolId=pool_id, GroupName=group)
        enrol_instructor(idp, pool_id, INSTRUCTOR_EMAIL)
        env = {**ENV, "COMPLETENESS_QUEUE_URL": queue_url, "USER_POOL_ID": pool_id}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        mailer = RecordingMailer()
        previous = _wire_api(mailer)
        try:
            yield {"s3": s3, "sqs": sqs, "idp": idp, "queue_url": queue_url, "pool_id": pool_id, "mailer": mailer}
        finally:
            api.configure(previous)


@pytest.fixture
def client(aws: dict[str, Any]) -> Client:
    return Client(api.app, project_dir=str(FUNCTIONS / "api"))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def token(groups: list[str], siren: str | None = None, email: str = "contact@bailleur.fr") -> str:
    claims: dict[str, Any] = {
        "sub": "u-" + email,
        "cognito:username": email,
        "email": email,
        "cognito:groups": groups,
        "token_use": "id",
        "aud": "client-web",
        "email_verified": True,
    }
    if siren:
        claims["custom:siren"] = siren
    return f"{_b64({'alg': 'RS256', 'kid': 'x'})}.{_b64(claims)}.c2lnbmF0dXJl"


def headers(tok: str | None = None) -> dict[str, str]:
    h = {"Content-Type": "application/json"}
    if tok:
        h["Authorization"] = tok
    return h


BAILLEUR_A = headers(token(["bailleurs"], SIREN_A, "a@bailleur-a.fr"))
BAILLEUR_B = headers(token(["bailleurs"], SIREN_B, "b@bailleur-b.fr"))
INSTRUCTOR_EMAIL = "instructeur@actionlogement.fr"
INSTRUCTEUR = headers(token(["instructeurs"], email=INSTRUCTOR_EMAIL))


def call(
    client: Client,
    method: str,
    path: str,
    body: Any = None,
    h: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Any:
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return client.http.request(method, path, headers=h or headers(), body=payload)


def registration(siren: Any = SIREN_A, email: str = "a@bailleur-a.fr", **extra: Any) -> dict[str, Any]:
    return {
        "raison_sociale": "Habitat Exemple",
        "siren": siren,
        "forme_juridique": "sa_hlm",
        "adresse": "1 rue de la Paix, 75002 Paris",
        "email_contact": email,
        "mot_de_passe": PASSWORD,
        **extra,
    }


FORM = {
    "operation": {
        "nom": "Les Tilleuls",
        "commune_insee": "75056",
        "adresse": "3 rue des Tilleuls, 75011 Paris",
        "logements": {"t2": 10, "t3": 5},
        "surface_habitable_m2": "900.50",
        "surface_utile_m2": "950",
        "loyer_mensuel_total_eur": "15000.00",
        "date_debut_travaux": "2025-03-01",
    },
    "prets": [
        {"kind": "foncier", "montant_eur": "1000000.10", "duree_mois": 600, "marge_pct": "0.60"},
        {"kind": "bati", "montant_eur": 2500000, "duree_mois": 480, "marge_pct": 0.6},
    ],
}


def register(client: Client, siren: str = SIREN_A, email: str = "a@bailleur-a.fr") -> None:
    """The form, then the code the API sent to the address."""
    r = call(client, "POST", "/inscription", registration(siren, email))
    assert r.status_code == 202, r.body
    confirm(client, email)


def confirm(client: Client, email: str, code: str | None = None) -> Any:
    mailer = api.services().mailer
    assert isinstance(mailer, RecordingMailer)
    r = call(client, "POST", "/inscription/confirmation",
             {"email_contact": email, "code": code or mailer.code_for(email)})
    if code is None:
        assert r.status_code == 201, r.body
    return r


def new_dossier(client: Client, h: dict[str, str] = BAILLEUR_A, form: Any = FORM) -> str:
    r = call(client, "POST", "/dossiers", form, h)
    assert r.status_code == 201, r.body
    return str(r.json_body["dossier_id"])


# ---------------------------------------------------------------- registration


def test_registration_creates_the_account_and_the_profile_once_the_address_is_confirmed(
    client: Client, aws: dict[str, Any]
) -> None:
    r = call(client, "POST", "/inscription", registration())
    assert r.status_code == 202, r.body
    assert r.json_body["email_contact"] == "a@bailleur-a.fr" and "code de confirmation" in r.json_body["message"]
    assert PASSWORD not in r.body.decode()
    user = aws["idp"].admin_get_user(UserPoolId=aws["pool_id"], Username="a@bailleur-a.fr")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["custom:siren"] == SIREN_A and attrs["email_verified"] == "false"
    groups = aws["idp"].admin_list_groups_for_user(UserPoolId=aws["pool_id"], Username="a@bailleur-a.fr")
    assert groups["Groups"] == []
    assert call(client, "GET", "/bailleur", h=BAILLEUR_A).status_code == 404  # no profile yet

    r = confirm(client, "a@bailleur-a.fr")
    assert r.json_body["siren"] == SIREN_A and "mot_de_passe" not in r.json_body
    user = aws["idp"].admin_get_user(UserPoolId=aws["pool_id"], Username="a@bailleur-a.fr")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"
    assert user["UserStatus"] == "CONFIRMED"
    groups = aws["idp"].admin_list_groups_for_user(UserPoolId=aws["pool_id"], Username="a@bailleur-a.fr")
    assert [g["GroupName"] for g in groups["Groups"]] == ["bailleurs"]
    me = call(client, "GET", "/bailleur", h=BAILLEUR_A)
    assert me.status_code == 200 and me.json_body["raison_sociale"] == "Habitat Exemple"


def test_registration_refuses_a_siren_with_a_bad_luhn_key(client: Client) -> None:
    r = call(client, "POST", "/inscription", registration(siren="732829321"))
    assert r.status_code == 422
    assert r.json_body["code"] == "identification_invalide"
    assert [e["champ"] for e in r.json_body["details"]] == ["siren"]


def test_registration_refuses_an_ineligible_legal_form(client: Client) -> None:
    r = call(client, "POST", "/inscription", registration(forme_juridique="sarl"))
    assert r.status_code == 422
    (detail,) = r.json_body["details"]
    assert detail["champ"] == "forme_juridique"
    assert "sa_hlm" in [f["code"] for f in detail["formes_eligibles"]]


def test_registration_refuses_a_duplicate_siren(client: Client, aws: dict[str, Any]) -> None:
    register(client)
    r = call(client, "POST", "/inscription", registration(email="autre@bailleur-a.fr"))
    assert r.status_code == 409 and r.json_body["code"] == "bailleur_existant"
    users = aws["idp"].list_users(UserPoolId=aws["pool_id"])["Users"]
    emails = {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"}
    assert emails == {"a@bailleur-a.fr", INSTRUCTOR_EMAIL}


def test_registration_refuses_an_existing_account(client: Client) -> None:
    register(client)
    r = call(client, "POST", "/inscription", registration(siren=SIREN_B))
    assert r.status_code == 409 and r.json_body["code"] == "compte_existant"


def test_public_legal_forms(client: Client) -> None:
    r = call(client, "GET", "/formes-juridiques")
    assert r.status_code == 200
    oph = next(f for f in r.json_body if f["code"] == "oph")
    assert oph["libelle"] == "Office public de l'habitat (art. L.421-1 du CCH)"
    assert oph["categories_juridiques"] == ["4140", "7371"]


# ---------------------------------------------------------------- dossiers


def test_create_edit_and_read_a_dossier(client: Client) -> None:
    register(client)
    dossier_id = new_dossier(client, form={})
    r = call(client, "GET", f"/dossiers/{dossier_id}", h=BAILLEUR_A)
    assert r.status_code == 200
    assert r.json_body["dossier"]["status"] == "brouillon"
    assert r.json_body["pieces"] == []
    assert "formulaire_prets" in [c["code"] for c in r.json_body["checks"]]
    assert r.json_body["constats"] == []  # the pieces' checks, shown before the envoi (none without pieces)

    r = call(client, "PUT", f"/dossiers/{dossier_id}", FORM, BAILLEUR_A)
    assert r.status_code == 200, r.body
    assert r.json_body["version"] == 1
    loans = r.json_body["form"]["prets"]
    assert [p["montant_eur"] for p in loans] == ["1000000.10", "2500000"]

    r = call(client, "GET", f"/dossiers/{dossier_id}", h=BAILLEUR_A)
    assert r.json_body["dossier"]["form"]["operation"]["nom"] == "Les Tilleuls"
    assert r.json_body["checks"] == []
    listing = call(client, "GET", "/dossiers", h=BAILLEUR_A)
    assert [d["dossier_id"] for d in listing.json_body] == [dossier_id]
    assert call(client, "GET", "/dossiers", h=BAILLEUR_B).json_body == []


def test_the_bailleur_sees_the_pieces_checks_before_the_envoi(client: Client) -> None:
    register(client)
    dossier_id = new_dossier(client)
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    other = Check(code="autre_bailleur", severity="bloquant", page=1,
                  message_fr="La lettre d'offre est adressée au SIREN 552100554, pas à celui du bailleur du dossier.")
    read = [ExtractedField(name=f"prets[{i}].montant_eur", value=value, page=2, source=value, confidence=0.95)
            for i, value in enumerate(("1000000.10", "2400000"))]
    api.services().store.record_piece(dossier_id, PieceRecord(
        piece="lettre_offre", key=f"bailleurs/{SIREN_A}/{dossier_id}/lettre_offre.pdf", version_id="v1", size=10,
        sha256="0" * 64, accepted=True, received_at=now, checked_at=now, checks=[other], fields=read))
    r = call(client, "GET", f"/dossiers/{dossier_id}", h=BAILLEUR_A)
    assert r.status_code == 200, r.body
    said = {c["code"]: c for c in r.json_body["constats"]}
    assert said["autre_bailleur"]["severity"] == "bloquant"  # the piece's own check
    assert said["ecart_montant"]["severity"] == "attention"  # the letter against the form
    assert "2\u202f400\u202f000,00\xa0€" in said["ecart_montant"]["message_fr"]


def test_unregistered_bailleur_cannot_create_a_dossier(client: Client) -> None:
    r = call(client, "POST", "/dossiers", {}, BAILLEUR_A)
    assert r.status_code == 403 and r.json_body["code"] == "bailleur_non_inscrit"
    assert call(client, "GET", "/bailleur", h=BAILLEUR_A).status_code == 404


def test_unknown_commune_is_refused(client: Client) -> None:
    register(client)
    r = call(client, "POST", "/dossiers", {"operation": {"commune_insee": "99999"}}, BAILLEUR_A)
    assert r.status_code == 422 and r.json_body["code"] == "commune_inconnue"


def test_another_bailleurs_dossier_does_not_exist(client: Client) -> None:
    register(client)
    register(client, SIREN_B, "b@bailleur-b.fr")
    dossier_id = new_dossier(client)
    for method, path, body in [
        ("GET", f"/dossiers/{dossier_id}", None),
        ("PUT", f"/dossiers/{dossier_id}", FORM),
        ("POST", f"/dossiers/{dossier_id}/pieces/lettre_offre", None),
        ("POST", f"/dossiers/{dossier_id}/envoi", None),
        ("GET", f"/dossiers/{dossier_id}/historique", None),
    ]:
        r = call(client, method, path, body, BAILLEUR_B)
        assert r.status_code == 404, (method, path, r.body)
        assert r.json_body["code"] == "dossier_introuvable"
    missing = call(client, "GET", "/dossiers/" + "0" * 32, h=BAILLEUR_A)
    assert missing.status_code == 404 and missing.json_body["code"] == "dossier_introuvable"


def test_roles_and_authentication(client: Client) -> None:
    assert call(client, "GET", "/instruction/dossiers", h=BAILLEUR_A).status_code == 403
    assert call(client, "GET", "/instruction/dossiers/" + "0" * 32, h=BAILLEUR_A).status_code == 403
    r = call(client, "GET", "/dossiers", h=INSTRUCTEUR)
    assert r.status_code == 403 and r.json_body["code"] == "acces_refuse"
    r = call(client, "GET", "/dossiers")
    assert r.status_code == 401 and r.json_body["code"] == "non_authentifie"
    no_siren = headers(token(["bailleurs"]))
    assert call(client, "GET", "/dossiers", h=no_siren).status_code == 403


@pytest.mark.parametrize("groups", [["bailleurs"], "bailleurs,autre", "[autre bailleurs]"])
def test_groups_in_every_shape_api_gateway_uses(client: Client, groups: Any) -> None:
    claims = {"cognito:username": "x", "email": "a@b.fr", "custom:siren": SIREN_A, "cognito:groups": groups,
              "aud": "client-web", "email_verified": "true"}
    tok = f"{_b64({'alg': 'none'})}.{_b64(claims)}.x"
    assert call(client, "GET", "/dossiers", h=headers(tok)).status_code == 200


# ---------------------------------------------------------------- bad input never gives a 500


def test_bad_input(client: Client) -> None:
    register(client)
    r = call(client, "POST", "/dossiers", {"operation": {}, "surprise": 1}, BAILLEUR_A)
    assert r.status_code == 422 and r.json_body["code"] == "donnees_invalides"
    assert r.json_body["details"][0]["loc"] == ["surprise"]
    assert "input" not in r.json_body["details"][0]

    r = call(client, "POST", "/dossiers", raw=b'{"operation": ', h=BAILLEUR_A)
    assert r.status_code == 400 and r.json_body["code"] == "json_invalide"
    r = call(client, "POST", "/dossiers", raw=b"[1, 2]", h=BAILLEUR_A)
    assert r.status_code == 400 and r.json_body["code"] == "json_invalide"
    r = call(client, "POST", "/dossiers", raw=b'{"prets": NaN}', h=BAILLEUR_A)
    assert r.status_code == 400

    big = json.dumps({"operation": {"nom": "x" * (300 * 1024)}}).encode()
    r = call(client, "POST", "/dossiers", raw=big, h=BAILLEUR_A)
    assert r.status_code == 413 and r.json_body["code"] == "corps_trop_volumineux"

    r = call(
        client,
        "POST",
        "/dossiers",
        {"prets": [{"kind": "foncier", "montant_eur": "beaucoup", "duree_mois": "long", "marge_pct": 1}]},
        BAILLEUR_A,
    )
    assert r.status_code == 422
    locs = [tuple(e["loc"]) for e in r.json_body["details"]]
    assert ("prets", 0, "montant_eur") in locs and ("prets", 0, "duree_mois") in locs
    assert "beaucoup" not in r.body.decode()

    r = call(client, "POST", "/inscription", registration(siren=12), headers())
    assert r.status_code == 422 and r.json_body["details"][0]["loc"] == ["siren"]
    assert PASSWORD not in r.body.decode()


def test_chalice_errors_keep_their_status_in_our_shape(client: Client) -> None:
    r = call(client, "DELETE", "/dossiers", h=BAILLEUR_A)
    assert r.status_code == 405 and r.json_body["code"] == "methode_non_autorisee"
    r = client.http.request(
        "POST", "/dossiers", headers={**BAILLEUR_A, "Content-Type": "text/plain"}, body=b"{}"
    )
    assert r.status_code == 415 and r.json_body["code"] == "type_contenu_non_supporte"
    assert set(r.json_body) == {"code", "message", "details"}


def test_unexpected_errors_are_500_without_details(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> None:
        raise RuntimeError("secret interne")

    monkeypatch.setattr(DynamoStore, "list_dossiers", boom)
    r = call(client, "GET", "/dossiers", h=BAILLEUR_A)
    assert r.status_code == 500 and r.json_body["code"] == "erreur_interne"
    assert "secret" not in r.body.decode()


# ---------------------------------------------------------------- pieces and envoi


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


def test_presigned_upload_form(client: Client) -> None:
    register(client)
    dossier_id = new_dossier(client)
    r = call(client, "POST", f"/dossiers/{dossier_id}/pieces/lettre_offre", h=BAILLEUR_A)
    assert r.status_code == 200, r.body
    out = r.json_body
    assert out["key"] == f"bailleurs/{SIREN_A}/{dossier_id}/lettre_offre.pdf"
    assert out["fields"]["key"] == out["key"]
    assert out["content_type"] == "application/pdf" and out["max_bytes"] == 26_214_400
    conditions = _policy(out["fields"])["conditions"]
    assert ["content-length-range", 1, 26_214_400] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert {"key": out["key"]} in conditions
    r = call(client, "POST", f"/dossiers/{dossier_id}/pieces/rib", h=BAILLEUR_A)
    assert r.status_code == 404 and r.json_body["code"] == "piece_inconnue"


def test_envoi_records_the_deposited_versions_and_asks_for_completeness(
    client: Client, aws: dict[str, Any]
) -> None:
    import hashlib

    register(client)
    dossier_id = new_dossier(client)
    key = f"bailleurs/{SIREN_A}/{dossier_id}/lettre_offre.pdf"
    aws["s3"].put_object(Bucket=ENV["DEPOSITS_BUCKET"], Key=key, Body=b"%PDF-1.4 v1")
    second = aws["s3"].put_object(Bucket=ENV["DEPOSITS_BUCKET"], Key=key, Body=b"%PDF-1.4 v2")

    r = call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A)
    assert r.status_code == 202, r.body
    body = r.json_body
    assert body["status"] == "envoyé" and "définitif" in body["message"]
    piece = body["envoi"]["pieces"]["lettre_offre"]
    assert piece["version_id"] == second["VersionId"]
    assert piece["sha256"] == hashlib.sha256(b"%PDF-1.4 v2").hexdigest()
    assert "dossier_presentation" not in body["envoi"]["pieces"]

    msgs = aws["sqs"].receive_message(
        QueueUrl=aws["queue_url"], AttributeNames=["All"], MaxNumberOfMessages=10
    )["Messages"]
    assert [json.loads(m["Body"]) for m in msgs] == [
        {"dossier_id": dossier_id, "cause": "envoi", "complete_when_sent": False}  # no piece examined yet
    ]
    assert msgs[0]["Attributes"]["MessageGroupId"] == dossier_id

    again = call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A)
    assert again.status_code == 409 and again.json_body["code"] == "envoi_impossible"
    edit = call(client, "PUT", f"/dossiers/{dossier_id}", FORM, BAILLEUR_A)
    assert edit.status_code == 409 and edit.json_body["code"] == "dossier_non_modifiable"
    upload = call(client, "POST", f"/dossiers/{dossier_id}/pieces/lettre_offre", h=BAILLEUR_A)
    assert upload.status_code == 409

    call(client, "PUT", f"/dossiers/{new_dossier(client)}", FORM, BAILLEUR_A)
    history = call(client, "GET", f"/dossiers/{dossier_id}/historique", h=BAILLEUR_A)
    assert history.status_code == 200
    assert [(h["action"], h["to_status"]) for h in history.json_body] == [
        ("creation", "brouillon"),
        ("envoi", "envoyé"),
    ]


def test_history_lists_creation_modification_and_envoi(client: Client) -> None:
    register(client)
    dossier_id = new_dossier(client, form={})
    call(client, "PUT", f"/dossiers/{dossier_id}", FORM, BAILLEUR_A)
    call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A)
    history = call(client, "GET", f"/dossiers/{dossier_id}/historique", h=BAILLEUR_A).json_body
    assert [h["action"] for h in history] == ["creation", "modification", "envoi"]
    assert history[0]["actor"] == "bailleur"  # a role: the history shows no person


# ---------------------------------------------------------------- instruction


def test_instruction_lists_numbered_dossiers_and_links_the_deposit(
    client: Client, aws: dict[str, Any]
) -> None:
    register(client)
    first, second = new_dossier(client), new_dossier(client)
    for dossier_id in (first, second):
        key = f"bailleurs/{SIREN_A}/{dossier_id}/dossier_presentation.pdf"
        aws["s3"].put_object(Bucket=ENV["DEPOSITS_BUCKET"], Key=key, Body=b"%PDF " + dossier_id.encode())
    for dossier_id in (second, first):
        assert call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A).status_code == 202
    store = api.services().store
    for number, pending in enumerate(store.pending_envois(), start=1):
        dossier = store.get_dossier(pending.dossier_id)
        assert dossier is not None
        before = store.counter()
        after = DepositCounter(number, before.principal + dossier.loan_total, False)
        store.conclude_numbered_batch(before, after, [ToNumber(pending, dossier, DossierStatus.COMPLET, [])])

    rows = call(client, "GET", "/instruction/dossiers", h=INSTRUCTEUR)
    assert rows.status_code == 200, rows.body
    assert [(r["deposit_number"], r["dossier_id"]) for r in rows.json_body] == [(1, second), (2, first)]
    row = rows.json_body[0]
    assert row["loan_total_eur"] == "3500000.10" and row["raison_sociale"] == "Habitat Exemple"
    assert row["status"] == "complet" and row["commune_nom"] and row["logements"] == 15

    r = call(client, "GET", f"/instruction/dossiers/{first}", h=INSTRUCTEUR)
    assert r.status_code == 200, r.body
    doc = r.json_body["documents"]["dossier_presentation"]
    assert doc["url"].startswith("https://") and doc["version_id"] in doc["url"]
    assert r.json_body["bailleur"]["siren"] == SIREN_A and r.json_body["checks"] == []
    missing = call(client, "GET", "/instruction/dossiers/" + "f" * 32, h=INSTRUCTEUR)
    assert missing.status_code == 404


# ---------------------------------------------------------------- the local server's verifying authorizer


def test_local_server_verifies_cognito_id_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error
    import urllib.request

    from moto.server import ThreadedMotoServer

    from infra.localapi import serve_api

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        idp = boto3.client(
            "cognito-idp",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        pool = idp.create_user_pool(PoolName="ami")["UserPool"]["Id"]
        idp.create_group(UserPoolId=pool, GroupName="instructeurs")
        app_client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        )
        client_id = app_client["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool, Username="i@al.fr", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username="i@al.fr", Password=PASSWORD, Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool, Username="i@al.fr", GroupName="instructeurs")
        tokens = idp.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "i@al.fr", "PASSWORD": PASSWORD},
        )
        id_token = tokens["AuthenticationResult"]["IdToken"]
        access_token = tokens["AuthenticationResult"]["AccessToken"]

        # the instructor's route answers 200 or a store error; only the authorizer is under test here
        empty = type("S", (), {"list_numbered": lambda self: [], "list_summaries": lambda self: [],
                                 "get_bailleurs": lambda self, sirens: {},
                                 "work_entries": lambda self: []})()
        wired = Settings.model_validate({**ENV, "COMPLETENESS_QUEUE_URL": "-", "USER_POOL_ID": pool,
                                         "USER_POOL_CLIENT_IDS": client_id})
        mfa = type("A", (), {"has_mfa": lambda self, username: True})()  # MFA: tests of its own
        base, stop = serve_api(endpoint, pool, bootstrap.build(wired, aws=Aws(), store=empty, accounts=mfa))
        try:

            def status(auth: str | None) -> int:
                req = urllib.request.Request(
                    base + "/instruction/dossiers", headers={"Authorization": auth} if auth else {}
                )
                try:
                    with urllib.request.urlopen(req, timeout=10) as r:
                        return int(r.status)
                except urllib.error.HTTPError as e:
                    return int(e.code)

            forged = token(["instructeurs"], email="i@al.fr")
            tampered = ".".join([id_token.split(".")[0], forged.split(".")[1], id_token.split(".")[2]])
            assert status(f"Bearer {id_token}") == 200
            assert status(id_token) == 200
            assert status(None) == 401
            assert status(forged) == 401
            assert status(tampered) == 401
            assert status(access_token) == 401
        finally:
            stop()
    finally:
        moto.stop()
