"""What an instructor may do with a dossier, from its status and the work list: the one place where the
dossier page finds the actions it lists, each with its confirmation and what it does.

Take the dossier into instruction or give it back (the work item the instructor holds); then the lifecycle's
instructor steps (ami.domain.lifecycle: présenter en CCN, avis, cotation FIBEN, proposition de tarification,
CA, convention, prime, acte, sans suite), offered from the dossier's status by the lifecycle's own table
(`actions_possibles`) and done by the same use case as the JSON API (`ami.services.lifecycle.Lifecycle`): no
rule is repeated here, only what each step's form asks for (`champs`) and how its words read. Overriding a
criterion of the score is a form of its own on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ami.domain.errors import Conflict, InvalidInput
from ami.domain.lifecycle import actions_possibles
from ami.domain.models import Dossier, DossierStatus, EtapeIn, FibenIn
from ami.domain.worklist import WorkEntry


@dataclass(frozen=True)
class Action:
    code: str
    libelle: str  # the button
    confirmation: str | None  # asked on a page of its own before anything happens (None: done at once)
    effet: str  # what the page says once done
    secondaire: bool = False
    # What the confirmation's form asks for: "seance", "justification", "qualite", "paiement", "fiben".
    champs: tuple[str, ...] = ()
    etape: bool = False  # a step of the lifecycle (ami.domain.lifecycle.TRANSITIONS), by its code


BEGIN = Action("mettre-en-instruction", "Mettre le dossier en instruction",
               "Mettre ce dossier en instruction ? Il quitte la file d'instruction et le bailleur le voit « en "
               "instruction ».", "Le dossier est mis en instruction.")
RELEASE = Action("rendre", "Rendre le dossier à la file",
                 "Rendre ce dossier à la file ? Il reprend sa place, à son numéro, pour le prochain instructeur.",
                 "Le dossier est rendu à la file, à la place de son numéro.", secondaire=True)
FIBEN = Action("fiben", "Saisir la cotation FIBEN du bailleur",
               "Enregistrer la cotation FIBEN du bailleur (Banque de France) et sa date ? Elle fixe le taux de la "
               "prime de la proposition de tarification ; la saisie est inscrite à l'historique.",
               "La cotation FIBEN est enregistrée.", secondaire=True, champs=("fiben",))


def _step(code: str, libelle: str, confirmation: str, effet: str, *champs: str, secondaire: bool = False) -> Action:
    return Action(code, libelle, confirmation, effet, secondaire, champs, etape=True)


_RELEASES = " La part de l'enveloppe qu'il réservait est libérée pour la liste d'attente."
STEPS: dict[str, Action] = {a.code: a for a in (
    _step("presenter_ccn", "Présenter en CCN",
          "Inscrire ce dossier à une séance de la Commission de Crédit Nationale ? Indiquez la séance et sa date.",
          "Le dossier est présenté en CCN.", "seance"),
    _step("avis_favorable", "Avis favorable de la CCN",
          "Enregistrer l'avis favorable de la CCN ? La proposition de tarification pourra ensuite être émise.",
          "L'avis favorable de la CCN est enregistré.", "justification"),
    _step("ajourner", "Dossier ajourné par la CCN",
          "Enregistrer l'ajournement par la CCN ? Le dossier pourra être présenté à une séance suivante.",
          "L'ajournement est enregistré.", "justification", secondaire=True),
    _step("avis_defavorable", "Avis défavorable de la CCN",
          "Enregistrer l'avis défavorable de la CCN ? La demande s'arrête là et le bailleur en est informé."
          + _RELEASES, "L'avis défavorable de la CCN est enregistré.", "justification", secondaire=True),
    _step("proposer_tarification", "Émettre la proposition de tarification",
          "Émettre la proposition de tarification ? La prime est calculée par la grille tarifaire (cotation FIBEN, "
          "durée et différé de chaque prêt, qualité du programme) ; le bailleur reçoit la proposition, valable "
          "10 jours ouvrés.", "La proposition de tarification est émise et envoyée au bailleur.", "qualite"),
    _step("confirmer_ca", "Engagement confirmé par le CA",
          "Enregistrer la confirmation de l'engagement par le Conseil d'administration ? Le principal du dossier "
          "passe de « réservé » à « engagé ».", "La confirmation du CA est enregistrée.", "seance", "justification"),
    _step("refuser_ca", "Engagement refusé par le CA",
          "Enregistrer le refus de l'engagement par le Conseil d'administration ? La demande s'arrête là." + _RELEASES,
          "Le refus du CA est enregistré.", "seance", "justification", secondaire=True),
    _step("envoyer_convention", "Envoyer la convention de cautionnement",
          "Envoyer au bailleur la convention de cautionnement signée par Action Logement Services ? Il la "
          "retournera signée sur la plateforme.", "La convention de cautionnement est envoyée au bailleur."),
    _step("appeler_prime", "Appeler la prime",
          "Appeler la prime auprès du bailleur ? Elle est payée une fois, d'avance.", "La prime est appelée."),
    _step("regler_prime", "Enregistrer le règlement de la prime",
          "Enregistrer le règlement de la prime ? Indiquez le montant reçu, sa date et la référence du virement.",
          "Le règlement de la prime est enregistré.", "paiement"),
    _step("transmettre_acte", "Transmettre l'acte à la Banque des Territoires",
          "Transmettre l'acte de cautionnement à la Banque des Territoires, avec la convention signée et "
          "l'attestation de paiement de la prime ? Le principal du dossier devient « garanti ».",
          "L'acte de cautionnement est transmis à la Banque des Territoires."),
    _step("classer_sans_suite", "Classer le dossier sans suite",
          "Classer ce dossier sans suite ? La demande s'arrête là et le bailleur en est informé." + _RELEASES,
          "Le dossier est classé sans suite.", "justification", secondaire=True),
)}
ACTIONS = {a.code: a for a in (BEGIN, RELEASE, FIBEN, *STEPS.values())}
FIBEN_STATUSES = frozenset({DossierStatus.EN_INSTRUCTION, DossierStatus.PRESENTE_CCN, DossierStatus.AJOURNE,
                            DossierStatus.AVIS_FAVORABLE})  # as ami.services.lifecycle.FIBEN_STATUSES


def allowed(d: Dossier, entry: WorkEntry | None, holder: str, now: datetime) -> list[Action]:
    """The actions `holder` may take on `d` now, in the order the page shows them."""
    out: list[Action] = []
    mine = entry is not None and entry.holder == holder and entry.held(now)
    if mine and d.status == DossierStatus.COMPLET:
        out.append(BEGIN)
    if mine:
        out.append(RELEASE)
    steps = [STEPS[code] for code in actions_possibles(d.status, "instructeur") if code in STEPS]
    out += [a for a in steps if not a.secondaire]
    if d.status in FIBEN_STATUSES:
        out.append(FIBEN)
    out += [a for a in steps if a.secondaire]
    return out


def _nested(raw: Mapping[str, str], prefix: str, names: tuple[str, ...]) -> dict[str, str] | None:
    values = {n: raw.get(f"{prefix}.{n}", "").strip() for n in names}
    return {k: v for k, v in values.items() if v} if any(values.values()) else None


def etape_in(action: Action, raw: Mapping[str, str]) -> EtapeIn | FibenIn:
    """The step's form as the use case's input (`EtapeIn`, or `FibenIn` for the cotation); an `InvalidInput`
    whose details name each field (`champ`, as the form names it) with a French message."""
    from ami.domain.validation_fr import field_errors, summary
    from pydantic import ValidationError

    from web.forms import parse_decimal

    body: dict[str, Any] = {}
    if "fiben" in action.champs:
        body = {k: v for k in ("cote", "date_cotation") if (v := raw.get(k, "").strip())}
    if "justification" in action.champs and raw.get("justification", "").strip():
        body["justification"] = raw["justification"].strip()
    if "seance" in action.champs:
        body["seance"] = _nested(raw, "seance", ("libelle", "le"))
    if "qualite" in action.champs and raw.get("qualite"):
        body["qualite"] = raw["qualite"]
    if "paiement" in action.champs:
        paiement = _nested(raw, "paiement", ("montant_eur", "regle_le", "reference"))
        if paiement and "montant_eur" in paiement:
            paiement["montant_eur"] = parse_decimal(paiement["montant_eur"])
        body["paiement"] = paiement
    try:
        return FibenIn.model_validate(body) if "fiben" in action.champs else EtapeIn.model_validate(body)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise InvalidInput("formulaire_invalide", summary(errors),
                           [{"champ": e["champ"], "message": e["msg"]} for e in errors]) from None


def perform(code: str, d: Dossier, entry: WorkEntry | None, holder: str, now: datetime, services: object,
            form: Mapping[str, str] | None = None) -> Action:
    """Do the action `code` on `d` as `holder`, with the confirmation's `form`; a Conflict in French when it is
    not allowed now, an InvalidInput (naming the form's fields) when the form does not do."""
    action = next((a for a in allowed(d, entry, holder, now) if a.code == code), None)
    if action is None:
        raise Conflict("action_impossible", "Cette action n'est pas possible pour ce dossier maintenant : son statut "
                                            "a changé, ou vous ne le tenez plus dans la file.")
    if action is BEGIN:
        services.instruction.begin(d.dossier_id, holder)  # type: ignore[attr-defined]
    elif action is RELEASE:
        services.instruction.release(d.dossier_id, holder)  # type: ignore[attr-defined]
    else:
        given = etape_in(action, form or {})
        lifecycle = services.lifecycle  # type: ignore[attr-defined]
        if isinstance(given, FibenIn):
            lifecycle.fiben(d.dossier_id, holder, given)
        else:
            lifecycle.act(d.dossier_id, action.code, "instructeur", holder, given)
    return action
