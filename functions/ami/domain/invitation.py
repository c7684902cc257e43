"""A colleague invited to a bailleur's space: one bailleur, several users (cahier des charges §2-A).

A user of a registered SIREN invites an address; the address receives a link carrying a random token
(only its hash is stored), valid `INVITATION_VALIDITY`, usable once. Whoever opens the link chooses a
password and becomes a user of the same SIREN: receiving the link proves the address, as the code of
an inscription does. The use case is `ami.services.accounts.Invitations`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from ami.domain.base import Model
from ami.domain.models import Bailleur

if TYPE_CHECKING:
    from ami.domain.notifications import Email

INVITATION_VALIDITY = timedelta(days=7)
# The audit log's words (the bailleur's own chain).
INVITED = "invitation_envoyee"
JOINED = "utilisateur_ajoute"


class Invitation(Model):
    token_hash: str
    siren: str
    email: str
    invited_by: str  # the inviting user, as the audit log names it
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def reference(self) -> str:
        """What the audit log records of the invitation (never the token, never the address)."""
        return self.token_hash[:16]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_invitation(siren: str, email: str, invited_by: str, now: datetime) -> tuple[Invitation, str]:
    """An invitation and its token (sent in the link, never stored in clear)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=token_hash(token),
        siren=siren,
        email=email.strip().lower(),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    return invitation, token


def invitation_email(to: str, bailleur: Bailleur, link: str, expires_at: datetime) -> Email:
    """Fixed words, the organisme as registered (confirmed, checked with Sirene) and the link: nothing the
    inviting person typed, so that nobody can send their own words through us."""
    from ami.domain.notifications import Email, format_paris

    text = (
        "Bonjour,\n\n"
        f"Une personne de {bailleur.raison_sociale} (SIREN {bailleur.siren}) vous invite à rejoindre l'espace de "
        "cet organisme sur la plateforme de l'AMI garantie d'Action Logement, pour y déposer ses dossiers.\n\n"
        f"Pour accepter, ouvrez ce lien et choisissez votre mot de passe :\n{link}\n\n"
        f"Le lien est valable jusqu'au {format_paris(expires_at)} et ne sert qu'une fois.\n\n"
        "Si vous ne connaissez pas cet organisme, ignorez ce message : aucun compte ne sera créé.\n\n"
        "Action Logement Services\n"
    )
    paragraphs = text.strip().split("\n\n")
    html = "".join(
        f'<p><a href="{escape(link)}">Accepter l\'invitation</a></p>'
        if link in p
        else f"<p>{escape(p).replace(chr(10), '<br>')}</p>"
        for p in paragraphs
    )
    return Email(
        to=(to,), subject="AMI garantie : invitation à rejoindre l'espace de votre organisme", text=text, html=html
    )
