"""A deposited version is never deleted (docs/numbering.md): the envoi holds at once a version intake has
not accepted yet (a refusal may still move it away); the numbering holds every deposited version before
concluding its deposit, so the versions intake had accepted cost the envoi's answer nothing. On the fakes."""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ami.domain.deposit_keys import piece_key
from ami.domain.dispositif import dispositif
from ami.domain.models import CompletenessRequest, Dossier, DossierStatus, PieceRecord
from ami.services import envoi
from ami.services.sequencing import Sequencer, SequencingRules
from fakes import InMemoryDeposits, InMemoryPublisher, InMemoryStore

from infra.samples import complete_form

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
RULES = SequencingRules(hold=timedelta(minutes=15), margin=timedelta(seconds=2),
                        reservation_timeout=timedelta(seconds=30), envelope=Decimal("10000000"))


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def draft(store: InMemoryStore, deposits: InMemoryDeposits, examined: dict[str, bool | None]) -> Dossier:
    """A dossier whose pieces are in the bucket; intake's verdict on each: accepted (True), refused (False)
    or not examined yet (None, or the piece left out)."""
    d = Dossier(dossier_id=uuid.uuid4().hex, siren="552100554", form=complete_form("bati", Decimal("1000000")),
                created_at=T0, updated_at=T0)
    store.create_dossier(d, "bailleur:test")
    for kind in dispositif(d.dispositif).piece_kinds:
        if kind not in examined:
            continue
        data = f"%PDF-1.7 {kind} {d.dossier_id}".encode()
        key = piece_key(d.siren, d.dossier_id, kind)
        version = deposits.put(key, data)
        ok = examined[kind]
        if ok is None:
            continue
        store.record_piece(d.dossier_id, PieceRecord(
            piece=kind, key=key, version_id=version, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            accepted=ok, reason_code=None if ok else "pdf_illisible", message=None if ok else "Illisible.",
            received_at=T0, checked_at=T0))
    return store.t.dossiers[d.dossier_id]


def held(deposits: InMemoryDeposits, d: Dossier) -> dict[str, bool]:
    assert d.envoi is not None
    return {kind: deposits.held(p.key, p.version_id) for kind, p in d.envoi.pieces.items()}


def sequencer(store: InMemoryStore, deposits: object, clock: Clock) -> Sequencer:
    return Sequencer(store, RULES, InMemoryPublisher(), clock=clock.now, sleep=clock.sleep,
                     deposits=deposits)  # type: ignore[arg-type]


BOTH = {"lettre_offre": True, "dossier_presentation": True}


def test_versions_intake_accepted_are_held_by_the_numbering_not_by_the_envoi() -> None:
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    sent = envoi.send(store, store, deposits, draft(store, deposits, BOTH), "bailleur:test", clock=clock.now)
    assert sent.envoi is not None and sent.envoi.complete_when_sent
    assert held(deposits, sent) == {"lettre_offre": False, "dossier_presentation": False}  # none on the answer path
    clock.sleep(5)
    sequencer(store, deposits, clock).examine([CompletenessRequest(dossier_id=sent.dossier_id, cause="envoi",
                                                                   complete_when_sent=True)])
    now = store.t.dossiers[sent.dossier_id]
    assert now.status == DossierStatus.COMPLET and now.deposit_number == 1
    assert held(deposits, now) == {"lettre_offre": True, "dossier_presentation": True}


def test_a_version_not_accepted_yet_is_held_by_the_envoi_itself() -> None:
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    d = draft(store, deposits, {"lettre_offre": True, "dossier_presentation": None})  # the second being examined
    sent = envoi.send(store, store, deposits, d, "bailleur:test", clock=clock.now)
    assert held(deposits, sent) == {"lettre_offre": False, "dossier_presentation": True}
    # intake then refuses it: its quarantine copies it and leaves it in place (evidence of the deposit)
    p = sent.envoi.pieces["dossier_presentation"] if sent.envoi else None
    assert p is not None
    deposits.quarantine(p.key, p.version_id, "pdf_illisible")
    assert deposits.read(p.key, p.version_id, 100) is not None


def test_an_incomplete_deposit_has_its_versions_held_when_concluded() -> None:
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    d = draft(store, deposits, {"lettre_offre": True})  # no dossier de présentation at all: incomplete
    sent = envoi.send(store, store, deposits, d, "bailleur:test", clock=clock.now)
    assert sent.envoi is not None and set(sent.envoi.pieces) == {"lettre_offre"}
    sequencer(store, deposits, clock).examine([CompletenessRequest(dossier_id=sent.dossier_id, cause="envoi")])
    now = store.t.dossiers[sent.dossier_id]
    assert now.status == DossierStatus.INCOMPLET
    assert held(deposits, now) == {"lettre_offre": True}


def test_the_sweep_holds_what_a_lost_message_did_not() -> None:
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    sent = [envoi.send(store, store, deposits, draft(store, deposits, BOTH), "bailleur:test", clock=clock.now)
            for _ in range(3)]
    clock.sleep(5)
    sequencer(store, deposits, clock).advance()  # no message at all: the sweep's walk
    for d in sent:
        now = store.t.dossiers[d.dossier_id]
        assert now.status == DossierStatus.COMPLET and all(held(deposits, now).values())


class FailingHolds:
    """The bucket refusing every hold (throttled), then (`healed`) the real one."""

    def __init__(self, deposits: InMemoryDeposits) -> None:
        self.deposits = deposits
        self.healed = False

    def hold_all(self, versions: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if not self.healed:
            raise RuntimeError("SlowDown")
        return self.deposits.hold_all(versions)


def test_no_deposit_is_concluded_before_its_versions_are_held() -> None:
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    sent = envoi.send(store, store, deposits, draft(store, deposits, BOTH), "bailleur:test", clock=clock.now)
    clock.sleep(5)
    failing = FailingHolds(deposits)
    seq = sequencer(store, failing, clock)
    with pytest.raises(RuntimeError):
        seq.advance()  # the message comes back (or the sweep tries again)
    assert store.t.dossiers[sent.dossier_id].status == DossierStatus.ENVOYE
    assert store.counter().number == 0 and len(store.pending_envois()) == 1
    failing.healed = True
    seq.advance()
    now = store.t.dossiers[sent.dossier_id]
    assert now.deposit_number == 1 and all(held(deposits, now).values())


def test_a_deposited_version_found_missing_is_reported_and_the_numbering_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    sent = envoi.send(store, store, deposits, draft(store, deposits, BOTH), "bailleur:test", clock=clock.now)
    assert sent.envoi is not None
    lost = sent.envoi.pieces["lettre_offre"]
    deposits.quarantine(lost.key, lost.version_id, "perdue")  # not held yet: taken away (a bug elsewhere)
    clock.sleep(5)
    with caplog.at_level(logging.ERROR, logger="ami.sequencing"):
        sequencer(store, deposits, clock).advance()
    assert store.t.dossiers[sent.dossier_id].deposit_number == 1  # one lost file does not stop everyone's rank
    assert any(lost.version_id in r.getMessage() for r in caplog.records)
    assert held(deposits, store.t.dossiers[sent.dossier_id]) == {"lettre_offre": False, "dossier_presentation": True}


def test_records_read_with_the_dossier_are_used_as_they_were_read() -> None:
    """The API reads the dossier and intake's records in one query, before the reservation: a version intake
    recorded after that read is treated as unexamined (hashed, held at envoi, examined later), never missed."""
    store, deposits, clock = InMemoryStore(), InMemoryDeposits(), Clock()
    d = draft(store, deposits, BOTH)
    read, records = store.dossier_with_records(d.dossier_id)
    assert read == d and len(records) == 2
    sent = envoi.submit(store, store, deposits, InMemoryPublisher(), d, "bailleur:test", "cle-1", clock=clock.now,
                        records=records)
    assert sent.envoi is not None and sent.envoi.complete_when_sent
    assert held(deposits, sent) == {"lettre_offre": False, "dossier_presentation": False}

    late = draft(store, deposits, BOTH)  # intake's verdicts landed after the dossier was read (none then)
    sent = envoi.submit(store, store, deposits, InMemoryPublisher(), late, "bailleur:test", "cle-2",
                        clock=clock.now, records={})
    assert sent.envoi is not None and not sent.envoi.complete_when_sent
    assert held(deposits, sent) == {"lettre_offre": True, "dossier_presentation": True}
    assert {p.sha256 for p in sent.envoi.pieces.values()} == {
        r.sha256 for r in store.piece_records(late.dossier_id).values()}  # hashed from the bucket: the same
