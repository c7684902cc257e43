"""The deposit numbering under real concurrency, against a moto server: many threads sending envois
while others number, workers killed between their reads and their writes, and a completeness request
delivered twice at once. Numbers must stay gapless, unique and in deposit-time order, and every
DepositNumbered must reach the scoring FIFO queue exactly once."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import ami.adapters.dynamodb
import ami.settings
import pytest
from ami.adapters.aws import default_aws
from ami.adapters.dynamodb import Store
from ami.adapters.sqs import SqsPublisher
from ami.bootstrap import sqs_publisher
from ami.domain.audit import verify_log
from ami.domain.dispositif import dispositif
from ami.domain.errors import RetryLater
from ami.domain.models import (
    CompletenessRequest,
    Dossier,
    DossierStatus,
)
from ami.domain.sequence import DepositCounter
from ami.services import envoi, sequencing
from ami.services.outbox import CLAIM, OutboxRelay
from ami.services.sequencing import Sequencer, SequencingRules
from ami.settings import Settings
from boto3.dynamodb.conditions import Key
from support import Stopwatch, empty_tables

from infra import samples
from infra.local import provisioned_emulation
from infra.samples import StubDeposits

SIREN = "732829320"
SENDERS = 16
PER_SENDER = 3
NUMBERERS = 4
# For the tests without concurrent senders: no clock margin to wait out.
IMMEDIATE = SequencingRules(
    hold=timedelta(minutes=15), margin=timedelta(0), reservation_timeout=timedelta(minutes=2), envelope=Decimal("1e9")
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """One moto server for the module; the environment is restored afterwards."""
    with provisioned_emulation(tmp_path_factory.mktemp("aws")):
        yield ami.settings.settings()


@pytest.fixture
def clean(env: Settings) -> Settings:
    """Empty tables and an empty scoring queue for each test."""
    empty_tables(env)
    drain(env.scoring_queue_url)
    return env


def drain(queue_url: str) -> list[dict[str, Any]]:
    """Every message in the queue, deleted as received (a FIFO group delivers nothing while in flight)."""
    sqs = default_aws().client("sqs")
    out: list[dict[str, Any]] = []
    empty = 0
    while empty < 2:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        empty = 0 if got else empty + 1
        for m in got:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return out


DEPOSITS = StubDeposits()


def complete_dossier(store: Store) -> Dossier:
    """A brouillon whose form is complete and whose pieces intake has already accepted."""
    return samples.complete_dossier(store, SIREN, "bailleur:test")


def send(store: Store, d: Dossier) -> Dossier:
    """The API's envoi; a bailleur told to retry later does so."""
    for _ in range(20):
        try:
            return envoi.send(store, store, DEPOSITS, d, "bailleur:test")
        except RetryLater:
            continue
    raise AssertionError("envoi refused 20 times")


def assert_fair_numbering(store: Store, dossier_ids: list[str]) -> list[Dossier]:
    assert store.pending_envois() == []
    found = [store.get_dossier(i) for i in dossier_ids]
    ds = sorted((d for d in found if d is not None), key=lambda d: d.deposit_number or 0)
    assert len(ds) == len(dossier_ids)
    assert all(d.status == DossierStatus.COMPLET for d in ds), Counter(d.status for d in ds)
    numbers = [d.deposit_number for d in ds]
    assert numbers == list(range(1, len(ds) + 1)), "gap or duplicate"
    keys = [(d.envoi.sent_at, d.envoi.envoi_id) for d in ds if d.envoi]
    errors = sum(1 for a, b in itertools.pairwise(keys) if a >= b)
    assert errors == 0, f"{errors} numbers out of deposit order"
    assert store.counter() == DepositCounter(len(ds), Decimal("1000000") * len(ds), False)
    entries = store.audit_entries()
    assert verify_log(entries) == []
    assert Counter(e.details["deposit_number"] for e in entries if e.action == "numerotation") == Counter(
        range(1, len(ds) + 1)
    )
    assert list(store._query(store.counters, KeyConditionExpression=Key("pk").eq("OUTBOX"))) == []
    return ds


def assert_scoring_queue_once(env: Settings, ds: list[Dossier]) -> None:
    received = [(m["dossier_id"], m["deposit_number"]) for m in drain(env.scoring_queue_url)]
    assert Counter(received) == Counter((d.dossier_id, d.deposit_number) for d in ds), "each exactly once"
    assert [n for _, n in received] == sorted(n for _, n in received), "in deposit-number order"


def run_numberers(
    workers: list[Sequencer], done: threading.Event, errors: list[BaseException]
) -> list[threading.Thread]:
    def loop(seq: Sequencer) -> None:
        while not done.is_set():
            try:
                seq.advance()
            except Crash:
                pass  # this Lambda died; the others (and later invocations) carry on
            except BaseException as exc:
                errors.append(exc)
                return
            time.sleep(0.02)

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    return threads


def wait_until_concluded(store: Store, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while store.pending_envois(limit=1):
        assert time.monotonic() < deadline, "pending envois never concluded"
        time.sleep(0.1)


# ---------------------------------------------------------------- (a) senders and numberers at once


def test_concurrent_envois_are_numbered_gapless_in_deposit_order(clean: Settings) -> None:
    env = clean
    store = Store(env)
    rules = SequencingRules.of(dispositif())  # the real clock margin: envoi.send relies on it
    numberers = [Sequencer(Store(env), rules, sqs_publisher(env)) for _ in range(NUMBERERS)]
    done, errors = threading.Event(), list[BaseException]()
    threads = run_numberers(numberers, done, errors)
    start = threading.Barrier(SENDERS)

    def sender(_: int) -> list[str]:
        mine = [complete_dossier(store) for _ in range(PER_SENDER)]
        start.wait()
        for d in mine:
            send(store, d)
        return [d.dossier_id for d in mine]

    try:
        with ThreadPoolExecutor(SENDERS) as pool:
            ids = [i for batch in pool.map(sender, range(SENDERS)) for i in batch]
        wait_until_concluded(store)
    finally:
        done.set()
        for t in threads:
            t.join(10)
    assert errors == []
    Sequencer(store, rules, sqs_publisher(env)).advance()  # flush whatever the last loop left
    ds = assert_fair_numbering(store, ids)
    assert len(ds) == SENDERS * PER_SENDER
    assert_scoring_queue_once(env, ds)


# ---------------------------------------------------------------- (b) killed between reads and writes


class Crash(Exception):
    """The Lambda died here."""


class KilledStore(Store):
    """Dies `kills` times: right after reading the counter (before conclude_numbered_batch), or right
    after the numbering transaction succeeded (before flush_outbox)."""

    def __init__(self, s: Settings, where: str, kills: int) -> None:
        super().__init__(s)
        self.where, self.kills = where, kills
        self.lock = threading.Lock()

    def _kill(self) -> None:
        with self.lock:
            if self.kills <= 0:
                return
            self.kills -= 1
        raise Crash(self.where)

    def counter(self) -> DepositCounter:
        c = super().counter()
        if self.where == "after_read":
            self._kill()
        return c

    def conclude_numbered_batch(self, *args: Any, **kwargs: Any) -> list[Dossier]:
        numbered = super().conclude_numbered_batch(*args, **kwargs)
        if self.where == "after_write":
            self._kill()
        return numbered


def test_numbering_killed_between_reads_and_writes_stays_gapless_and_sends_each_number_once(
    clean: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = clean
    monkeypatch.setattr(sequencing, "BATCH", 2)  # small batches: enough deposits left for every death
    store = Store(env)
    rules = SequencingRules.of(dispositif())
    killed = [KilledStore(env, "after_read", 6), KilledStore(env, "after_write", 6)]
    dossiers = [complete_dossier(store) for _ in range(24)]
    ids = [d.dossier_id for d in dossiers]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda d: send(store, d), dossiers))
    time.sleep(rules.margin.total_seconds())

    # First only the dying workers, side by side, until each has died all its deaths.
    def die(s: KilledStore) -> None:
        seq, deadline = Sequencer(s, rules, sqs_publisher(env)), time.monotonic() + 30
        while s.kills and time.monotonic() < deadline:
            with contextlib.suppress(Crash):
                seq.advance()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(die, killed))
    assert [s.kills for s in killed] == [0, 0]
    numbered = [d for d in map(store.get_dossier, ids) if d and d.deposit_number]
    assert 6 <= len(numbered) <= 12  # one batch of one or two per death after write
    assert sorted(d.deposit_number or 0 for d in numbered) == list(range(1, len(numbered) + 1))
    # Their messages are in the outbox, unless the other dying worker, finding the walk's lease
    # taken, flushed some on its way out: at most one item per number given.
    left = list(store._query(store.counters, KeyConditionExpression=Key("pk").eq("OUTBOX")))
    assert len(left) <= len(numbered)
    done, errors = threading.Event(), list[BaseException]()
    threads: list[threading.Thread] = []
    # Then healthy workers join and finish the job.
    threads += run_numberers([Sequencer(Store(env), rules, sqs_publisher(env)) for _ in range(3)], done, errors)
    try:
        wait_until_concluded(store)
    finally:
        done.set()
        for t in threads:
            t.join(10)
    assert errors == []
    Sequencer(store, rules, sqs_publisher(env)).advance()
    ds = assert_fair_numbering(store, ids)
    assert_scoring_queue_once(env, ds)


def test_a_worker_killed_after_its_transaction_leaves_nothing_that_a_sweep_does_not_finish(clean: Settings) -> None:
    env = clean
    store = Store(env)
    rules = IMMEDIATE
    ids = [send(store, complete_dossier(store)).dossier_id for _ in range(3)]
    dying = Sequencer(KilledStore(env, "after_write", 1), rules, sqs_publisher(env))
    with pytest.raises(Crash):
        dying.advance()
    # The three were ready together: one transaction numbered them all.
    assert [d.deposit_number for d in map(store.get_dossier, ids) if d] == [1, 2, 3]
    assert drain(env.scoring_queue_url) == []  # the numbers are given, their messages not yet sent
    Sequencer(Store(env), rules, sqs_publisher(env)).advance()  # the sweep
    ds = assert_fair_numbering(store, ids)
    assert_scoring_queue_once(env, ds)


class DyingSQS:
    """SQS that lets `batches` SendMessageBatch calls through, then dies (the flushing Lambda with it)."""

    def __init__(self, batches: int) -> None:
        self.sqs, self.batches = default_aws().client("sqs"), batches

    def send_message_batch(self, **kwargs: Any) -> dict[str, Any]:
        if self.batches == 0:
            raise Crash("while sending the outbox")
        self.batches -= 1
        return dict(self.sqs.send_message_batch(**kwargs))


class ClaimThenDie(Store):
    """A relay's store whose process dies right after its `kills`-th claim landed: claimed, never sent."""

    def __init__(self, s: Settings, kills: int) -> None:
        super().__init__(s)
        self.claims = kills

    def claim_outbox_item(self, *args: Any, **kwargs: Any) -> Any:
        claim = super().claim_outbox_item(*args, **kwargs)
        self.claims -= 1
        if self.claims == 0:
            raise Crash("between the claim and the send")
        return claim


def outbox_of_three(env: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, list[str]]:
    monkeypatch.setattr(sequencing, "BATCH", 1)  # one outbox item per number
    store = Store(env)
    ids = [send(store, complete_dossier(store)).dossier_id for _ in range(3)]
    quiet = Store(env)
    monkeypatch.setattr(quiet, "outbox_items", lambda: iter(()))
    Sequencer(quiet, IMMEDIATE, sqs_publisher(env)).advance()
    assert len(list(store._query(store.counters, KeyConditionExpression=Key("pk").eq("OUTBOX")))) == 3
    return store, ids


def test_a_relay_dying_between_its_claim_and_its_send_is_taken_over_within_the_claim(
    clean: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = clean
    store, ids = outbox_of_three(env, monkeypatch)
    now = datetime.now(UTC)
    with pytest.raises(Crash):
        # number 1 sent and its item deleted; number 2's item claimed, then the relay's process died
        OutboxRelay(ClaimThenDie(env, kills=2), sqs_publisher(env)).flush(now)
    assert [m["deposit_number"] for m in drain(env.scoring_queue_url)] == [1]
    # The next relay, a second later: 3 may not overtake the claimed 2, so it waits for the claim to lapse,
    # then takes 2 over and sends 2 and 3, in order, once each.
    watch = Stopwatch()
    relay = OutboxRelay(store, sqs_publisher(env), sleep=watch.sleep, monotonic=watch.monotonic)
    assert relay.flush(now + timedelta(seconds=1)) == 2
    assert CLAIM.total_seconds() - 1 <= watch.t <= CLAIM.total_seconds()  # seconds, not the sweep's minute
    assert [m["deposit_number"] for m in drain(env.scoring_queue_url)] == [2, 3]
    assert list(store.outbox_items()) == []
    assert_fair_numbering(store, ids)


def test_a_relay_whose_send_fails_gives_its_claim_back_at_once(
    clean: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = clean
    store, ids = outbox_of_three(env, monkeypatch)
    now = datetime.now(UTC)
    dying = SqsPublisher(DyingSQS(batches=1), {"scoring": env.scoring_queue_url})
    with pytest.raises(Crash):
        OutboxRelay(store, dying).flush(now)  # number 1 sent; sending 2 fails
    watch = Stopwatch()
    relay = OutboxRelay(store, sqs_publisher(env), sleep=watch.sleep, monotonic=watch.monotonic)
    assert relay.flush(now) == 2
    assert watch.t == 0  # no claim to wait for
    assert [m["deposit_number"] for m in drain(env.scoring_queue_url)] == [1, 2, 3]
    assert_fair_numbering(store, ids)


def test_a_relay_behind_a_live_one_leaves_the_outbox_to_it(clean: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two live relays: the second meets the item the first is sending, waits, finds it sent, and stops (it
    does not trail the first through the outbox); the first sends everything, once each."""
    env = clean
    store, ids = outbox_of_three(env, monkeypatch)
    now = datetime.now(UTC)
    watch = Stopwatch()
    first_send: list[Any] = []
    second: list[int] = []

    def second_waits(seconds: float) -> None:
        watch.sleep(seconds)
        if first_send:  # meanwhile the first relay's send of number 1 ends, and it deletes the item
            sqs_publisher(env).publish(first_send.pop())
            (item,) = [i for i in store.outbox_items() if i.messages[0].order.endswith("1")]
            store.counters.delete_item(Key={"pk": "OUTBOX", "sk": item.key})

    class FirstPublisher:
        def publish(self, messages: Any) -> None:
            if second:
                sqs_publisher(env).publish(messages)
                return
            first_send.append(messages)  # number 1 is being sent, slowly: the second relay runs now
            relay = OutboxRelay(Store(env), sqs_publisher(env), sleep=second_waits, monotonic=watch.monotonic)
            second.append(relay.flush(now))

    # The second relay saw number 1's item held, waited, found it gone, and sent nothing.
    assert OutboxRelay(store, FirstPublisher()).flush(now) == 3
    assert second == [0]
    assert 0 < watch.t < 1
    assert [m["deposit_number"] for m in drain(env.scoring_queue_url)] == [1, 2, 3]
    assert list(store.outbox_items()) == []
    assert_fair_numbering(store, ids)


# ---------------------------------------------------------------- (c) redelivery after a timeout


def test_the_same_request_processed_twice_at_once_gives_one_number(clean: Settings) -> None:
    env = clean
    store = Store(env)
    rules = IMMEDIATE
    ids: list[str] = []
    twins = [Sequencer(Store(env), rules, sqs_publisher(env)) for _ in range(2)]
    for _ in range(8):
        d = send(store, complete_dossier(store))
        ids.append(d.dossier_id)
        request = CompletenessRequest(dossier_id=d.dossier_id, cause="envoi")
        barrier = threading.Barrier(2)

        def deliver(
            seq: Sequencer, request: CompletenessRequest = request, barrier: threading.Barrier = barrier
        ) -> int:
            barrier.wait()
            return len(seq.examine([request]))

        with ThreadPoolExecutor(2) as pool:
            concluded = list(pool.map(deliver, twins))
        assert sum(concluded) == 1, concluded
    ds = assert_fair_numbering(store, ids)
    assert_scoring_queue_once(env, ds)


def test_a_redelivery_inside_the_first_delivery_read_then_write_window_gives_one_number(clean: Settings) -> None:
    """Deterministic version: the second delivery runs entirely between the first one's read of the
    counter and its transaction."""
    env = clean
    store = Store(env)
    rules = IMMEDIATE
    d = send(store, complete_dossier(store))
    request = CompletenessRequest(dossier_id=d.dossier_id, cause="envoi")

    class NoLease(Store):
        """A worker whose lease check let it through anyway (an expired lease, say): only the
        transactions' conditions stand between two workers numbering the same head."""

        def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool:
            return True

        def release_lease(self, owner: str) -> None:
            pass

    second = Sequencer(NoLease(env), rules, sqs_publisher(env))

    class Interleaved(Store):
        hook: Callable[[], object] | None = None

        def counter(self) -> DepositCounter:
            c = super().counter()
            hook, self.hook = self.hook, None
            if hook:
                hook()
            return c

    first_store = Interleaved(env)
    first_store.hook = lambda: second.examine([request])
    assert Sequencer(first_store, rules, sqs_publisher(env)).examine([request]) == []  # lost the race, gave up quietly
    ds = assert_fair_numbering(store, [d.dossier_id])
    assert_scoring_queue_once(env, ds)
