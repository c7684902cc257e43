"""A small client of the AMI API, as a bailleur's or an instructor's software would use it:
Cognito login, JSON calls, and uploads straight to S3 with the presigned POST."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import requests

from infra.provision import REGION


class ApiError(Exception):
    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(f"{status} {payload.get('code')}: {payload.get('message')}")
        self.status = status
        self.payload = payload


def login(endpoint: str | None, client_id: str, email: str, password: str, totp_secret: str | None = None,
          *, mfa_code: Callable[[], str] | None = None, region: str = REGION) -> str:
    """The Cognito ID token of a user (USER_PASSWORD_AUTH, as the web front end would), answering the
    authenticator-app challenge with `totp_secret`, or with the code `mfa_code` asks the person for, when
    the user has MFA. `endpoint` None: Cognito itself, in `region` (a deployed stack)."""
    idp = boto3.session.Session().client("cognito-idp", endpoint_url=endpoint, region_name=region)
    result = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )
    if result.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        if totp_secret is None and mfa_code is None:
            raise ValueError("ce compte demande un code d'application d'authentification")
        code = totp_code(totp_secret) if totp_secret is not None else mfa_code() if mfa_code else ""
        result = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=result["Session"],
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
        )
    return str(result["AuthenticationResult"]["IdToken"])


TOTP_STEP = 30
# A code about to expire may reach the server in the next step (the emulation, like a strict server, accepts
# only the current one): wait for a fresh code, as a person reading the app's countdown would.
TOTP_MARGIN = 8


def totp_code(secret: str) -> str:
    """The 6-digit code an authenticator app shows for `secret` (RFC 6238: SHA-1, 30 s steps), waiting for
    the next code when this one has less than TOTP_MARGIN seconds left."""
    left = TOTP_STEP - time.time() % TOTP_STEP
    if left < TOTP_MARGIN:
        time.sleep(left + 0.1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int(time.time() // TOTP_STEP)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


def register(api_url: str, endpoint: str, form: dict[str, Any]) -> dict[str, Any]:
    """Register a bailleur on a local stack as a person would: the form, then the code read in the
    email the emulation captured; returns the bailleur's profile."""
    from infra.mailbox import confirmation_code

    public = AmiClient(api_url)
    public.call("POST", "/inscription", form)
    code = confirmation_code(endpoint, form["email_contact"])
    confirmation = {"email_contact": form["email_contact"], "code": code}
    return dict(public.call("POST", "/inscription/confirmation", confirmation))


@dataclass
class AmiClient:
    api_url: str
    token: str | None = None
    timeout: float = 30

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        expect: tuple[int, ...] = (200, 201, 202),
        headers: dict[str, str] | None = None,
    ) -> Any:
        headers = {**({"Authorization": f"Bearer {self.token}"} if self.token else {}), **(headers or {})}
        response = requests.request(method, self.api_url + path, json=body, headers=headers, timeout=self.timeout)
        payload = response.json() if response.content else {}
        if response.status_code not in expect:
            raise ApiError(response.status_code, payload if isinstance(payload, dict) else {"message": payload})
        return payload

    def send(self, dossier_id: str, attempts: int = 3) -> Any:
        """Send a dossier as the platform does: one idempotency key for the click, the same request
        again with it when the answer is lost (timeout, connection cut, 5xx), so the bailleur always
        learns the envoi's true outcome. Returns the API's answer (EnvoiAccepted)."""
        key = uuid.uuid4().hex
        for attempt in range(1, attempts + 1):
            try:
                return self.call("POST", f"/dossiers/{dossier_id}/envoi", headers={"Idempotency-Key": key})
            except (requests.ConnectionError, requests.Timeout):
                if attempt == attempts:
                    raise
            except ApiError as exc:
                if exc.status < 500 or attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def upload(
        self,
        dossier_id: str,
        piece: str,
        data: bytes,
        filename: str = "piece.pdf",
        content_type: str = "application/pdf",
    ) -> int:
        """Ask for a presigned POST and upload to the bucket with it; returns S3's HTTP status."""
        form = self.call("POST", f"/dossiers/{dossier_id}/pieces/{piece}")
        fields = dict(form["fields"])
        fields["Content-Type"] = content_type
        response = requests.post(
            form["url"], data=fields, files={"file": (filename, data, content_type)}, timeout=self.timeout
        )
        if response.status_code >= 300:
            raise ApiError(response.status_code, {"code": "upload", "message": response.text[:300]})
        return response.status_code
