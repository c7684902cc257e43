"""Cognito sign-in for the plateforme: the user pool's web client signs a bailleur in
(USER_PASSWORD_AUTH), renews the session with its refresh token, and the ID tokens it issued are
verified here as API Gateway's Cognito authorizer verifies them for the JSON API (RS256 signature by
a key of the pool's JWKS, issuer, expiry, `token_use` = id), plus the audience (`ami.domain.audience`).

The JWKS is read from the Cognito endpoint boto3 uses: AWS's, or the local emulation's.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import ClientError

from ami.adapters.aws import Aws, default_aws
from ami.domain import audience
from ami.domain.errors import Conflict, Unauthorized
from ami.domain.identity import SessionExpired, SignedIn

BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."


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
        self._jwks: Any = None
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
                                   "Votre mot de passe doit être renouvelé : écrivez à la boîte de l'AMI.") from exc
            raise
        if "AuthenticationResult" not in result:
            # A challenge (new password, MFA) the plateforme does not handle yet.
            raise Conflict("connexion_etape_supplementaire",
                           "Votre compte demande une étape de connexion que cet espace ne propose pas encore ; "
                           "écrivez à la boîte de l'AMI.")
        auth = result["AuthenticationResult"]
        return SignedIn(id_token=str(auth["IdToken"]), refresh_token=auth.get("RefreshToken"))

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
        import jwt

        try:
            key = self._keys().get_signing_key_from_jwt(id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token, key.key, algorithms=["RS256"],
                options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SessionExpired() from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized("session_invalide", "Votre session n'est pas valide : connectez-vous.") from exc
        if (claims.get("iss") not in self.issuers or claims.get("token_use") != "id"
                or not audience.accepted(claims, self.client_ids)):
            raise Unauthorized("session_invalide", "Votre session n'est pas valide : connectez-vous.")
        return claims

    def _keys(self) -> Any:
        import jwt

        with self._lock:
            if self._jwks is None:
                self._jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True, timeout=5)
            return self._jwks
