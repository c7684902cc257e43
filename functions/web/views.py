"""How the pages say things: statuses and what comes next, French dates to the millisecond, amounts,
sizes, and the static files' addresses (with a content hash, so that browsers may keep them)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ami.domain.models import Dossier, DossierStatus
from ami.domain.notifications import MOIS, PARIS, format_bytes, format_euros, format_integer, format_paris
from ami.domain.wording import compte

if TYPE_CHECKING:
    from ami.domain.summary import DossierSummary

HERE = Path(__file__).resolve().parent
STATUS_LABELS: dict[str, str] = {
    DossierStatus.BROUILLON: "Brouillon",
    DossierStatus.ENVOYE: "Envoyé, complétude en cours de vérification",
    DossierStatus.COMPLET: "Complet",
    DossierStatus.INCOMPLET: "Incomplet",
    DossierStatus.LISTE_ATTENTE: "Sur liste d'attente",
    DossierStatus.EN_INSTRUCTION: "En instruction",
}


def status_label(d: Dossier | DossierSummary) -> str:
    label = STATUS_LABELS.get(d.status, str(d.status).replace("_", " ").capitalize())
    if d.deposit_number is not None and d.status in (DossierStatus.COMPLET, DossierStatus.EN_INSTRUCTION):
        return f"{label} (n° {d.deposit_number})"
    return label


def next_step(d: Dossier) -> str:
    """What is expected of the bailleur now, in one sentence."""
    return {
        DossierStatus.BROUILLON: "Complétez le formulaire, déposez les deux pièces, puis envoyez le dossier.",
        DossierStatus.ENVOYE: "Rien à faire : la complétude du dossier est en cours de vérification, "
                              "vous serez informé par courriel.",
        DossierStatus.COMPLET: "Rien à faire : le dossier sera instruit dans l'ordre de son numéro de dépôt.",
        DossierStatus.INCOMPLET: "Corrigez ce qui manque, puis envoyez de nouveau le dossier : il prendra rang "
                                 "à la date du nouvel envoi.",
        DossierStatus.LISTE_ATTENTE: "Rien à faire : l'enveloppe est consommée, le dossier attend qu'une part "
                                     "se libère.",
        DossierStatus.EN_INSTRUCTION: "Rien à faire : un instructeur examine le dossier ; il vous contactera "
                                      "s'il lui manque quelque chose.",
    }.get(d.status, "Rien à faire pour l'instant.")


def paris_ms(moment: datetime) -> str:
    """`27 novembre 2026 à 14 h 03 min 07,125 s (heure de Paris)`: the deposit time, to the millisecond."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return (f"{day} {MOIS[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d} min "
            f"{local.second:02d},{local.microsecond // 1000:03d} s (heure de Paris)")


def paris_short(moment: datetime) -> str:
    """`27 novembre 2026, 14 h 03` (Europe/Paris)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MOIS[local.month - 1]} {local.year}, {local.hour} h {local.minute:02d}"


def euros(value: Decimal | None) -> str:
    return format_euros(value) if value is not None else "non renseigné"


@cache
def _static_hash(name: str) -> str:
    return hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={_static_hash(name)}"


def count(n: int, singulier: str, pluriel: str | None = None) -> str:
    return compte(n, singulier, pluriel)


def field_value(w: Any) -> str:
    """A field of the form (`web.forms.Widget`) as a page reads it: the option's words, not its code;
    numbers the French way with their unit (`1 450 000,00 €`, `45,50 m²`)."""
    if w.kind == "select":
        return next((text for value, text in w.options if value == w.value), w.value)
    if w.kind == "choices":
        ticked = [text.lower() for value, text in w.options if value in w.ticked]
        return ", ".join(ticked) if ticked else "aucun"
    if w.kind == "decimal" and w.value:
        amount = Decimal(w.value.replace(" ", "").replace(",", "."))
        if w.unit == "€":
            return format_euros(amount)
        units, _, fraction = f"{abs(amount):f}".partition(".")
        number = f"{int(units):,}".replace(",", "\u202f") + (f",{fraction}" if fraction else "")
        number = f"-{number}" if amount < 0 else number
        return f"{number} {w.unit}" if w.unit else number
    return f"{w.value} {w.unit}" if w.unit and w.value else w.value


FILTERS: dict[str, Any] = {
    "paris": format_paris,
    "paris_ms": paris_ms,
    "paris_court": paris_short,
    "euros": euros,
    "entier": format_integer,
    "octets": format_bytes,
    "statut": status_label,
    "suite": next_step,
    "compte": count,
    "valeur": field_value,
}
