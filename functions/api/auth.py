"""Who is calling: the claims of the verified ID token, the caller's role, and the dossiers they may reach."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ami.domain import audience
from ami.domain.dispositif import delegations_of, visible_to
from ami.domain.errors import Forbidden, NotFound, Unauthorized
from ami.domain.models import Dossier, DossierStatus, PieceRecord

from api.core import request, services


@dataclass(frozen=True)
class Caller:
    subject: str
    username: str
    email: str
    siren: str | None
    groups: frozenset[str]
    email_verified: bool = False

    @property
    def delegations(self) -> frozenset[str]:
        """An instructor's regional delegations (Cognito groups `delegation-<code>`); none: national."""
        return delegations_of(self.groups)

    @property
    def actor(self) -> str:
        """Who acted, as the audit log keeps it. A bailleur's user by its Cognito `sub` (a pseudonym:
        the address is erasable, the chain is not, docs/rgpd.md); an instructor by address (staff act
        under their name, and the override of a score must say who made it)."""
        if "instructeurs" in self.groups and not self.siren:
            return f"instructeur:{self.email}"
        return f"bailleur:{self.siren}:{self.subject}"


def parse_groups(raw: object) -> frozenset[str]:
    """API Gateway passes `cognito:groups` as a list, "a,b" or "[a b]": accept all three."""
    if raw is None:
        return frozenset()
    if isinstance(raw, list | tuple | set | frozenset):
        items = [str(i) for i in raw]
    else:
        text = str(raw).strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        items = re.split(r"[,\s]+", text)
    return frozenset(i.strip() for i in items if i.strip())


def current_claims() -> dict[str, Any] | None:
    """The verified ID token's claims, as the authorizer handed them over (the one place that reads them)."""
    authorizer = (request().context or {}).get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    return claims if isinstance(claims, dict) and claims else None


def caller() -> Caller:
    claims = current_claims()
    if claims is None:
        raise Unauthorized("non_authentifie", "Authentification requise.")
    if not audience.accepted(claims, services().settings.user_pool_client_ids):
        raise Unauthorized("non_authentifie",
                           "Authentification requise : ce jeton n'a pas été délivré pour ce service.")
    siren = str(claims.get("custom:siren") or "").strip() or None
    return Caller(
        subject=str(claims.get("sub") or claims.get("cognito:username") or ""),
        username=str(claims.get("cognito:username") or claims.get("sub") or ""),
        email=str(claims.get("email") or ""),
        siren=siren,
        groups=parse_groups(claims.get("cognito:groups")),
        email_verified=str(claims.get("email_verified", "")).lower() == "true",
    )


def bailleur_caller() -> Caller:
    who = caller()
    # The group is given at confirmation, with the verified address; a token issued before has neither.
    if ("bailleurs" not in who.groups or not who.email_verified or not who.siren
            or not re.fullmatch(r"[0-9]{9}", who.siren)):
        raise Forbidden("acces_refuse", "Cette action est réservée aux bailleurs inscrits.")
    return who


def instructeur_caller() -> Caller:
    """An instructor who signs in with a second factor. Cognito cannot require MFA of one group and
    its ID tokens carry no `amr`: the proof is the account's MFA setting, which makes Cognito ask for
    the authenticator app's code at every sign-in (docs/securite.md)."""
    who = caller()
    if "instructeurs" not in who.groups:
        raise Forbidden("acces_refuse", "Cette action est réservée aux instructeurs.")
    if not who.username or not services().accounts.has_mfa(who.username):
        raise Forbidden(
            "double_authentification_requise",
            "Les instructeurs se connectent avec une double authentification : activez l'application "
            "d'authentification de votre compte, puis connectez-vous de nouveau.",
        )
    return who


def dossier_or_404(dossier_id: str, who: Caller | None = None) -> Dossier:
    """The dossier named in the path; for a bailleur (`who`), only its own: another bailleur's
    dossier does not exist for them."""
    d = services().dossiers.get_dossier(dossier_id) if re.fullmatch(r"[0-9a-f]{32}", dossier_id) else None
    return _reachable(d, who)


def dossier_with_records_or_404(dossier_id: str, who: Caller) -> tuple[Dossier, dict[tuple[str, str], PieceRecord]]:
    """`dossier_or_404` for a bailleur, with intake's records on its pieces read in the same query (the envoi)."""
    d, records = (services().dossiers.dossier_with_records(dossier_id) if re.fullmatch(r"[0-9a-f]{32}", dossier_id)
                  else (None, {}))
    return _reachable(d, who), records


def _reachable(d: Dossier | None, who: Caller | None) -> Dossier:
    # A brouillon belongs to its bailleur until it is sent: to an instructor it does not exist yet.
    if d is None or (d.siren != who.siren if who is not None else d.status == DossierStatus.BROUILLON):
        raise NotFound("dossier_introuvable", "Ce dossier est introuvable.")
    return d


def instruction_dossier_or_404(dossier_id: str, who: Caller) -> Dossier:
    """A sent dossier for an instructor: one outside their delegation's départements does not exist for them."""
    d = dossier_or_404(dossier_id)
    if not visible_to(d, who.delegations):
        raise NotFound("dossier_introuvable", "Ce dossier est introuvable.")
    return d

