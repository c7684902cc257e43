"""The DROM programmation: one dossier per département and bailleur (cahier des charges §6), refused in French at
creation, when the form changes département, and at the envoi; the LLI, and other bailleurs, unaffected."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from ami.domain.errors import Conflict
from ami.domain.models import Bailleur, Dossier, DossierForm, ProgrammationForm
from ami.services import drafts, envoi
from fakes import InMemoryStore

from infra.samples import StubDeposits

T0 = datetime(2024, 9, 2, 9, 0, tzinfo=UTC)
SIREN, OTHER = "552100554", "732829320"
DROM = "drom-2024"


def store_with_bailleurs() -> InMemoryStore:
    store = InMemoryStore()
    for siren in (SIREN, OTHER):
        store.register_bailleur(Bailleur(raison_sociale=f"Habitat {siren}", siren=siren, forme_juridique="sa_hlm",
                                         adresse="1 rue A, 97400 Saint-Denis", email_contact=f"{siren}@example.org",
                                         registered_at=T0))
    return store


def form(dep: str | None) -> DossierForm:
    return DossierForm(programmation=ProgrammationForm(departement=dep))  # type: ignore[arg-type]


def create(store: InMemoryStore, dep: str | None, siren: str = SIREN, dispositif: str = DROM) -> Dossier:
    return drafts.create(store, siren, form(dep), "bailleur:test", dispositif=dispositif, at=T0)


def test_a_second_programmation_for_the_same_departement_is_refused_in_french() -> None:
    store = store_with_bailleurs()
    first = create(store, "971")
    with pytest.raises(Conflict) as refused:
        create(store, "971")
    assert refused.value.code == "programmation_existante"
    assert refused.value.message == (
        "Votre organisme a déjà un dossier de programmation pour le département 971 (Guadeloupe) : un seul "
        "dossier est admis par département. Complétez ce dossier plutôt que d'en créer un autre.")
    assert refused.value.details == {"dossier_id": first.dossier_id, "departement": "971"}
    assert [d.dossier_id for d in store.list_dossiers(SIREN)] == [first.dossier_id]  # nothing created


def test_other_departements_other_bailleurs_and_the_lli_are_not_concerned() -> None:
    store = store_with_bailleurs()
    create(store, "971")
    create(store, "972")
    create(store, "971", siren=OTHER)
    create(store, None)
    create(store, None)  # not yet a département: no conflict
    drafts.create(store, SIREN, DossierForm(), "bailleur:test", at=T0)
    drafts.create(store, SIREN, DossierForm(), "bailleur:test", at=T0)  # the LLI: one dossier per operation
    assert len(store.list_dossiers(SIREN)) == 6


def test_moving_a_programmation_to_a_taken_departement_is_refused_and_saving_it_again_is_not() -> None:
    store = store_with_bailleurs()
    create(store, "974")
    other = create(store, "976")
    with pytest.raises(Conflict) as refused:
        drafts.save(store, other, form("974"), "bailleur:test")
    assert refused.value.code == "programmation_existante" and "974 (La Réunion)" in refused.value.message
    saved = drafts.save(store, other, form("976"), "bailleur:test")  # its own département: no conflict
    assert saved.form.programmation is not None and saved.form.programmation.departement == "976"


def test_the_envoi_refuses_a_second_programmation_that_slipped_in() -> None:
    store = store_with_bailleurs()
    first = create(store, "973")
    twin = Dossier(dossier_id=uuid.uuid4().hex, siren=SIREN, dispositif=DROM, form=form("973"), created_at=T0,
                   updated_at=T0)
    store.create_dossier(twin, "bailleur:test")  # as two concurrent creations could leave it
    with pytest.raises(Conflict) as refused:
        envoi.send(store, store, StubDeposits(), twin, "bailleur:test", clock=lambda: T0)
    assert refused.value.code == "programmation_existante"
    assert refused.value.details["dossier_id"] == first.dossier_id  # type: ignore[index]
    now = store.get_dossier(twin.dossier_id)
    assert now is not None and now.status.value == "brouillon" and store.pending_envois() == []
