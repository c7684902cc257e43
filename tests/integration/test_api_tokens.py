"""Tokens: the app client a token was issued to is checked on every request (API Gateway's Cognito
authorizer does not), and the local gateway's refusals have the deployed French JSON shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from ami import bootstrap
from ami.adapters.aws import Aws
from ami.settings import settings
from api import app as api
from chalice.test import Client
from test_api_moto import ENV, PASSWORD, REGION, SIREN_A, _b64, aws, call, client, headers, register  # noqa: F401

from infra.template import load_sam

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")


def claims_token(**claims: Any) -> dict[str, str]:
    base = {"sub": "u", "cognito:username": "u", "email": "a@bailleur-a.fr", "custom:siren": SIREN_A,
            "cognito:groups": ["bailleurs"], "token_use": "id", "email_verified": "true"}
    return headers(f"{_b64({'alg': 'RS256', 'kid': 'x'})}.{_b64({**base, **claims})}.c2ln")


@pytest.mark.parametrize("aud", ["autre-client", "", None])
def test_a_token_of_another_app_client_is_refused(client: Client, aud: str | None) -> None:  # noqa: F811
    register(client)
    ok = call(client, "GET", "/bailleur", h=claims_token(aud="client-web"))
    assert ok.status_code == 200, ok.body
    other = {"aud": aud} if aud is not None else {}
    r = call(client, "GET", "/bailleur", h=claims_token(**other))
    assert r.status_code == 401 and r.json_body["code"] == "non_authentifie"
    assert "délivré pour ce service" in r.json_body["message"]


def test_no_client_configured_trusts_no_token(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    register(client)
    monkeypatch.setenv("USER_POOL_CLIENT_IDS", "")
    api.configure(bootstrap.build(settings(), aws=Aws()))
    assert call(client, "GET", "/bailleur", h=claims_token(aud="client-web")).status_code == 401


# ---------------------------------------------------------------- the local server, with real Cognito tokens


def gateway(kind: str) -> dict[str, Any]:
    spec = load_sam()["Resources"]["AmiApi"]["Properties"]["GatewayResponses"][kind]
    return dict(json.loads(spec["ResponseTemplates"]["application/json"]))


@pytest.fixture
def local_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from moto.server import ThreadedMotoServer

    from infra.localapi import serve_api

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="x",
                           aws_secret_access_key="x")
        pool = idp.create_user_pool(PoolName="ami")["UserPool"]["Id"]
        idp.create_group(UserPoolId=pool, GroupName="instructeurs")
        web, other = (idp.create_user_pool_client(UserPoolId=pool, ClientName=name,
                                                  ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
                      ["UserPoolClient"]["ClientId"] for name in ("web", "autre"))
        idp.admin_create_user(UserPoolId=pool, Username="i@al.fr", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username="i@al.fr", Password=PASSWORD, Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool, Username="i@al.fr", GroupName="instructeurs")

        def id_token(client_id: str) -> str:
            out = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                          AuthParameters={"USERNAME": "i@al.fr", "PASSWORD": PASSWORD})
            return str(out["AuthenticationResult"]["IdToken"])

        for name, value in {**ENV, "COMPLETENESS_QUEUE_URL": "q", "USER_POOL_ID": pool,
                            "USER_POOL_CLIENT_IDS": web}.items():
            monkeypatch.setenv(name, value)
        # only the gateway and the caller checks are under test: an empty store behind them
        empty = type("S", (), {"list_numbered": lambda self: [], "list_summaries": lambda self: [],
                                 "get_bailleurs": lambda self, sirens: {},
                                 "work_entries": lambda self: []})()
        mfa = type("A", (), {"has_mfa": lambda self, username: True})()  # MFA: tests of its own
        base, stop = serve_api(endpoint, pool, bootstrap.build(settings(), aws=Aws(), store=empty, accounts=mfa))
        try:
            yield {"base": base, "web": id_token(web), "other": id_token(other)}
        finally:
            stop()
    finally:
        moto.stop()


def get(base: str, path: str, token: str | None) -> tuple[int, str, Any]:
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status), r.headers.get("Content-Type", ""), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return int(e.code), e.headers.get("Content-Type", ""), json.loads(e.read())


def test_the_local_gateway_refuses_in_the_deployed_french_shape(local_api: dict[str, Any]) -> None:
    status, ctype, body = get(local_api["base"], "/instruction/dossiers", None)
    assert status == 401 and ctype.startswith("application/json")
    assert body == gateway("UNAUTHORIZED")
    assert body["code"] == "non_authentifie" and set(body) == {"code", "message", "details"}
    status, _, body = get(local_api["base"], "/instruction/dossiers", "pas-un-jeton")
    assert status == 401 and body == gateway("UNAUTHORIZED")
    status, _, body = get(local_api["base"], "/route/inconnue", None)
    assert status == 404 and body == gateway("MISSING_AUTHENTICATION_TOKEN")


def test_the_local_api_refuses_a_token_issued_to_another_app_client_of_the_pool(local_api: dict[str, Any]) -> None:
    assert get(local_api["base"], "/instruction/dossiers", local_api["web"])[0] == 200
    status, _, body = get(local_api["base"], "/instruction/dossiers", local_api["other"])
    assert status == 401 and body["code"] == "non_authentifie" and set(body) == {"code", "message", "details"}
