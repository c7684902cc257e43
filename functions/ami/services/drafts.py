"""A dossier while its bailleur fills it: created, saved, and only while it may still change.

Shared by every entry point a bailleur edits through (the JSON API and the plateforme's pages), so
that the rules of a brouillon are written once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from ami.domain import rules
from ami.domain.dispositif import dispositif, known
from ami.domain.errors import Conflict, Forbidden, InvalidInput
from ami.domain.models import DEPARTEMENTS_DROM, LLI_DISPOSITIF, Dossier, DossierForm, DossierStatus, utcnow
from ami.services.ports import Dossiers

# A brouillon, or a deposit declared incomplete that the bailleur may fix and send again.
EDITABLE = (DossierStatus.BROUILLON, DossierStatus.INCOMPLET)


def editable(d: Dossier) -> bool:
    return d.status in EDITABLE


def require_editable(d: Dossier, code: str = "dossier_non_modifiable") -> None:
    if not editable(d):
        raise Conflict(
            code,
            f"Le dossier ne peut plus être modifié (statut : {d.status.value}).",
            {"status": d.status.value},
        )


def check_commune(form: DossierForm) -> None:
    insee = form.operation.commune_insee
    if insee is not None and rules.commune(insee) is None:
        raise InvalidInput(
            "commune_inconnue",
            f"Le code INSEE {insee} est inconnu du zonage ABC.",
            [{"champ": "operation.commune_insee", "message": "Commune inconnue."}],
        )


def check_unique(store: Dossiers, siren: str, code: str, form: DossierForm, own: str | None = None) -> None:
    """One dossier per bailleur and département where the dispositif says so (the DROM's programmation): refuse
    a second one, naming the first. A dossier without a département yet conflicts with none."""
    if dispositif(code).unicite != "departement" or form.programmation is None:
        return
    dep = form.programmation.departement
    if dep is None:
        return
    for other in store.list_dossiers(siren):
        theirs = other.form.programmation
        if (other.dossier_id != own and other.dispositif == code and theirs is not None
                and theirs.departement == dep):
            raise Conflict(
                "programmation_existante",
                f"Votre organisme a déjà un dossier de programmation pour le département {dep} "
                f"({DEPARTEMENTS_DROM[dep]}) : un seul dossier est admis par département. Complétez ce dossier "
                "plutôt que d'en créer un autre.",
                {"dossier_id": other.dossier_id, "departement": dep},
            )


def create(store: Dossiers, siren: str, form: DossierForm, actor: str, dispositif: str = LLI_DISPOSITIF,
           at: datetime | None = None) -> Dossier:
    """A new brouillon of the bailleur `siren`, which must be registered, in the dispositif it chose, which must
    be open to deposits at `at` (now unless said)."""
    if store.get_bailleur(siren) is None:
        raise Forbidden(
            "bailleur_non_inscrit", "Inscrivez d'abord votre organisme avant de créer un dossier."
        )
    now = at or utcnow()
    known(dispositif).check_creation(now)
    check_commune(form)
    check_unique(store, siren, dispositif, form)
    d = Dossier(dossier_id=uuid.uuid4().hex, siren=siren, dispositif=dispositif, form=form, created_at=now,
                updated_at=now)
    store.create_dossier(d, actor)
    return d


def save(store: Dossiers, d: Dossier, form: DossierForm, actor: str) -> Dossier:
    """The form of `d` replaced by `form`, while `d` may still change."""
    require_editable(d)
    check_commune(form)
    check_unique(store, d.siren, d.dispositif, form, own=d.dossier_id)
    return store.save_form(d.model_copy(update={"form": form}), actor)
