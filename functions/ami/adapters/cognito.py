"""Cognito adapter: the bailleur's user, which carries its SIREN (`custom:siren`) and its group, and
what the API asks of any user (a second factor for instructors)."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ami.adapters.aws import Aws, default_aws
from ami.domain.errors import Conflict, InvalidInput

log = logging.getLogger("ami.accounts")
MFA_REMEMBERED_SECONDS = 300


class CognitoAccounts:
    def __init__(self, user_pool_id: str, aws: Aws | None = None) -> None:
        self.pool = user_pool_id
        self.idp = (aws or default_aws()).client("cognito-idp")
        self._mfa_seen: dict[str, float] = {}

    def create_bailleur_user(self, email: str, siren: str, password: str) -> None:
        try:
            self.idp.admin_create_user(
                UserPoolId=self.pool,
                Username=email,
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    # Verified by the code of ami.services.accounts, not by creating the user.
                    {"Name": "email_verified", "Value": "false"},
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
        except ClientError as exc:
            self.delete_user(email, siren)
            if exc.response["Error"]["Code"] == "InvalidPasswordException":
                raise InvalidInput(
                    "mot_de_passe_invalide",
                    "Le mot de passe ne respecte pas la politique de sécurité.",
                    [{"champ": "mot_de_passe", "message": "Mot de passe trop faible."}],
                ) from exc
            raise

    def activate_bailleur(self, email: str) -> None:
        self.idp.admin_update_user_attributes(
            UserPoolId=self.pool, Username=email, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
        )
        self.idp.admin_add_user_to_group(UserPoolId=self.pool, Username=email, GroupName="bailleurs")

    def is_active(self, email: str) -> bool | None:
        user = self._user(email)
        if user is None:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return attributes.get("email_verified") == "true"

    def has_mfa(self, username: str) -> bool:
        """Asked on every instructor request: a yes is remembered a few minutes (a no never is, so
        that an instructor who just enrolled is let in at once)."""
        now = time.monotonic()
        if self._mfa_seen.get(username, 0.0) > now:
            return True
        user = self._user(username)
        enabled = user is not None and "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or [])
        if enabled:
            self._mfa_seen[username] = now + MFA_REMEMBERED_SECONDS
        return enabled

    def _user(self, username: str) -> dict[str, Any] | None:
        try:
            user: dict[str, Any] = self.idp.admin_get_user(UserPoolId=self.pool, Username=username)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise
        return user

    def account(self, email: str) -> dict[str, str] | None:
        """The user whose username is `email` (every user of the pool is named by its address), with its
        `custom:siren` and groups; None when there is none."""
        user = self._user(email)
        if user is None:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        groups = self.idp.admin_list_groups_for_user(UserPoolId=self.pool, Username=user["Username"]).get("Groups", [])
        return {
            "username": str(user["Username"]),
            "sub": attributes.get("sub", ""),
            "email": attributes.get("email", ""),
            "siren": attributes.get("custom:siren", ""),
            "groupes": ",".join(sorted(str(g["GroupName"]) for g in groups)),
        }

    def unconfirmed_users(self, created_before: datetime) -> list[dict[str, str]]:
        """The users of an inscription never confirmed: a bailleur's (`custom:siren`), address not verified, in
        no group, created before `created_before`. The pool is read whole (ListUsers cannot filter on these)."""
        found = []
        for page in self.idp.get_paginator("list_users").paginate(UserPoolId=self.pool):
            for user in page.get("Users", []):
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                created = user.get("UserCreateDate")
                if (not attributes.get("custom:siren") or attributes.get("email_verified") == "true"
                        or not isinstance(created, datetime) or created >= created_before):
                    continue
                groups = self.idp.admin_list_groups_for_user(UserPoolId=self.pool, Username=user["Username"])
                if not groups.get("Groups"):
                    found.append({"username": str(user["Username"]), "email": attributes.get("email", ""),
                                  "siren": attributes["custom:siren"]})
        return found

    def users_of(self, siren: str) -> list[dict[str, str]]:
        """Every user of the pool whose `custom:siren` is `siren`, with what Cognito holds of it.
        ListUsers filters on standard attributes only, so the pool is read whole (an RGPD request is rare)."""
        found = []
        for page in self.idp.get_paginator("list_users").paginate(UserPoolId=self.pool):
            for user in page.get("Users", []):
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                if attributes.get("custom:siren") == siren:
                    found.append({
                        "username": str(user["Username"]),
                        "sub": attributes.get("sub", ""),
                        "email": attributes.get("email", ""),
                        "email_verified": attributes.get("email_verified", ""),
                        "statut": str(user.get("UserStatus", "")),
                        "actif": str(user.get("Enabled", "")).lower(),
                        "cree_le": str(user.get("UserCreateDate", "")),
                        "modifie_le": str(user.get("UserLastModifiedDate", "")),
                    })
        return found

    def delete_user(self, email: str, siren: str) -> None:
        try:
            self.idp.admin_delete_user(UserPoolId=self.pool, Username=email)
        except ClientError:
            # The SIREN, not the address: no personal data in logs.
            log.error("compte Cognito orphelin à supprimer (SIREN %s)", siren, exc_info=True)
