"""Who is signed in to the plateforme, read from the claims of a verified Cognito ID token."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ami.domain.errors import Unauthorized


@dataclass(frozen=True)
class SignedIn:
    """What a successful sign-in gives: the ID token and, to renew it, the refresh token."""

    id_token: str
    refresh_token: str | None = None


class SessionExpired(Unauthorized):
    def __init__(self) -> None:
        super().__init__("session_expiree", "Votre session a expiré : connectez-vous de nouveau.")


@dataclass(frozen=True)
class User:
    subject: str
    email: str
    siren: str | None
    groups: frozenset[str]

    @property
    def is_bailleur(self) -> bool:
        return "bailleurs" in self.groups and self.siren is not None and re.fullmatch(r"\d{9}", self.siren) is not None

    @property
    def actor(self) -> str:
        """As the audit log names a bailleur's user, the same form as the JSON API's (`api.auth.Caller.actor`):
        by its Cognito `sub`, a pseudonym, never its address (docs/rgpd.md)."""
        return f"bailleur:{self.siren}:{self.subject}"

    @classmethod
    def of(cls, claims: Mapping[str, Any]) -> User:
        groups = claims.get("cognito:groups") or []
        if isinstance(groups, str):
            groups = [g for g in re.split(r"[,\s]+", groups.strip("[]")) if g]
        return cls(
            subject=str(claims.get("sub") or ""),
            email=str(claims.get("email") or ""),
            siren=str(claims.get("custom:siren") or "").strip() or None,
            groups=frozenset(str(g) for g in groups),
        )
