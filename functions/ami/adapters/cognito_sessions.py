"""Cognito sign-in for the plateforme: the user pool's web client signs a bailleur in
(USER_PASSWORD_AUTH), renews the session with its refresh token, and the ID tokens it issued are
verified here as API Gateway's Cognito authorizer verifies them for the JSON API (RS256 signature by
a key of the pool's JWKS, issuer, expiry, `token_use` = id), plus the audience (`ami.domain.audience`).
The signature is checked with the standard library (`rs256_claims`): no JWT library in the layer.

The JWKS is read from the Cognito endpoint boto3 uses: AWS's, or the local emulation's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from ami.adapters.aws import Aws, default_aws
from ami.domain import audience
from ami.domain.errors import Conflict, InvalidInput, Unauthorized
from ami.domain.identity import MfaRequired, SessionExpired, SignedIn

BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."
INVALID = "Votre session n'est pas valide : connectez-vous."
TOO_MANY = "Trop de demandes pour cette adresse : réessayez dans quelques minutes."


class CognitoSessions:
    def __init__(self, user_pool_id: str, client_ids: str, aws: Aws | None = None) -> None:
        self.pool = user_pool_id
        self.client_ids = client_ids
        # The pool's web client (template.yaml gives exactly one: UserPoolClient).
        self.client_id = next(iter(sorted(audience.allowed(client_ids))), "")
        self.idp = (aws or default_aws()).client("cognito-idp")
        region = user_pool_id.split("_", 1)[0]
        endpoint = str(self.idp.meta.endpoint_url).rstrip("/")
        self.issuers = {f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}", f"{endpoint}/{user_pool_id}"}
        self.jwks_url = f"{endpoint}/{user_pool_id}/.well-known/jwks.json"
        self._jwks: dict[str, tuple[int, int]] = {}
        self._fetched_at = -3600.0
        self._lock = threading.Lock()

    def sign_in(self, email: str, password: str) -> SignedIn:
        try:
            result = self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"):
                raise Unauthorized("identifiants_incorrects", BAD_CREDENTIALS) from exc
            if code == "UserNotConfirmedException":
                raise Unauthorized("compte_non_confirme",
                                   "Votre adresse électronique n'est pas encore confirmée.") from exc
            if code == "PasswordResetRequiredException":
                raise Unauthorized("mot_de_passe_a_renouveler",
                                   "Votre mot de passe doit être renouvelé : choisissez-en un nouveau avec « Mot de "
                                   "passe oublié ».") from exc
            raise
        if result.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            raise MfaRequired(str(result["Session"]))
        if "AuthenticationResult" not in result:
            # A challenge (new password) the plateforme does not handle yet.
            raise Conflict("connexion_etape_supplementaire",
                           "Votre compte demande une étape de connexion que cet espace ne propose pas encore ; "
                           "écrivez à la boîte de l'AMI.")
        auth = result["AuthenticationResult"]
        return SignedIn(id_token=str(auth["IdToken"]), refresh_token=auth.get("RefreshToken"))

    def answer_mfa(self, email: str, session: str, code: str) -> SignedIn:
        """Sign in with the authenticator app's code, answering the challenge of `sign_in`."""
        try:
            result = self.idp.respond_to_auth_challenge(
                ClientId=self.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
            )
        except ClientError as exc:
            # An unknown or spent challenge: NotAuthorized in AWS, ResourceNotFound in the emulation (the client
            # itself exists: sign_in used it a moment before).
            if exc.response["Error"]["Code"] in ("CodeMismatchException", "ExpiredCodeException",
                                                 "NotAuthorizedException", "InvalidParameterException",
                                                 "UserNotFoundException", "ResourceNotFoundException"):
                raise Unauthorized("code_incorrect", "Ce code est incorrect ou la connexion a expiré : "
                                                     "connectez-vous de nouveau.") from exc
            raise
        if "AuthenticationResult" not in result:
            raise Unauthorized("code_incorrect", "Ce code est incorrect ou la connexion a expiré : "
                                                 "connectez-vous de nouveau.")
        auth = result["AuthenticationResult"]
        return SignedIn(id_token=str(auth["IdToken"]), refresh_token=auth.get("RefreshToken"))

    def forgot_password(self, email: str) -> None:
        """Cognito sends the code to the verified address itself (the pool's AccountRecoverySetting). An
        unknown address is answered like a known one (the client's PreventUserExistenceErrors), here too."""
        try:
            self.idp.forgot_password(ClientId=self.client_id, Username=email)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("LimitExceededException", "TooManyRequestsException"):
                raise InvalidInput("trop_de_demandes", TOO_MANY, [{"champ": "email", "message": TOO_MANY}]) from exc
            if code not in ("UserNotFoundException", "InvalidParameterException", "NotAuthorizedException"):
                raise

    def confirm_forgot_password(self, email: str, code: str, password: str) -> None:
        try:
            self.idp.confirm_forgot_password(
                ClientId=self.client_id, Username=email, ConfirmationCode=code, Password=password
            )
        except ClientError as exc:
            kind = exc.response["Error"]["Code"]
            if kind == "InvalidPasswordException":
                raise InvalidInput("mot_de_passe_invalide", "Le mot de passe ne respecte pas la politique de sécurité.",
                                   [{"champ": "mot_de_passe", "message": "Mot de passe trop faible : 12 caractères au "
                                                                        "moins."}]) from exc
            if kind in ("LimitExceededException", "TooManyFailedAttemptsException", "TooManyRequestsException"):
                raise InvalidInput("trop_de_demandes", TOO_MANY, [{"champ": "code", "message": TOO_MANY}]) from exc
            if kind in ("CodeMismatchException", "ExpiredCodeException", "UserNotFoundException",
                        "ResourceNotFoundException", "NotAuthorizedException", "InvalidParameterException"):
                # Whether the address has an account is not told: a wrong code, whatever the reason.
                raise InvalidInput("code_invalide", "Ce code est invalide ou a expiré.",
                                   [{"champ": "code", "message": "Ce code est invalide ou a expiré : vérifiez-le, ou "
                                                                 "demandez-en un autre."}]) from exc
            raise

    def refresh(self, refresh_token: str) -> str:
        """A new ID token for this refresh token; SessionExpired when Cognito no longer accepts it."""
        try:
            result = self.idp.initiate_auth(
                ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
            )
        except ClientError as exc:
            raise SessionExpired() from exc
        return str(result["AuthenticationResult"]["IdToken"])

    def verify(self, id_token: str) -> dict[str, Any]:
        """The claims of an ID token of the pool's web client; SessionExpired when it has expired,
        Unauthorized for anything else API Gateway would refuse."""
        try:
            header, claims = rs256_claims(id_token, self._key)
        except ValueError as exc:
            raise Unauthorized("session_invalide", INVALID) from exc
        if header.get("alg") != "RS256" or not all(k in claims for k in ("exp", "iss", "token_use")):
            raise Unauthorized("session_invalide", INVALID)
        if (claims.get("iss") not in self.issuers or claims.get("token_use") != "id"
                or not audience.accepted(claims, self.client_ids)):
            raise Unauthorized("session_invalide", INVALID)
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= time.time():
            raise SessionExpired()
        return claims

    def _key(self, kid: str) -> tuple[int, int] | None:
        """(n, e) of the pool's signing key `kid`; the JWKS is read again for a key it did not have, at most
        once a minute (a forged `kid` cannot make each request fetch it)."""
        with self._lock:
            if kid not in self._jwks and time.monotonic() - self._fetched_at > 60:
                self._fetched_at = time.monotonic()
                with urllib.request.urlopen(self.jwks_url, timeout=5) as answer:
                    keys = json.load(answer).get("keys", [])
                self._jwks = {str(k.get("kid")): (_b64int(k["n"]), _b64int(k["e"]))
                              for k in keys if k.get("kty") == "RSA" and "n" in k and "e" in k}
            return self._jwks.get(kid)


# DER prefix of a SHA-256 DigestInfo (RFC 8017, 9.2): what an RS256 signature encodes before the hash.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64int(part: str) -> int:
    return int.from_bytes(_b64(part), "big")


def rs256_claims(token: str, key_for: Callable[[str], tuple[int, int] | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a JWT whose RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) is valid for the
    key `key_for(kid)`; ValueError otherwise. The whole expected encoding is built and compared, never
    parsed out of the signature (the safe way to check PKCS #1 v1.5), with the standard library alone:
    a cryptography library in the runtime layer would take every function past its size target."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 8192:
        raise ValueError("not a JWT")
    header, claims = json.loads(_b64(parts[0])), json.loads(_b64(parts[1]))
    if not isinstance(header, dict) or not isinstance(claims, dict) or header.get("alg") != "RS256":
        raise ValueError("not an RS256 JWT")
    key = key_for(str(header.get("kid")))
    if key is None:
        raise ValueError("unknown key")
    n, e = key
    size = (n.bit_length() + 7) // 8
    signature = _b64(parts[2])
    if len(signature) != size or size < 256:  # RSA keys of 2,048 bits at least
        raise ValueError("bad signature length")
    digest = SHA256_DIGEST_INFO + hashlib.sha256(f"{parts[0]}.{parts[1]}".encode("ascii")).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
    decoded = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    if not hmac.compare_digest(decoded, expected):
        raise ValueError("bad signature")
    return header, claims
