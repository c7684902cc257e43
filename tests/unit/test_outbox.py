"""The outbox relay (ami.services.outbox) on fakes: a relay that died between its claim and its send is
taken over within the claim, a failed send gives its claim back, and a relay only sends and deletes under a
claim it still holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ami.domain.messages import Message, OutboxClaim
from ami.services.outbox import CLAIM, WAIT_BUDGET, OutboxRelay
from fakes import InMemoryPublisher, InMemoryStore
from support import Stopwatch

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Crash(Exception):
    pass



def outbox(store: InMemoryStore, n: int = 3) -> None:
    for k in range(1, n + 1):
        store._outbox(store.t, [Message("scoring", f"n{k}", group_id="g", dedup_id=f"n{k}", order=f"N{k:03d}")])


def relay(store: Any, publisher: Any, watch: Stopwatch | None = None) -> OutboxRelay:
    watch = watch or Stopwatch()
    return OutboxRelay(store, publisher, sleep=watch.sleep, monotonic=watch.monotonic)


class ClaimThenDie(InMemoryStore):
    """The same tables, seen by a relay whose process dies right after its `kills`-th claim landed."""

    def __init__(self, store: InMemoryStore, kills: int) -> None:
        super().__init__()
        self.t, self._lock, self.kills = store.t, store._lock, kills

    def claim_outbox_item(self, *args: Any, **kwargs: Any) -> OutboxClaim:
        claim = super().claim_outbox_item(*args, **kwargs)
        self.kills -= 1
        if self.kills == 0:
            raise Crash
        return claim


def test_a_relay_dead_between_claim_and_send_is_taken_over_by_the_next_within_the_claim() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    outbox(store)
    with pytest.raises(Crash):
        relay(ClaimThenDie(store, kills=2), publisher).flush(NOW)  # n1 sent; n2 claimed, never sent
    assert [m.body for m in publisher.sent] == ["n1"]

    watch = Stopwatch()
    assert relay(store, publisher, watch).flush(NOW + timedelta(seconds=2)) == 2
    assert [m.body for m in publisher.sent] == ["n1", "n2", "n3"]  # in order, once each
    assert CLAIM.total_seconds() - 2 <= watch.t <= CLAIM.total_seconds() - 1.5  # it waited for the lapse only
    assert list(store.outbox_items()) == []


def test_a_relay_whose_send_failed_lets_the_next_send_at_once() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    outbox(store, 2)
    publisher.fail_next = True
    with pytest.raises(ConnectionError):
        relay(store, publisher).flush(NOW)
    watch = Stopwatch()
    assert relay(store, publisher, watch).flush(NOW) == 2
    assert watch.t == 0 and [m.body for m in publisher.sent] == ["n1", "n2"]


def test_a_relay_waits_no_longer_than_its_budget_behind_claims_that_hold() -> None:
    """Another relay keeps renewing the head's claim (alive, slow): the relay stops after its budget and
    sends nothing behind it."""
    store, publisher = InMemoryStore(), InMemoryPublisher()
    outbox(store, 2)
    head = next(iter(store.outbox_items())).key
    watch = Stopwatch()

    def renewed(seconds: float) -> None:
        watch.sleep(seconds)
        store.t.outbox[head] = (store.t.outbox[head][0], ("other", NOW + timedelta(seconds=watch.t) + CLAIM))

    store.t.outbox[head] = (store.t.outbox[head][0], ("other", NOW + CLAIM))
    r = OutboxRelay(store, publisher, sleep=renewed, monotonic=watch.monotonic)
    assert r.flush(NOW) == 0
    assert publisher.sent == [] and WAIT_BUDGET.total_seconds() - 0.01 <= watch.t <= WAIT_BUDGET.total_seconds() + 0.3


def test_a_claim_that_came_back_too_late_is_given_back_unused() -> None:
    """Fencing: the claim call returned after the claim's end (a stalled call); the relay does not send
    under it, and gives it back."""
    store, publisher = InMemoryStore(), InMemoryPublisher()
    outbox(store, 1)
    watch = Stopwatch()

    class SlowClaims(InMemoryStore):
        def __init__(self) -> None:
            super().__init__()
            self.t, self._lock = store.t, store._lock

        def claim_outbox_item(self, *args: Any, **kwargs: Any) -> OutboxClaim:
            claim = super().claim_outbox_item(*args, **kwargs)
            watch.sleep(CLAIM.total_seconds() + 1)
            return claim

    r = OutboxRelay(SlowClaims(), publisher, sleep=watch.sleep, monotonic=watch.monotonic)
    assert r.flush(NOW) == 0 and publisher.sent == []
    (item,) = store.outbox_items()
    assert store.t.outbox[item.key][1] is None  # given back: the next relay sends it without waiting
    assert relay(store, publisher).flush(NOW) == 1


def test_a_relay_deletes_only_under_its_own_claim() -> None:
    """A send that outlasted the claim: another relay took the item over meanwhile; the first relay's delete
    leaves it to the second, whose own send deletes it."""
    store = InMemoryStore()
    outbox(store, 1)
    (item,) = store.outbox_items()
    assert store.claim_outbox_item(item.key, "first", NOW, NOW + CLAIM).taken
    later = NOW + CLAIM + timedelta(seconds=1)
    assert store.claim_outbox_item(item.key, "second", later, later + CLAIM).taken
    store.delete_outbox_item(item.key, "first")
    assert [i.key for i in store.outbox_items()] == [item.key]
    store.delete_outbox_item(item.key, "second")
    assert list(store.outbox_items()) == []


def test_a_relay_whose_delete_failed_gives_its_claim_back() -> None:
    """Sent, then the delete failed: the claim is given back, so the next relay sends the item again at once
    (the queues' deduplication takes the second copy) instead of waiting for the claim to lapse."""
    store, publisher = InMemoryStore(), InMemoryPublisher()
    outbox(store, 1)

    class DeleteFails(InMemoryStore):
        def __init__(self) -> None:
            super().__init__()
            self.t, self._lock = store.t, store._lock

        def delete_outbox_item(self, key: str, owner: str) -> None:
            raise ConnectionError("table indisponible")

    with pytest.raises(ConnectionError):
        relay(DeleteFails(), publisher).flush(NOW)
    watch = Stopwatch()
    assert relay(store, publisher, watch).flush(NOW) == 1
    assert watch.t == 0 and [m.body for m in publisher.sent] == ["n1", "n1"]
    assert list(store.outbox_items()) == []
