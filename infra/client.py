"""A small client of the AMI API, as a bailleur's or an instructor's software would use it:
Cognito login, JSON calls, and uploads straight to S3 with the presigned POST."""

from __future__ import annotations

import uuid
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


def login(endpoint: str, client_id: str, email: str, password: str) -> str:
    """The Cognito ID token of a user (USER_PASSWORD_AUTH, as the web front end would)."""
    idp = boto3.session.Session().client("cognito-idp", endpoint_url=endpoint, region_name=REGION)
    result = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )
    return str(result["AuthenticationResult"]["IdToken"])


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
