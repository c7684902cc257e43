"""Cognito adapter: the bailleur's user, which carries its SIREN (`custom:siren`) and its group."""

from __future__ import annotations

import logging

from botocore.exceptions import ClientError

from ami.adapters.aws import Aws, default_aws
from ami.domain.errors import Conflict, InvalidInput

log = logging.getLogger("ami.accounts")


class CognitoAccounts:
    def __init__(self, user_pool_id: str, aws: Aws | None = None) -> None:
        self.pool = user_pool_id
        self.idp = (aws or default_aws()).client("cognito-idp")

    def create_bailleur_user(self, email: str, siren: str, password: str) -> None:
        try:
            self.idp.admin_create_user(
                UserPoolId=self.pool,
                Username=email,
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "custom:siren", "Value": siren},
                ],
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("UsernameExistsException", "AliasExistsException"):
                raise Conflict("compte_existant", "Un compte existe déjà pour cette adresse électronique.") from exc
            if code == "InvalidParameterException":
                raise InvalidInput(
                    "identification_invalide",
                    "L'adresse électronique est refusée.",
                    [{"champ": "email_contact", "message": "Adresse refusée."}],
                ) from exc
            raise
        try:
            self.idp.admin_set_user_password(UserPoolId=self.pool, Username=email, Password=password, Permanent=True)
            self.idp.admin_add_user_to_group(UserPoolId=self.pool, Username=email, GroupName="bailleurs")
        except ClientError as exc:
            self.delete_user(email, siren)
            if exc.response["Error"]["Code"] == "InvalidPasswordException":
                raise InvalidInput(
                    "mot_de_passe_invalide",
                    "Le mot de passe ne respecte pas la politique de sécurité.",
                    [{"champ": "mot_de_passe", "message": "Mot de passe trop faible."}],
                ) from exc
            raise

    def delete_user(self, email: str, siren: str) -> None:
        try:
            self.idp.admin_delete_user(UserPoolId=self.pool, Username=email)
        except ClientError:
            # The SIREN, not the address: no personal data in logs.
            log.error("compte Cognito orphelin à supprimer (SIREN %s)", siren, exc_info=True)
