"""What an instructor may do with a dossier, from its status and the work list: the one place where the
dossier page finds the actions it lists, each with its confirmation and what it does.

Today: take the dossier into instruction or give it back (the work item the instructor holds), and override a
criterion of the score (a form of its own on the page). The lifecycle after instruction (CCN, tarification,
CA, convention, prime, acte) adds its transitions here: one `Action` per transition allowed from the dossier's
status, and its `perform` branch calling the lifecycle's use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ami.domain.errors import Conflict
from ami.domain.models import Dossier, DossierStatus
from ami.domain.worklist import WorkEntry


@dataclass(frozen=True)
class Action:
    code: str
    libelle: str  # the button
    confirmation: str | None  # asked on a page of its own before anything happens (None: done at once)
    effet: str  # what the page says once done
    secondaire: bool = False


BEGIN = Action("mettre-en-instruction", "Mettre le dossier en instruction",
               "Mettre ce dossier en instruction ? Il quitte la file d'instruction et le bailleur le voit « en "
               "instruction ».", "Le dossier est mis en instruction.")
RELEASE = Action("rendre", "Rendre le dossier à la file",
                 "Rendre ce dossier à la file ? Il reprend sa place, à son numéro, pour le prochain instructeur.",
                 "Le dossier est rendu à la file, à la place de son numéro.", secondaire=True)
ACTIONS = {a.code: a for a in (BEGIN, RELEASE)}


def allowed(d: Dossier, entry: WorkEntry | None, holder: str, now: datetime) -> list[Action]:
    """The actions `holder` may take on `d` now, in the order the page shows them."""
    out: list[Action] = []
    mine = entry is not None and entry.holder == holder and entry.held(now)
    if mine and d.status == DossierStatus.COMPLET:
        out.append(BEGIN)
    if mine:
        out.append(RELEASE)
    # Lifecycle: the transitions allowed from `d.status` go here (présenter en CCN, avis, tarification…).
    return out


def perform(code: str, d: Dossier, entry: WorkEntry | None, holder: str, now: datetime, services: object) -> Action:
    """Do the action `code` on `d` as `holder`; a Conflict in French when it is not allowed now."""
    action = next((a for a in allowed(d, entry, holder, now) if a.code == code), None)
    if action is None:
        raise Conflict("action_impossible", "Cette action n'est pas possible pour ce dossier maintenant : son statut "
                                            "a changé, ou vous ne le tenez plus dans la file.")
    instruction = services.instruction  # type: ignore[attr-defined]
    if action is BEGIN:
        instruction.begin(d.dossier_id, holder)
    elif action is RELEASE:
        instruction.release(d.dossier_id, holder)
    return action
