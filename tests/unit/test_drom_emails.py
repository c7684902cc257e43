"""The DROM's emails come from its own family of templates (`modeles_courriel = "drom"`): a complete programmation
(no number: the bailleur is told the delegation instructs it), the new programmation for the mailbox, an
incomplete one and a refused workbook in the DROM's words; the LLI's emails keep theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ami.domain.models import (
    Bailleur,
    Dossier,
    DossierForm,
    DossierStatus,
    Envoi,
    Notification,
    ProgrammationForm,
    Reason,
    SyntheseFiliere,
)
from ami.domain.notifications import compose
from ami.services.sequencing import Sequencer, SequencingRules
from fakes import InMemoryPublisher, InMemoryStore

T0 = datetime(2024, 9, 30, 21, 58, 7, tzinfo=UTC)
BAILLEUR = Bailleur(raison_sociale="SHLMR", siren="552100554", forme_juridique="sa_hlm",
                    adresse="1 rue A, 97400 Saint-Denis", email_contact="programmation@shlmr.example",
                    registered_at=T0)


def programmation(status: DossierStatus = DossierStatus.COMPLET) -> Dossier:
    lines = [SyntheseFiliere(filiere="LLS", operations=3, logements=1250, montant_pret_eur=Decimal("4200000.5")),
             SyntheseFiliere(filiere="PLI", operations=1, logements=1, montant_pret_eur=Decimal("150000"))]
    form = DossierForm(programmation=ProgrammationForm(departement="974", synthese=lines))  # type: ignore[arg-type]
    return Dossier(dossier_id="f" * 32, siren=BAILLEUR.siren, dispositif="drom-2024", form=form, status=status,
                   created_at=T0, updated_at=T0, envoi=Envoi(envoi_id="e" * 32, sent_at=T0))


def note(kind: str, **details: str) -> Notification:
    return Notification(notification_id=f"{kind}-1", kind=kind, dossier_id="f" * 32, details=details)  # type: ignore[arg-type]


def test_a_complete_programmation_tells_the_bailleur_its_delegation_and_no_number() -> None:
    (email,) = compose(note("programmation_complete"), programmation(), BAILLEUR)
    assert email.to == ("programmation@shlmr.example",)
    assert email.subject == ("AMI programmation 2024 dans les DROM – Votre programmation du département 974 "
                             "(La Réunion) est complète")
    assert "instruite par la délégation régionale océan indien" in email.text
    assert "ne donne pas de numéro de dépôt" in email.text and "Numéro de dépôt" not in email.text
    assert "LLS : 3 opérations, 1\u00a0250 logements, 4\u00a0200\u00a0000,50\u00a0€ de prêts sollicités" in email.text
    assert "PLI : 1 opération, 1 logement," in email.text  # singular below two (§8)
    assert "1er octobre" not in email.text and "30 septembre 2024 à 23 h 58" in email.text
    assert "AMI programmation 2024 dans les DROM" in email.html and "prêts logement intermédiaire" not in email.html


def test_the_mailbox_hears_of_a_complete_programmation() -> None:
    (email,) = compose(note("nouvelle_programmation"), programmation(), BAILLEUR)
    assert email.to == ("ami.garantie@actionlogement.fr",)
    assert "SHLMR, département 974" in email.subject
    assert "4 opérations, 1\u00a0251 logements, 4\u00a0350\u00a0000,50\u00a0€" in email.text


def test_an_incomplete_programmation_and_a_refused_workbook_speak_of_the_workbook_and_the_deadline() -> None:
    d = programmation(DossierStatus.INCOMPLET).model_copy(update={"incomplete_reasons": [
        Reason(code="formulaire_synthese", message="Formulaire incomplet : la synthèse n'est pas reportée.")]})
    (email,) = compose(note("dossier_incomplet"), d, BAILLEUR)
    assert "programmation 2024 pour le département 974 (La Réunion)" in email.text
    assert "au plus tard le 30 septembre 2024 à 23 h 59 (heure de Paris)" in email.text
    assert "numéro de dépôt" not in email.text and "PDF" not in email.text
    (refused,) = compose(note("piece_refusee", piece="tableau_programmation", reason_code="macros",
                              message="Le classeur contient des macros."), d, BAILLEUR)
    assert refused.subject.endswith("Tableau de programmation refusé (département 974)")
    assert "Le classeur contient des macros." in refused.text and ".xlsx, sans macro" in refused.text


def test_completeness_sends_both_drom_emails_through_the_outbox() -> None:
    from ami.services import envoi

    from infra.samples import StubDeposits, land_pieces

    store, publisher = InMemoryStore(), InMemoryPublisher()
    draft = programmation(DossierStatus.BROUILLON).model_copy(update={"envoi": None})
    store.create_dossier(draft, "bailleur:test")
    land_pieces(store, draft, T0)
    sent = envoi.send(store, store, StubDeposits(), draft, "bailleur:test", clock=lambda: T0)
    from ami.domain.dispositif import dispositif
    from ami.domain.models import CompletenessRequest

    rules = SequencingRules.of(dispositif())

    Sequencer(store, rules, publisher, clock=lambda: T0).examine(
        [CompletenessRequest(dossier_id=sent.dossier_id, cause="envoi")])
    kinds = sorted(Notification.model_validate_json(m.body).kind for m in publisher.on("notifications"))
    assert kinds == ["nouvelle_programmation", "programmation_complete"]


def test_a_programmation_whose_completeness_request_was_lost_is_concluded_by_the_sweep_once() -> None:
    """The DROM's envois have no pending envoi for the walk to find: when the API's completeness request is lost
    after the deposit was recorded, the sweep examines the programmation again past the grace period, and
    its emails leave once however many times the sweep runs."""
    from datetime import timedelta

    from ami.domain.dispositif import dispositif
    from ami.services import envoi
    from ami.services.sequencing import UNNUMBERED_GRACE

    from infra.samples import StubDeposits, land_pieces

    store, publisher = InMemoryStore(), InMemoryPublisher()
    draft = programmation(DossierStatus.BROUILLON).model_copy(update={"envoi": None})
    store.create_dossier(draft, "bailleur:test")
    land_pieces(store, draft, T0)
    sent = envoi.send(store, store, StubDeposits(), draft, "bailleur:test", clock=lambda: T0)  # no request sent
    now = [T0 + UNNUMBERED_GRACE - timedelta(seconds=1)]
    sweeper = Sequencer(store, SequencingRules.of(dispositif()), publisher, clock=lambda: now[0])

    assert sweeper.sweep_unnumbered() == []  # within the grace period the request may still be on its way
    assert store.get_dossier(sent.dossier_id).status == DossierStatus.ENVOYE
    now[0] = T0 + UNNUMBERED_GRACE
    assert [(c.dossier_id, c.outcome) for c in sweeper.sweep_unnumbered()] == [(sent.dossier_id, "complet")]
    assert store.get_dossier(sent.dossier_id).status == DossierStatus.COMPLET
    assert sweeper.sweep_unnumbered() == []
    kinds = sorted(Notification.model_validate_json(m.body).kind for m in publisher.on("notifications"))
    assert kinds == ["nouvelle_programmation", "programmation_complete"]
    assert store.get_dossier(sent.dossier_id).deposit_number is None


@pytest.mark.parametrize("kind", ["programmation_complete", "nouvelle_programmation"])
def test_a_programmation_never_sent_has_no_such_email(kind: str) -> None:
    with pytest.raises(ValueError):
        compose(note(kind), programmation().model_copy(update={"envoi": None}), BAILLEUR)
