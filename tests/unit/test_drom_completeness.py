"""A DROM programmation goes through the envoi and the completeness check by its dispositif's rules: its own
pieces and form, and no place in the LLI's deposit-number sequence (the DROM is not first come, first served:
the delegation instructs each operation on priorities 1 to 4 until the deadline)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ami.domain.audit import verify_log
from ami.domain.models import (
    CompletenessRequest,
    DepositNumbered,
    Dossier,
    DossierForm,
    DossierStatus,
    ProgrammationForm,
    SyntheseFiliere,
)
from ami.domain.rules import assess, form_gaps
from ami.services import envoi
from ami.services.sequencing import Sequencer, SequencingRules
from fakes import InMemoryPublisher, InMemoryStore

from infra.samples import StubDeposits, complete_form, land_pieces

T0 = datetime(2024, 9, 2, 9, 0, tzinfo=UTC)  # inside the DROM 2024 window
RULES = SequencingRules(hold=timedelta(minutes=15), margin=timedelta(seconds=2),
                        reservation_timeout=timedelta(seconds=30), envelope=Decimal("600000000"))
DROM = "drom-2024"


def programmation(departement: str | None = "971") -> DossierForm:
    line = SyntheseFiliere(filiere="LLS", operations=3, logements=42, montant_pret_eur=Decimal("4200000"))
    return DossierForm(programmation=ProgrammationForm(departement=departement, synthese=[line]))  # type: ignore[arg-type]


def sent(store: InMemoryStore, form: DossierForm, dispositif: str = DROM, pieces: bool | None = True,
         at: datetime = T0) -> Dossier:
    d = Dossier(dossier_id=uuid.uuid4().hex, siren="552100554", dispositif=dispositif, form=form,
                created_at=at, updated_at=at)
    store.create_dossier(d, "bailleur:test")
    if pieces is not None:
        land_pieces(store, d, at, refuse_presentation=not pieces)
    return envoi.send(store, store, StubDeposits(), d, "bailleur:test", clock=lambda: at)


def test_a_drom_envoi_takes_no_place_in_the_deposit_sequence() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = sent(store, programmation())
    assert d.status == DossierStatus.ENVOYE and d.envoi is not None and d.envoi.complete_when_sent
    assert store.pending_envois() == []
    envoi.request_completeness(publisher, d)
    (message,) = publisher.on("completeness")
    # Complete when sent, yet examined: only a numbered deposit goes straight to the numbering.
    assert CompletenessRequest.model_validate_json(message.body).complete_when_sent is False


def test_a_complete_programmation_is_complete_without_a_number_and_leaves_the_lli_numbering_alone() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    drom = sent(store, programmation())
    lli = sent(store, complete_form(), dispositif="garantie-lli-bdt", at=T0 + timedelta(seconds=1))
    seq = Sequencer(store, RULES, publisher, clock=lambda: T0 + timedelta(minutes=1), sleep=lambda s: None)
    conclusions = seq.examine([CompletenessRequest(dossier_id=x.dossier_id, cause="envoi") for x in (drom, lli)])
    assert {(c.dossier_id, c.outcome, c.deposit_number) for c in conclusions} == {
        (drom.dossier_id, "complet", None), (lli.dossier_id, "complet", 1)}
    now = store.get_dossier(drom.dossier_id)
    assert now is not None and now.status == DossierStatus.COMPLET and now.deposit_number is None
    assert store.counter().number == 1  # the LLI dossier is number 1: the DROM one took no number
    numbered = [DepositNumbered.model_validate_json(m.body).dossier_id for m in publisher.on("scoring")]
    assert numbered == [lli.dossier_id]
    assert [h.action for h in store.history(drom.dossier_id)] == ["creation", "envoi", "completude"]
    assert store.pending_envois() == [] and verify_log(store.audit_entries()) == []


def test_a_programmation_is_incomplete_by_its_own_form_and_pieces() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = sent(store, programmation(departement=None), pieces=None)  # no département, no workbook examined
    codes = {r.code for r in assess(d, {}).reasons}
    # The DROM's form and piece only: nothing about the LLI's operation, loans or PDF pieces.
    assert codes == {"formulaire_departement"}
    assert {r.code for r in form_gaps(d)} == {"formulaire_departement"}
    seq = Sequencer(store, RULES, publisher, clock=lambda: T0, sleep=lambda s: None)
    (conclusion,) = seq.examine([CompletenessRequest(dossier_id=d.dossier_id, cause="envoi")])
    assert conclusion.outcome == "incomplet"
    now = store.get_dossier(d.dossier_id)
    assert now is not None and now.status == DossierStatus.INCOMPLET
    assert {r.code for r in now.incomplete_reasons} == {"formulaire_departement"}
    assert [m for m in publisher.on("notifications") if "dossier_incomplet" in m.body]


def test_a_refused_workbook_makes_the_programmation_incomplete_and_an_unexamined_one_waits() -> None:
    from ami.domain.models import PieceRecord

    store, publisher = InMemoryStore(), InMemoryPublisher()
    unexamined, refused = sent(store, programmation(), pieces=None), sent(store, programmation("972"), pieces=None)
    assert refused.envoi is not None
    piece = refused.envoi.pieces["tableau_programmation"]
    store.record_piece(refused.dossier_id, PieceRecord(
        piece="tableau_programmation", key=piece.key, version_id=piece.version_id, size=piece.size, sha256="",
        accepted=False, reason_code="macros", message="Le classeur contient des macros.", received_at=T0,
        checked_at=T0))
    seq = Sequencer(store, RULES, publisher, clock=lambda: T0 + timedelta(minutes=1), sleep=lambda s: None)
    out = seq.examine([CompletenessRequest(dossier_id=x.dossier_id, cause="piece") for x in (unexamined, refused)])
    assert [(c.dossier_id, c.outcome) for c in out] == [(refused.dossier_id, "incomplet")]
    now = {x.dossier_id: store.get_dossier(x.dossier_id) for x in (unexamined, refused)}
    assert now[unexamined.dossier_id].status == DossierStatus.ENVOYE  # type: ignore[union-attr]
    reasons = now[refused.dossier_id].incomplete_reasons  # type: ignore[union-attr]
    assert [r.code for r in reasons] == ["piece_refusee_tableau_programmation"]
    assert "macros" in reasons[0].message
