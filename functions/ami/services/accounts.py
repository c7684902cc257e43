"""Bailleur accounts: the Cognito user that carries the SIREN, and the registration that makes it.

Registration is all or nothing: the user, its password, its group and the bailleur's profile are
created together, and a failure after the user exists deletes the user again.
"""

from __future__ import annotations

import logging

from botocore.exceptions import ClientError

from ami.adapters.aws import client
from ami.adapters.dynamodb import Store
from ami.domain import rules
from ami.domain.errors import Conflict, InvalidInput
from ami.domain.models import Bailleur, BailleurRegistration, utcnow

log = logging.getLogger("ami.services.accounts")


class CognitoAccounts:
    def __init__(self, user_pool_id: str) -> None:
        self.pool = user_pool_id
        self.idp = client("cognito-idp")

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


def register(form: BailleurRegistration, store: Store, accounts: CognitoAccounts) -> Bailleur:
    """Check the identification form, create the account and the bailleur's profile."""
    rules.check_registration(form)
    if store.get_bailleur(form.siren) is not None:
        raise Conflict("bailleur_existant", "Un bailleur est déjà inscrit avec ce SIREN.")
    bailleur = Bailleur(
        raison_sociale=form.raison_sociale,
        siren=form.siren,
        forme_juridique=form.forme_juridique,
        adresse=form.adresse,
        email_contact=form.email_contact,
        registered_at=utcnow(),
    )
    accounts.create_bailleur_user(form.email_contact, form.siren, form.mot_de_passe)
    try:
        store.register_bailleur(bailleur)
    except BaseException:
        accounts.delete_user(form.email_contact, form.siren)
        raise
    return bailleur
