"""Which app client a token was issued to, checked against the clients this service trusts.

API Gateway's Cognito authorizer (REST API, ID tokens, no OAuth scopes on the methods) checks the
signature, the expiry and the issuer (the user pool), not the audience: an ID token issued to any
other app client of the same pool passes it. So the API checks `aud` itself, on every request,
against USER_POOL_CLIENT_IDS (template.yaml: the pool's web client). The local authorizer
(infra/localapi.py) behaves like API Gateway, and the same check runs in the same app code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def allowed(configured: str) -> frozenset[str]:
    """« id1,id2 » → the trusted client ids; nothing configured trusts no client (fail closed)."""
    return frozenset(c.strip() for c in configured.split(",") if c.strip())


def issued_to(claims: Mapping[str, Any]) -> str | None:
    """The app client of an ID token (`aud`) or of an access token (`client_id`)."""
    client = claims.get("aud") if claims.get("token_use", "id") == "id" else claims.get("client_id")
    return str(client) if client else None


def accepted(claims: Mapping[str, Any], configured: str) -> bool:
    return issued_to(claims) in allowed(configured)
