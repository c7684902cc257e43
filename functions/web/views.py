"""How the pages say things: statuses and what comes next, French dates to the millisecond, amounts,
sizes, and the static files' addresses (with a content hash, so that browsers may keep them)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ami.domain import lifecycle
from ami.domain.models import Dossier, DossierStatus
from ami.domain.notifications import (
    MOIS,
    PARIS,
    format_bytes,
    format_euros,
    format_integer,
    format_jour,
    format_nombre,
    format_paris,
)
from ami.domain.wording import compte

if TYPE_CHECKING:
    from ami.domain.summary import DossierSummary

HERE = Path(__file__).resolve().parent
S = DossierStatus
# The lifecycle's statuses in its own words (ami.domain.lifecycle.STATUS_LABELS), capitalised; the platform's
# first ones say a little more.
STATUS_LABELS: dict[str, str] = {
    **{s: text[:1].upper() + text[1:] for s, text in lifecycle.STATUS_LABELS.items()},
    DossierStatus.BROUILLON: "Brouillon",
    DossierStatus.ENVOYE: "Envoyé, complétude en cours de vérification",
    DossierStatus.COMPLET: "Complet",
    DossierStatus.INCOMPLET: "Incomplet",
    DossierStatus.LISTE_ATTENTE: "Sur liste d'attente",
    DossierStatus.EN_INSTRUCTION: "En instruction",
}


def status_label(d: Dossier | DossierSummary) -> str:
    label = STATUS_LABELS.get(d.status, str(d.status).replace("_", " ").capitalize())
    if d.deposit_number is not None and d.status not in (S.BROUILLON, S.ENVOYE, S.INCOMPLET, S.LISTE_ATTENTE):
        return f"{label} (n° {d.deposit_number})"
    return label


def _next_step(d: Dossier) -> str:
    return {
        DossierStatus.BROUILLON: "Complétez le formulaire, déposez les pièces demandées, puis envoyez le dossier.",
        DossierStatus.ENVOYE: "Rien à faire : la complétude du dossier est en cours de vérification, "
                              "vous serez informé par courriel.",
        DossierStatus.COMPLET: "Rien à faire : le dossier sera instruit dans l'ordre de son numéro de dépôt.",
        DossierStatus.INCOMPLET: "Corrigez ce qui manque, puis envoyez de nouveau le dossier : il prendra rang "
                                 "à la date du nouvel envoi.",
        DossierStatus.LISTE_ATTENTE: "Rien à faire : l'enveloppe est consommée, le dossier attend qu'une part "
                                     "se libère.",
        DossierStatus.EN_INSTRUCTION: "Rien à faire : un instructeur examine le dossier ; il vous contactera "
                                      "s'il lui manque quelque chose.",
        S.PRESENTE_CCN: "Rien à faire : le dossier est présenté à la Commission de Crédit Nationale ; vous serez "
                        "informé de son avis par courriel.",
        S.AJOURNE: "Rien à faire pour l'instant : la CCN a ajourné le dossier, il sera présenté à une séance "
                   "suivante ; un instructeur peut vous demander un complément.",
        S.AVIS_FAVORABLE: "Rien à faire : la CCN a donné un avis favorable ; la proposition de tarification "
                          "vous sera adressée.",
        S.AVIS_DEFAVORABLE: "La demande s'arrête là : la CCN a donné un avis défavorable (motif dans le "
                            "courriel reçu).",
        S.TARIFICATION_PROPOSEE: "Acceptez la proposition de tarification avant la fin de sa validité, ou "
                                 "retirez la demande.",
        S.ACCEPTEE: "Rien à faire : l'engagement sera soumis au prochain Conseil d'administration d'Action "
                    "Logement Services.",
        S.EXPIREE: "La proposition de tarification a expiré sans être acceptée : la demande s'arrête là.",
        S.CA_CONFIRMEE: "Rien à faire : le Conseil d'administration a confirmé l'engagement ; la convention de "
                        "cautionnement vous sera envoyée.",
        S.CA_REFUSEE: "La demande s'arrête là : le Conseil d'administration a refusé l'engagement.",
        S.CONVENTION_ENVOYEE: "Téléchargez la convention de cautionnement, signez-la, puis déposez-la ici au "
                              "format PDF.",
        S.CONVENTION_SIGNEE: "Rien à faire : la convention signée est reçue ; l'appel de la prime va suivre.",
        S.PRIME_APPELEE: "Réglez la prime appelée (une fois, d'avance) par virement, avec la référence du "
                         "dossier.",
        S.PRIME_REGLEE: "Rien à faire : la prime est réglée ; l'acte de cautionnement va être transmis à la "
                        "Banque des Territoires.",
        S.ACTE_TRANSMIS: "Rien à faire : l'acte de cautionnement est transmis à la Banque des Territoires, le "
                         "prêt est garanti.",
        S.RETIRE: "Vous avez retiré cette demande.",
        S.SANS_SUITE: "La demande a été classée sans suite (motif dans le courriel reçu).",
    }.get(d.status, "Rien à faire pour l'instant.")


def next_step(d: Dossier) -> str:
    """What is expected of the bailleur now, in one sentence (with the proposition's last day, Paris time)."""
    p = d.suivi.proposition
    if d.status == S.TARIFICATION_PROPOSEE and p is not None:
        return (f"Acceptez la proposition de tarification au plus tard le {last_day(p.expire_le)} (heure de Paris), "
                "ou retirez la demande.")
    return _next_step(d)


PHASES = {"reserve": "réservé", "engage": "engagé", "garanti": "garanti"}


def envelope_state(d: Dossier) -> str:
    """Where the dossier's principal stands in the envelope, as `ami enveloppe` says it."""
    phase = lifecycle.phase(d.status)
    if phase is not None:
        return f"{format_euros(d.loan_total)} {PHASES[phase]}s sur l'enveloppe"
    if d.status == S.LISTE_ATTENTE:
        return "en attente : rien n'est réservé sur l'enveloppe"
    if d.status in lifecycle.FINAL:
        return "rien : la part qu'il réservait est libérée"
    return "rien tant que le dossier n'est pas numéroté"


def last_day(expire_le: datetime) -> str:
    """The proposition's last day of validity, Paris time: `15 décembre 2026`."""
    from ami.domain.jours_ouvres import dernier_jour

    return format_jour(dernier_jour(expire_le))


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


def paris_hour(moment: datetime) -> str:
    """`14 h 03` (Europe/Paris)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}"


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
    "jour": format_jour,
    "nombre": format_nombre,
    "dernier_jour": last_day,
    "enveloppe": envelope_state,
}


def suivi_context(documents_url: str, instructeur_vue: bool) -> dict[str, Any]:
    """What templates/_suivi.html needs besides the dossier."""
    from ami.domain.documents import DOCUMENTS
    from ami.domain.tarification import QUALITE_LIBELLES

    return {"documents_url": documents_url, "instructeur_vue": instructeur_vue, "document_noms": DOCUMENTS,
            "qualites": QUALITE_LIBELLES}


# What the bailleur's dossier page says once a step of its own is done (web.pages_suivi).
SUIVI_NOTES = {
    "accepter": "Vous avez accepté la proposition de tarification : l'engagement sera soumis au prochain Conseil "
                "d'administration d'Action Logement Services.",
    "retirer": "Votre demande est retirée.",
    "deposer_convention": "La convention signée est reçue : l'appel de la prime va suivre.",
}
BAILLEUR_STEPS = {"accepter": "Accepter la proposition de tarification",
                  "deposer_convention": "Déposer la convention signée",
                  "retirer": "Retirer la demande"}


def bailleur_suivi(d: Dossier) -> dict[str, Any]:
    """What the bailleur's dossier page shows after the numbering: the suivi (templates/_suivi.html) and the
    steps the lifecycle lets the bailleur take from the dossier's status (ami.domain.lifecycle)."""
    shown = d.deposit_number is not None and d.status not in (S.BROUILLON, S.ENVOYE, S.INCOMPLET)
    return {**suivi_context(f"/dossiers/{d.dossier_id}/documents", False), "montre": shown,
            "etapes": [(a, BAILLEUR_STEPS[a]) for a in lifecycle.actions_possibles(d.status, "bailleur")
                       if a in BAILLEUR_STEPS]}


FILTERS["suivi_bailleur"] = bailleur_suivi
FILTERS["statut_seul"] = lambda d: lifecycle.STATUS_LABELS.get(d.status, str(d.status))  # without its number
