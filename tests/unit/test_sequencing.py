"""The numbering use case on the in-memory fakes: deposit order, gaps, incompleteness, the envelope.
(The same service against DynamoDB, with crashes and concurrent workers: tests/integration.)"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ami.domain.audit import verify_log
from ami.domain.models import CompletenessRequest, DepositNumbered, Dossier, DossierStatus
from ami.services import envoi
from ami.services.sequencing import Sequencer, SequencingRules
from fakes import InMemoryPublisher, InMemoryStore

from infra.samples import StubDeposits, complete_form, land_pieces

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
RULES = SequencingRules(hold=timedelta(minutes=15), margin=timedelta(seconds=2),
                        reservation_timeout=timedelta(seconds=30), envelope=Decimal("2500000"))


@dataclass
class Clock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def deposit(store: InMemoryStore, clock: Clock, accepted: bool | None, loan: str = "1000000") -> Dossier:
    """A dossier sent at the clock's time; its pieces accepted, refused, or (None) not examined yet."""
    d = Dossier(dossier_id=uuid.uuid4().hex, siren="552100554", form=complete_form("bati", Decimal(loan)),
                created_at=clock.now(), updated_at=clock.now())
    store.create_dossier(d, "bailleur:test")
    if accepted is not None:
        land_pieces(store, d, clock.now(), refuse_presentation=not accepted)
    sent = envoi.send(store, store, StubDeposits(), d, "bailleur:test", clock=clock.now)
    clock.sleep(1)
    return sent


def test_complete_dossiers_are_numbered_in_deposit_order_whatever_order_they_are_examined() -> None:
    store, publisher, clock = InMemoryStore(), InMemoryPublisher(), Clock()
    first, bad, second, third = (deposit(store, clock, ok) for ok in (True, False, True, True))
    seq = Sequencer(store, RULES, publisher, clock=clock.now, sleep=clock.sleep)
    clock.sleep(5)
    requests = [CompletenessRequest(dossier_id=d.dossier_id, cause="envoi") for d in (third, bad, second, first)]
    seq.examine(requests)
    by_id = {d.dossier_id: d for d in store.list_numbered()}
    assert [by_id[d.dossier_id].deposit_number for d in (first, second)] == [1, 2]
    third_now = by_id[third.dossier_id]  # 3 M€ > the 2.5 M€ envelope: numbered, on the waiting list
    assert third_now.status == DossierStatus.LISTE_ATTENTE and third_now.deposit_number == 3
    assert store.t.dossiers[bad.dossier_id].status == DossierStatus.INCOMPLET
    assert store.pending_envois() == [] and verify_log(store.audit_entries()) == []
    numbers = [DepositNumbered.model_validate_json(m.body).deposit_number for m in publisher.on("scoring")]
    assert numbers == [1, 2]  # the scoring queue gets the complete ones, in number order


def test_an_unexamined_deposit_holds_back_the_later_ones() -> None:
    store, publisher, clock = InMemoryStore(), InMemoryPublisher(), Clock()
    waiting, later = deposit(store, clock, None), deposit(store, clock, True)
    seq = Sequencer(store, RULES, publisher, clock=clock.now, sleep=clock.sleep)
    clock.sleep(5)
    seq.advance()
    assert store.list_numbered() == []  # `later` waits behind the deposit still being checked
    land_pieces(store, waiting, clock.now())
    seq.advance()
    assert [(d.dossier_id, d.deposit_number) for d in store.list_numbered()] == [
        (waiting.dossier_id, 1), (later.dossier_id, 2)]
