"""The dossier's lifecycle after instruction (cahier des charges §2-A, steps 4 to 8): one transition table,
the only source of truth for who may move a dossier from which status to which, and what each move does to
the envelope (docs/instruction.md draws it).

    en_instruction → présenté_ccn → avis_favorable | avis_défavorable | ajourné (→ présenté_ccn again)
    avis_favorable → tarification_proposée → acceptée (bailleur) | expirée (the service, after 10 jours ouvrés)
    acceptée → ca_confirmée | ca_refusée → convention_envoyée → convention_signée (bailleur) → prime_appelée
    → prime_réglée → acte_transmis;
    retiré (bailleur) and sans_suite (instructeur) from any status before the prime is paid.

Envelope (`phase`): a numbered dossier's principal is *réservé* from its number to the CA, *engagé* from the
CA's confirmation, *garanti* once the acte is sent; a refusal, an expiry, a withdrawal or a sans-suite
releases it (`releases`), and the waiting list is promoted in number order as far as the released amount
allows (`promotable`). Pure: statuses and amounts in, decisions out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ami.domain.errors import Conflict, Forbidden, InvalidInput
from ami.domain.models import Dossier, DossierStatus

S = DossierStatus
Role = Literal["instructeur", "bailleur", "systeme"]
Phase = Literal["reserve", "engage", "garanti"]

RESERVE: frozenset[DossierStatus] = frozenset({
    S.COMPLET, S.EN_INSTRUCTION, S.PRESENTE_CCN, S.AJOURNE, S.AVIS_FAVORABLE, S.TARIFICATION_PROPOSEE, S.ACCEPTEE,
})
ENGAGE: frozenset[DossierStatus] = frozenset({
    S.CA_CONFIRMEE, S.CONVENTION_ENVOYEE, S.CONVENTION_SIGNEE, S.PRIME_APPELEE, S.PRIME_REGLEE,
})
GARANTI: frozenset[DossierStatus] = frozenset({S.ACTE_TRANSMIS})
FINAL: frozenset[DossierStatus] = frozenset({
    S.AVIS_DEFAVORABLE, S.EXPIREE, S.CA_REFUSEE, S.ACTE_TRANSMIS, S.RETIRE, S.SANS_SUITE,
})
# A bailleur may withdraw, and an instructor close without follow-up, until the prime is paid.
OUVERTS: frozenset[DossierStatus] = frozenset({S.LISTE_ATTENTE, S.CONVENTION_ENVOYEE, S.CONVENTION_SIGNEE,
                                               S.PRIME_APPELEE}) | RESERVE | {S.CA_CONFIRMEE}

STATUS_LABELS: dict[DossierStatus, str] = {
    S.BROUILLON: "brouillon", S.ENVOYE: "envoyé", S.COMPLET: "complet", S.INCOMPLET: "incomplet",
    S.LISTE_ATTENTE: "en liste d'attente", S.EN_INSTRUCTION: "en instruction",
    S.PRESENTE_CCN: "présenté en CCN", S.AJOURNE: "ajourné par la CCN", S.AVIS_FAVORABLE: "avis favorable de la CCN",
    S.AVIS_DEFAVORABLE: "avis défavorable de la CCN", S.TARIFICATION_PROPOSEE: "proposition de tarification émise",
    S.ACCEPTEE: "proposition acceptée", S.EXPIREE: "proposition expirée", S.CA_CONFIRMEE: "confirmé par le CA",
    S.CA_REFUSEE: "refusé par le CA", S.CONVENTION_ENVOYEE: "convention envoyée",
    S.CONVENTION_SIGNEE: "convention signée reçue", S.PRIME_APPELEE: "prime appelée", S.PRIME_REGLEE: "prime réglée",
    S.ACTE_TRANSMIS: "acte transmis à la Banque des Territoires", S.RETIRE: "retiré par le bailleur",
    S.SANS_SUITE: "classé sans suite",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[DossierStatus]
    target: DossierStatus
    role: Role
    libelle: str  # what the audit log and the emails call the step
    justification: bool = False  # a person decides: they must say why
    seance: bool = False  # a CCN or CA sitting (label and date) is given


def _t(action: str, sources: Iterable[DossierStatus], target: DossierStatus, role: Role, libelle: str,
       justification: bool = False, seance: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, role, libelle, justification, seance)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("presenter_ccn", {S.EN_INSTRUCTION, S.AJOURNE}, S.PRESENTE_CCN, "instructeur",
       "présentation en Commission de Crédit Nationale", seance=True),
    _t("avis_favorable", {S.PRESENTE_CCN}, S.AVIS_FAVORABLE, "instructeur", "avis favorable de la CCN",
       justification=True),
    _t("avis_defavorable", {S.PRESENTE_CCN}, S.AVIS_DEFAVORABLE, "instructeur", "avis défavorable de la CCN",
       justification=True),
    _t("ajourner", {S.PRESENTE_CCN}, S.AJOURNE, "instructeur", "dossier ajourné par la CCN", justification=True),
    _t("proposer_tarification", {S.AVIS_FAVORABLE}, S.TARIFICATION_PROPOSEE, "instructeur",
       "proposition de tarification émise"),
    _t("accepter", {S.TARIFICATION_PROPOSEE}, S.ACCEPTEE, "bailleur", "proposition de tarification acceptée"),
    _t("expirer", {S.TARIFICATION_PROPOSEE}, S.EXPIREE, "systeme", "proposition de tarification expirée"),
    _t("confirmer_ca", {S.ACCEPTEE}, S.CA_CONFIRMEE, "instructeur", "engagement confirmé par le Conseil "
       "d'administration", justification=True, seance=True),
    _t("refuser_ca", {S.ACCEPTEE}, S.CA_REFUSEE, "instructeur", "engagement refusé par le Conseil d'administration",
       justification=True, seance=True),
    _t("envoyer_convention", {S.CA_CONFIRMEE}, S.CONVENTION_ENVOYEE, "instructeur",
       "convention de cautionnement envoyée"),
    _t("deposer_convention", {S.CONVENTION_ENVOYEE}, S.CONVENTION_SIGNEE, "bailleur",
       "convention de cautionnement signée reçue"),
    _t("appeler_prime", {S.CONVENTION_SIGNEE}, S.PRIME_APPELEE, "instructeur", "prime appelée"),
    _t("regler_prime", {S.PRIME_APPELEE}, S.PRIME_REGLEE, "instructeur", "prime réglée"),
    _t("transmettre_acte", {S.PRIME_REGLEE}, S.ACTE_TRANSMIS, "instructeur",
       "acte de cautionnement transmis à la Banque des Territoires"),
    _t("retirer", OUVERTS, S.RETIRE, "bailleur", "demande retirée par le bailleur", justification=True),
    _t("classer_sans_suite", OUVERTS, S.SANS_SUITE, "instructeur", "dossier classé sans suite", justification=True),
)}

INSTRUCTEUR_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.role == "instructeur")
BAILLEUR_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.role == "bailleur")


def phase(status: DossierStatus) -> Phase | None:
    """Where a dossier in `status` stands in the envelope (None: it holds none of it)."""
    if status in RESERVE:
        return "reserve"
    if status in ENGAGE:
        return "engage"
    if status in GARANTI:
        return "garanti"
    return None


def releases(before: DossierStatus, after: DossierStatus) -> bool:
    """Whether moving from `before` to `after` gives the dossier's principal back to the envelope."""
    return phase(before) is not None and phase(after) is None


def transition(d: Dossier, action: str, role: Role, justification: str | None = None) -> Transition:
    """The transition `action` of `d` for someone of `role`, or the domain error that says why not."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise InvalidInput("action_inconnue", f"Action inconnue : « {action} ».")
    if t.role != role:
        who = {"instructeur": "un instructeur", "bailleur": "le bailleur", "systeme": "le service lui-même"}[t.role]
        raise Forbidden("action_reservee", f"Cette étape ({t.libelle}) est faite par {who}.")
    if d.status not in t.sources:
        number = f"n° {d.deposit_number}" if d.deposit_number is not None else d.dossier_id
        expected = " ou ".join(sorted(f"« {STATUS_LABELS[s]} »" for s in t.sources))
        raise Conflict(
            "transition_impossible",
            f"Le dossier {number} est {STATUS_LABELS[d.status]} : l'étape « {t.libelle} » n'est possible que "
            f"pour un dossier {expected}.",
            {"statut": d.status.value, "action": action},
        )
    if t.justification and len((justification or "").strip()) < 5:
        raise InvalidInput("justification_requise", f"Indiquez le motif de cette décision ({t.libelle}).",
                           [{"champ": "justification", "message": "Motif obligatoire (5 caractères au moins)."}])
    return t


def actions_possibles(status: DossierStatus, role: Role) -> list[str]:
    """The actions someone of `role` may take on a dossier in `status` (for the pages and the CLI)."""
    return [a for a, t in TRANSITIONS.items() if t.role == role and status in t.sources]


# ---------------------------------------------------------------- the envelope


@dataclass(frozen=True)
class Promotion:
    """Waiting-list dossiers that the envelope can now take, in number order, and the counter after."""

    promoted: tuple[Dossier, ...]
    principal: Decimal  # principal held by numbered dossiers once they are promoted
    closed: bool  # some dossier still waits: every later deposit waits too


def promotable(waiting: Iterable[Dossier], principal: Decimal, envelope: Decimal) -> Promotion:
    """Promote the waiting dossiers in number order while each one fits in what the envelope has left; the
    first one that does not fit stops the promotion (no later number overtakes it, as at numbering)."""
    queue = sorted((d for d in waiting if d.status == S.LISTE_ATTENTE), key=lambda d: d.deposit_number or 0)
    promoted: list[Dossier] = []
    for d in queue:
        if principal + d.loan_total > envelope:
            break
        principal += d.loan_total
        promoted.append(d)
    return Promotion(tuple(promoted), principal, len(promoted) < len(queue))
