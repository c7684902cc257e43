"""Registration that proves who registers: the contact address by a code, the SIREN by the Sirene register.

Pure rules and values; the use case is `ami.services.accounts`. An inscription is pending until its
code is confirmed: the account cannot act as a bailleur, no profile holds the SIREN and no email
other than the code is sent to the address (docs/securite.md, « Comptes »).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from ami.domain.base import Model
from ami.domain.conservation import conservation
from ami.domain.dispositif import dispositif
from ami.domain.models import Bailleur, BailleurRegistration

if TYPE_CHECKING:
    from ami.domain.notifications import Email

# How long a code is valid, hence an inscription waits (conservation.toml: the table's TTL removes it then).
CODE_VALIDITY = conservation().inscription_en_attente
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class UniteLegale:
    """What the Sirene register says of a SIREN (an « unité légale »), as of today."""

    siren: str
    active: bool  # etatAdministratifUniteLegale == "A" (« C »: cessée)
    categorie_juridique: str  # Insee nomenclature, niveau III (4 digits)
    denomination: str = ""


def sirene_errors(form: BailleurRegistration, unite: UniteLegale | None) -> list[dict[str, object]]:
    """Why the register contradicts the form (field by field, in French); empty when it agrees."""
    if unite is None:
        return [{"champ": "siren", "message": "Ce numéro SIREN est inconnu du répertoire Sirene de l'Insee."}]
    if not unite.active:
        return [{"champ": "siren", "message": "L'entreprise de ce numéro SIREN est cessée selon le répertoire Sirene."}]
    form_rules = dispositif().form(form.forme_juridique)
    if form_rules is not None and unite.categorie_juridique not in form_rules.categories_juridiques:
        return [{
            "champ": "forme_juridique",
            "message": (
                f"Selon le répertoire Sirene, la catégorie juridique de ce SIREN ({unite.categorie_juridique}) "
                f"ne correspond pas à la forme juridique déclarée ({form_rules.libelle})."
            ),
        }]
    return []


class PendingRegistration(Model):
    """An inscription waiting for its code: the profile to create, and the code's salted hash."""

    email: str
    bailleur: Bailleur
    salt: str
    code_hash: str
    expires_at: datetime
    attempts: int = 0

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_code(self.salt, code))


def hash_code(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def new_pending(bailleur: Bailleur, now: datetime) -> tuple[PendingRegistration, str]:
    """A pending inscription for `bailleur` and the code to send (never stored in clear)."""
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    pending = PendingRegistration(
        email=bailleur.email_contact, bailleur=bailleur, salt=salt, code_hash=hash_code(salt, code),
        expires_at=now + conservation().inscription_en_attente,
    )
    return pending, code


def code_email(to: str, code: str, expires_at: datetime) -> Email:
    """The only email an unconfirmed address receives: fixed text and the code, nothing the
    registrant typed (no raison sociale, no link), so that nobody can send their words through us."""
    from ami.domain.notifications import Email, format_paris  # Jinja2 only on the paths that send

    until = format_paris(expires_at)
    text = (
        "Bonjour,\n\n"
        "Une inscription à la plateforme de l'AMI garantie d'Action Logement a été demandée avec cette adresse.\n\n"
        f"Votre code de confirmation : {code}\n\n"
        f"Il est valable jusqu'au {until}. Saisissez-le sur la plateforme pour activer le compte.\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
        "aucun compte ne sera activé et aucun autre message ne vous sera envoyé.\n\n"
        "Action Logement Services\n"
    )
    html = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.strip().split("\n\n"))
    return Email(to=(to,), subject="AMI garantie : votre code de confirmation", text=text, html=html)
