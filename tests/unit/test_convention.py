"""The signed convention, deposited as a piece is (issue 13): a presigned POST for its one key, only for the
dossier's own bailleur while the dossier awaits it; intake examines the upload with the PDF rules and hands its
verdict to the lifecycle: a good file is the « deposer_convention » step (audited, actor = the bailleur who asked
for the form, document stored with its SHA-256, the step's emails), a refused one is quarantined and recorded
with its French reason while the dossier keeps waiting; the same notification twice moves nothing twice."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ami.adapters.s3 import ACTOR_FIELD
from ami.domain.audit import verify_log
from ami.domain.deposit_keys import convention_key, parse_convention_key, parse_key
from ami.domain.errors import Conflict, InvalidInput, NotFound
from ami.domain.models import Dossier, DossierStatus, EtapeIn, Notification
from ami.services.idempotency import Idempotency
from ami.services.intake import Intake, IntakeOutcome, Upload
from ami.services.lifecycle import Lifecycle
from fakes import InMemoryDeposits, InMemoryPersistenceLayer, InMemoryPublisher, InMemoryStore

from infra.pdfgen import hostile
from infra.pdfgen.scan import signed_scan
from infra.samples import complete_form

S = DossierStatus
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SIREN, OTHER = "552100554", "732829320"
BAILLEUR = f"bailleur:{SIREN}:sub-1"
SCAN = signed_scan(pages=2, side_px=600)


class World:
    def __init__(self, status: DossierStatus = S.CONVENTION_ENVOYEE) -> None:
        self.store, self.deposits, self.publisher = InMemoryStore(), InMemoryDeposits(), InMemoryPublisher()
        self.layer = InMemoryPersistenceLayer()
        self.life = Lifecycle(self.store, self.deposits, lambda: NOW, Decimal(600_000_000))
        d = Dossier(
            dossier_id="c" * 32,
            siren=SIREN,
            form=complete_form("bati", Decimal(1_000_000)),
            created_at=NOW,
            updated_at=NOW,
            deposit_number=7,
        )
        self.store.create_dossier(d, "bailleur:test")
        created = self.store.get_dossier(d.dossier_id)
        assert created is not None
        self.d = self.store.transition(created, status, "instructeur:test", "mise_en_etat")

    def intake(self) -> Intake:
        """A fresh intake each time: its idempotency is the shared persistence layer (the table)."""
        return Intake(
            self.deposits,
            self.store,
            self.publisher,
            Idempotency(lambda: self.layer),
            lambda: NOW,
            conventions=self.life,
        )

    def upload(self, data: bytes, actor: str = BAILLEUR, siren: str = SIREN) -> Upload:
        """What the browser does with the form the lifecycle hands out, then the bucket's notification."""
        key = convention_key(siren, self.d.dossier_id)
        version = self.deposits.put(key, data, uploader=actor)
        return Upload(bucket="depots", key=key, version_id=version, size=len(data), event_time=NOW)

    def get(self) -> Dossier:
        got = self.store.get_dossier(self.d.dossier_id)
        assert got is not None
        return got

    def emails(self) -> list[Notification]:
        return [
            Notification.model_validate_json(m.body)
            for msgs, _ in self.store.t.outbox.values()
            for m in msgs
            if m.queue == "notifications"
        ]


def test_the_key_is_the_dossiers_own_and_no_piece() -> None:
    key = convention_key(SIREN, "c" * 32)
    assert key == f"bailleurs/{SIREN}/{'c' * 32}/convention_signee.pdf"
    parts = parse_convention_key(key)
    assert parts is not None and (parts.siren, parts.dossier_id) == (SIREN, "c" * 32)
    assert parse_key(key) is None  # not a piece of the dossier: completeness never sees it
    assert parse_convention_key(key.replace(".pdf", ".xlsx")) is None
    assert parse_convention_key(f"bailleurs/{SIREN}/{'c' * 32}/lettre_offre.pdf") is None


def test_the_form_is_the_dossiers_own_bailleurs_only_while_it_awaits_the_convention() -> None:
    w = World()
    form = w.life.convention_form(w.d.dossier_id, SIREN, BAILLEUR, redirect="https://plateforme/recu")
    assert form.key == convention_key(SIREN, w.d.dossier_id)
    assert form.fields[ACTOR_FIELD] == BAILLEUR and form.fields["Content-Type"] == "application/pdf"
    assert form.max_bytes == 25 * 1024 * 1024  # a dossier de présentation's limit, not 180 Kio
    with pytest.raises(NotFound):
        w.life.convention_form(w.d.dossier_id, OTHER, f"bailleur:{OTHER}:x")
    early = World(S.CA_CONFIRMEE)
    with pytest.raises(Conflict) as wrong:
        early.life.convention_form(early.d.dossier_id, SIREN, BAILLEUR)
    assert wrong.value.code == "transition_impossible" and "convention envoyée" in wrong.value.message


def test_a_good_file_moves_the_dossier_once_audited_stored_and_announced() -> None:
    w = World()
    upload = w.upload(SCAN)
    outcome = w.intake().process(upload)
    assert outcome == IntakeOutcome(outcome="accepted", dossier_id=w.d.dossier_id)
    d = w.get()
    assert d.status == S.CONVENTION_SIGNEE
    ref = d.suivi.documents["convention_signee"]
    assert ref.sha256 == hashlib.sha256(SCAN).hexdigest() and ref.size == len(SCAN)
    assert w.deposits.read_document(ref.key, ref.version_id) == SCAN
    verdict = d.suivi.derniere_convention
    assert verdict is not None and verdict.accepted and verdict.version_id == upload.version_id
    assert verdict.pages == 2
    entry = [e for e in w.store.history(d.dossier_id) if e.action == "deposer_convention"]
    assert len(entry) == 1 and entry[0].actor == BAILLEUR
    audited = [e for e in w.store.audit_entries() if e.action == "deposer_convention"]
    assert audited[0].details["version_deposee"] == upload.version_id
    assert audited[0].details["documents"] == {"convention_signee": hashlib.sha256(SCAN).hexdigest()}
    assert [n.details["etape"] for n in w.emails() if n.kind == "cycle_de_vie"] == ["deposer_convention"]
    assert w.deposits.reasons == [] and verify_log(w.store.audit_entries()) == []
    # The same notification again (a fresh idempotency record, as after its expiry, or through a new intake):
    # nothing moves twice, nothing is quarantined.
    w.layer = InMemoryPersistenceLayer()
    again = w.intake().process(upload)
    assert again.outcome == "accepted"
    assert w.get().version == d.version
    assert len([e for e in w.store.history(d.dossier_id) if e.action == "deposer_convention"]) == 1
    assert len([n for n in w.emails() if n.kind == "cycle_de_vie"]) == 1 and w.deposits.reasons == []


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (hostile.not_a_pdf(), "pas_un_pdf", "la convention signée"),
        (hostile.javascript_pdf(), "javascript", "JavaScript"),
        (b"", "vide_octets", "vide"),
    ],
)
def test_a_refused_file_is_quarantined_and_the_dossier_waits_for_another(data: bytes, code: str, words: str) -> None:
    w = World()
    upload = w.upload(data)
    outcome = w.intake().process(upload)
    assert outcome.outcome == "refused" and outcome.reason_code == code
    d = w.get()
    assert d.status == S.CONVENTION_ENVOYEE and "convention_signee" not in d.suivi.documents
    last = d.suivi.derniere_convention
    assert last is not None and not last.accepted and last.reason_code == code
    assert last.message is not None and words in last.message
    assert w.deposits.reasons == [code] and w.deposits.uploader(upload.key, upload.version_id) is None
    refused = [e for e in w.store.history(d.dossier_id) if e.action == "convention_refusee"]
    assert len(refused) == 1 and refused[0].actor == BAILLEUR and refused[0].to_status == S.CONVENTION_ENVOYEE
    assert w.emails() == []
    # Redelivered: recorded once.
    w.layer = InMemoryPersistenceLayer()
    w.intake().process(upload)
    assert len(w.get().suivi.conventions_deposees) == 1
    # Another file then: accepted, both verdicts kept in order.
    assert w.intake().process(w.upload(SCAN)).outcome == "accepted"
    d = w.get()
    assert d.status == S.CONVENTION_SIGNEE and [v.accepted for v in d.suivi.conventions_deposees] == [False, True]
    assert verify_log(w.store.audit_entries()) == []


def test_a_file_when_the_dossier_awaits_none_is_set_aside_and_moves_nothing() -> None:
    w = World(S.CA_CONFIRMEE)
    outcome = w.intake().process(w.upload(SCAN))
    assert outcome.outcome == "quarantined" and outcome.reason_code == "convention_hors_etape"
    assert w.get().status == S.CA_CONFIRMEE and w.get().suivi.conventions_deposees == []
    assert w.deposits.reasons == ["convention_hors_etape"]
    # A second convention after the first was accepted is set aside too.
    w = World()
    w.intake().process(w.upload(SCAN))
    late = w.intake().process(w.upload(signed_scan(pages=1, side_px=200)))
    assert late.reason_code == "convention_hors_etape" and w.get().status == S.CONVENTION_SIGNEE


def test_an_upload_for_another_bailleur_or_without_the_forms_actor_moves_nothing() -> None:
    w = World()
    # The file names no bailleur of this dossier (a form it never got, or no form at all).
    for actor in (f"bailleur:{OTHER}:sub-2", ""):
        outcome = w.intake().process(w.upload(SCAN, actor=actor))
        assert outcome.outcome == "quarantined" and outcome.reason_code == "depot_non_autorise"
    # Under another bailleur's prefix: not this dossier's convention, not a piece either.
    outcome = w.intake().process(w.upload(SCAN, siren=OTHER))
    assert outcome.outcome == "quarantined" and outcome.reason_code == "cle_inconnue"
    assert w.get().status == S.CONVENTION_ENVOYEE and w.get().suivi.conventions_deposees == []
    assert w.deposits.reasons == ["depot_non_autorise", "depot_non_autorise", "cle_inconnue"]


def test_the_step_cannot_be_taken_without_a_file() -> None:
    w = World()
    with pytest.raises(InvalidInput) as direct:
        w.life.act(w.d.dossier_id, "deposer_convention", "bailleur", BAILLEUR, EtapeIn())
    assert direct.value.code == "depot_par_fichier"
    with pytest.raises(NotFound):  # another bailleur: no such dossier, before anything else
        w.life.act(w.d.dossier_id, "deposer_convention", "bailleur", BAILLEUR, EtapeIn(), siren=OTHER)
    assert w.get().status == S.CONVENTION_ENVOYEE
