"""The plateforme's ID-token check (`ami.adapters.cognito_sessions.rs256_claims`, standard library only)
agrees with PyJWT on what is signed by the key and refuses whatever is not."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from ami.adapters.cognito_sessions import rs256_claims
from cryptography.hazmat.primitives.asymmetric import rsa

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
NUMBERS = KEY.public_key().public_numbers()


def keys(kid: str) -> tuple[int, int] | None:
    return (NUMBERS.n, NUMBERS.e) if kid == "k1" else None


def _token(key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **claims: object) -> str:
    return jwt.encode({"sub": "u", "token_use": "id", **claims}, key, algorithm="RS256", headers={"kid": kid})


def test_a_token_signed_by_the_pool_key_is_read() -> None:
    header, claims = rs256_claims(_token(email="a@b.fr"), keys)
    assert header["kid"] == "k1" and claims["email"] == "a@b.fr"


def _swap_claims(token: str, **changes: object) -> str:
    head, body, sig = token.split(".")
    claims = {**json.loads(base64.urlsafe_b64decode(body + "==")), **changes}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{sig}"


@pytest.mark.parametrize("token", [
    _token(OTHER),                                  # another key, same kid
    _token(kid="k2"),                               # a key the pool does not have
    _swap_claims(_token(), **{"custom:siren": "552081317"}),  # claims changed after signing
    jwt.encode({"sub": "u"}, "secret" * 8, algorithm="HS256", headers={"kid": "k1"}),  # not RS256
    "a.b", "",
])
def test_anything_else_is_refused(token: str) -> None:
    with pytest.raises(ValueError):
        rs256_claims(token, keys)
