"""The envoi as the API and the plateforme take it (`ami.services.envoi.submit`), on the in-memory fakes:
one use case for both entry points, so a repeated click, a race and a lost completeness request end
the same way on either."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from ami.domain.errors import Conflict, RetryLater
from ami.domain.models import CompletenessRequest, Dossier, DossierStatus
from ami.domain.sequence import PendingEnvoi
from ami.services import envoi
from fakes import InMemoryPublisher, InMemoryStore

from infra.samples import StubDeposits, complete_form, land_pieces

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def draft(store: InMemoryStore) -> Dossier:
    d = Dossier(dossier_id=uuid.uuid4().hex, siren="552100554", form=complete_form("bati", Decimal("1000000")),
                created_at=T0, updated_at=T0)
    store.create_dossier(d, "bailleur:test")
    land_pieces(store, d, T0)
    return store.t.dossiers[d.dossier_id]


def submit(store: InMemoryStore, publisher: InMemoryPublisher, d: Dossier, key: str | None) -> Dossier:
    return envoi.submit(store, store, StubDeposits(), publisher, d, "bailleur:test", key, clock=lambda: T0)


def test_the_envoi_is_recorded_and_the_completeness_check_asked_once() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = draft(store)
    sent = submit(store, publisher, d, "cle-du-clic-1")
    assert sent.status == DossierStatus.ENVOYE and sent.envoi is not None
    assert sent.envoi.idempotency_key == "cle-du-clic-1" and sent.envoi.complete_when_sent
    asked = [CompletenessRequest.model_validate_json(m.body) for m in publisher.on("completeness")]
    assert [(r.dossier_id, r.complete_when_sent) for r in asked] == [(d.dossier_id, True)]
    assert [p.envoi_id for p in store.pending_envois()] == [sent.envoi.envoi_id]


def test_the_same_request_again_answers_its_deposit_and_records_nothing_more() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    sent = submit(store, publisher, draft(store), "cle-du-clic-1")
    again = submit(store, publisher, store.t.dossiers[sent.dossier_id], "cle-du-clic-1")
    assert again.envoi == sent.envoi
    assert len(store.pending_envois()) == 1 and len(publisher.on("completeness")) == 1


def test_the_same_request_sent_twice_at_once_finds_the_deposit_the_other_made() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = draft(store)
    first = submit(store, publisher, d, "cle-du-clic-1")
    # The second request read the dossier before the first recorded its envoi: its write is refused.
    second = submit(store, publisher, d, "cle-du-clic-1")
    assert second.envoi == first.envoi
    assert len(store.pending_envois()) == 1  # its own reservation was given up


def test_another_click_on_a_sent_dossier_is_a_conflict() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = draft(store)
    sent = submit(store, publisher, d, "cle-du-clic-1")
    with pytest.raises(Conflict) as refused:
        submit(store, publisher, store.t.dossiers[sent.dossier_id], "cle-du-clic-2")
    assert refused.value.code == "envoi_impossible"
    with pytest.raises(Conflict):  # the same race as above, with another key: not its deposit
        submit(store, publisher, d, "cle-du-clic-3")
    assert len(store.pending_envois()) == 1 and len(publisher.on("completeness")) == 1


def test_a_lost_completeness_request_leaves_the_deposit_standing(caplog: pytest.LogCaptureFixture) -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    publisher.fail_next = True
    with caplog.at_level(logging.ERROR, logger="ami.envoi"):
        sent = submit(store, publisher, draft(store), None)
    assert sent.status == DossierStatus.ENVOYE and store.t.dossiers[sent.dossier_id].envoi == sent.envoi
    assert [p.dossier_id for p in store.pending_envois()] == [sent.dossier_id]  # the sweep will find it
    assert publisher.on("completeness") == []
    assert "complétude non envoyée" in caplog.text


class SlowFirstReservations(InMemoryStore):
    """Each reservation lands `delays[i]` seconds after its time (the clock moves on meanwhile)."""

    def __init__(self, delays: list[float]) -> None:
        super().__init__()
        self.delays, self.at = delays, T0

    def now(self) -> datetime:
        return self.at

    def reserve_envoi(self, pending: PendingEnvoi) -> None:
        super().reserve_envoi(pending)
        self.at += timedelta(seconds=self.delays.pop(0) if self.delays else 0)


def test_a_reservation_landed_too_late_is_taken_again_with_a_new_time() -> None:
    store, publisher = SlowFirstReservations([1.5, 0.2]), InMemoryPublisher()  # half the 2 s margin is 1 s
    d = draft(store)
    sent = envoi.submit(store, store, StubDeposits(), publisher, d, "bailleur:test", "cle-du-clic-1", clock=store.now)
    assert sent.envoi is not None and sent.envoi.sent_at == T0 + timedelta(seconds=1.5)  # the second time taken
    assert [(p.envoi_id, p.reserved) for p in store.pending_envois()] == [(sent.envoi.envoi_id, False)]


def test_the_bailleur_is_asked_to_send_again_only_after_every_attempt_was_late() -> None:
    store, publisher = SlowFirstReservations([1.5] * envoi.RESERVATION_ATTEMPTS), InMemoryPublisher()
    d = draft(store)
    with pytest.raises(RetryLater) as refused:
        envoi.submit(store, store, StubDeposits(), publisher, d, "bailleur:test", "cle-du-clic-1", clock=store.now)
    assert refused.value.code == "envoi_a_renouveler"
    assert store.pending_envois() == [] and store.t.dossiers[d.dossier_id].envoi is None
    assert publisher.sent == []
