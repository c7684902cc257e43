"""Property-based tests of the deposit numbering: the real Sequencer and Store against a moto server
(DynamoDB with its conditional writes and transactions), driven by a fake clock.

Hypothesis generates envois (ties included), the outcome of each dossier's piece examination and
the moment it lands, duplicate completeness requests, interleavings of `examine` and `advance` from
several simulated workers, a worker that runs in the middle of another's read-then-write, and
crashes before or after a transaction. Some verdicts never land during the run (intake down): an
hour later nothing has been concluded for want of them (a system fault never costs a bailleur its
rank, issue 16); then intake comes back, every verdict lands, and a last `advance` must leave every
envoi concluded, every accepted deposit numbered, numbers 1..K in (sent_at, envoi_id) order, one
`numerotation` audit entry per number, an intact, provable audit log and an empty outbox.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from unittest import mock

import ami.settings
import pytest
from ami.adapters.dynamodb import OutboxItem, Store
from ami.bootstrap import sqs_publisher
from ami.domain.audit import verify_log
from ami.domain.deposit_keys import piece_key
from ami.domain.dispositif import dispositif
from ami.domain.errors import Conflict, RetryLater
from ami.domain.models import (
    CompletenessRequest,
    Dossier,
    DossierStatus,
    Envoi,
    Notification,
)
from ami.domain.sequence import DepositCounter, PendingEnvoi
from ami.services import envoi
from ami.services.sequencing import Sequencer, SequencingRules
from ami.settings import Settings
from boto3.dynamodb.conditions import Key
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import empty_tables

from infra.local import provisioned_emulation
from infra.samples import StubDeposits, complete_form, land_pieces

SIREN = "732829320"
HOLD = timedelta(minutes=15)
MARGIN = timedelta(seconds=2)
RESERVATION = timedelta(seconds=120)
T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """One moto server for the module; the environment is restored afterwards."""
    with provisioned_emulation(tmp_path_factory.mktemp("aws")):
        yield ami.settings.settings()


# ---------------------------------------------------------------- doubles


@dataclass
class FakeClock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class Crash(Exception):
    """The worker's Lambda died here."""


class FaultyStore(Store):
    """A Store whose next transaction can crash (before it is written, or after it succeeded but before
    the caller hears of it), and whose next counter read can let another worker run in between."""

    def __init__(self, s: Settings) -> None:
        super().__init__(s)
        self.crash: tuple[str, int] | None = None  # (before / after, how many transactions to let through)
        self.after_counter: Callable[[], object] | None = None
        self.flush_enabled = True

    def _commit(self, ops: list[dict[str, Any]], on_conflict: Exception | None = None) -> None:
        mode = None
        if self.crash:
            mode, countdown = self.crash
            self.crash = (mode, countdown - 1) if countdown else None
            if countdown:
                mode = None
            else:
                event(f"crash {mode} a transaction")
        if mode == "before":
            raise Crash("before the transaction")
        super()._commit(ops, on_conflict)
        if mode == "after":
            raise Crash("after the transaction, before flush_outbox")

    def counter(self) -> DepositCounter:
        c = super().counter()
        hook, self.after_counter = self.after_counter, None
        if hook:
            event("another worker ran between a read of the counter and the write")
            hook()
        return c

    def outbox_items(self) -> Iterator[OutboxItem]:
        return super().outbox_items() if self.flush_enabled else iter(())


DEPOSITS = StubDeposits()


def rules(envelope: Decimal = Decimal(600_000_000)) -> SequencingRules:
    return SequencingRules(hold=HOLD, margin=MARGIN, reservation_timeout=RESERVATION, envelope=envelope)


def new_dossier(store: Store, loan: Decimal = Decimal("1000000")) -> Dossier:
    d = Dossier(
        dossier_id=uuid.uuid4().hex,
        siren=SIREN,
        form=complete_form("foncier", loan),
        created_at=T0,
        updated_at=T0,
    )
    store.create_dossier(d, "bailleur:test")
    return d


def land(store: Store, d: Dossier, accepted: bool, at: datetime) -> None:
    """Intake's verdict on each piece version (refused: the dossier de présentation)."""
    land_pieces(store, d, at, refuse_presentation=not accepted)


def send(store: Store, d: Dossier, clock: FakeClock) -> Dossier:
    current = store.get_dossier(d.dossier_id)
    assert current is not None
    return envoi.send(store, store, DEPOSITS, current, "bailleur:test", clock=clock.now)


def record_at(
    store: Store, d: Dossier, at: datetime, envoi_id: str | None = None, reserve: bool = True
) -> Dossier:
    """An envoi recorded directly, with a chosen server time (reserved just before, unless told)."""
    current = store.get_dossier(d.dossier_id)
    assert current is not None
    pieces = {k: DEPOSITS.snapshot(piece_key(d.siren, d.dossier_id, k)) for k in dispositif().piece_kinds}
    e = Envoi(envoi_id=envoi_id or uuid.uuid4().hex, sent_at=at, pieces={k: p for k, p in pieces.items() if p})
    if reserve:
        store.reserve_envoi(PendingEnvoi.new(d.dossier_id, e.envoi_id, at))
    return store.record_envoi(current, e, "bailleur:test")


def outbox_messages(store: Store) -> list[dict[str, Any]]:
    """Every message waiting in the outbox, in the order it would be sent."""
    items = store._query(store.counters, KeyConditionExpression=Key("pk").eq("OUTBOX"), ConsistentRead=True)
    return [m for i in items for m in json.loads(i["messages"])]


def check_invariants(store: Store, dossier_ids: list[str]) -> list[Dossier]:
    """What must hold once everything is concluded; returns the dossiers as stored."""
    assert store.pending_envois() == []
    dossiers = [store.get_dossier(i) for i in dossier_ids]
    assert all(d is not None for d in dossiers)
    ds = [d for d in dossiers if d is not None]
    numbered = sorted((d for d in ds if d.deposit_number is not None), key=lambda d: d.deposit_number or 0)
    k = len(numbered)
    assert [d.deposit_number for d in numbered] == list(range(1, k + 1))
    assert store.counter().number == k
    for d in ds:
        if d.status in (DossierStatus.COMPLET, DossierStatus.LISTE_ATTENTE):
            assert d.deposit_number is not None
        else:
            assert d.status == DossierStatus.INCOMPLET, d.status
            assert d.deposit_number is None and d.incomplete_reasons
    keys = [(d.envoi.sent_at, d.envoi.envoi_id) for d in numbered if d.envoi]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "numbers out of deposit order"
    entries = store.audit_entries()
    assert verify_log(entries) == []
    given_numbers = Counter(e.details["deposit_number"] for e in entries if e.action == "numerotation")
    assert given_numbers == Counter(range(1, k + 1)), "one numerotation entry per number"
    assert outbox_messages(store) == []
    return ds


# ---------------------------------------------------------------- the property


@dataclass
class Plan:
    outcomes: list[str]  # accepted / refused / late (accepted once intake is back), per dossier
    steps: list[tuple[Any, ...]]
    workers: int
    salt: int  # envoi ids derive from it, so that ties break the same way when hypothesis replays


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(1, 12))
    workers = draw(st.integers(1, 3))
    outcomes = draw(st.lists(st.sampled_from(["accepted", "accepted", "refused", "late"]), min_size=n, max_size=n))
    i = st.integers(0, n - 1)
    w = st.integers(0, workers - 1)
    fault = st.one_of(
        st.none(),
        st.tuples(st.sampled_from(["before", "after"]), st.integers(0, 2)),  # crash the k-th transaction
        st.tuples(st.just("race"), w),  # worker w runs between this one's read and its write
    )
    step = st.one_of(
        # examine(dossier i) when i is given (duplicates and stray requests included), else advance();
        # the request's complete_when_sent is only a hint, so it is drawn freely (wrong ones included)
        st.tuples(
            st.just("work"),
            w,
            st.one_of(st.none(), i),
            st.sampled_from(["envoi", "piece", "sweep"]),
            st.booleans(),
            fault,
        ),
        st.tuples(st.just("tick"), st.sampled_from([0, 0, 1, 1, 2, 3, 3, 5, 10, 60, 1000])),
    )
    steps: list[tuple[Any, ...]] = draw(st.lists(step, min_size=n, max_size=3 * n + 6))
    # Each dossier is sent once and its pieces' verdicts land once, anywhere among the other steps.
    for j in range(n):
        for kind in ("send", "land"):
            steps.insert(draw(st.integers(0, len(steps))), (kind, j))
    return Plan(outcomes, steps, workers, draw(st.integers(0, 2**32)))


@dataclass
class Run:
    clock: FakeClock = field(default_factory=FakeClock)
    sent_at: dict[int, datetime] = field(default_factory=dict)
    landed_at: dict[int, datetime] = field(default_factory=dict)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plan=plans())
def test_numbering_is_gapless_ordered_and_provable_under_any_interleaving(env: Settings, plan: Plan) -> None:
    empty_tables(env)
    ids = (hashlib.sha256(f"{plan.salt}-{k}".encode()).hexdigest()[:32] for k in range(10_000))
    with mock.patch.object(envoi, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=next(ids)))):
        _run_plan(env, plan)


def _run_plan(env: Settings, plan: Plan) -> None:
    run = Run()
    api = Store(env)
    stores = [FaultyStore(env) for _ in range(plan.workers)]
    publisher = sqs_publisher(env)
    workers = [Sequencer(s, rules(), publisher, clock=run.clock.now, sleep=run.clock.sleep) for s in stores]
    dossiers = [new_dossier(api) for _ in plan.outcomes]

    def do_send(i: int) -> None:
        if i not in run.sent_at:
            sent = send(api, dossiers[i], run.clock)
            assert sent.envoi is not None
            run.sent_at[i] = sent.envoi.sent_at
            landed_accepted = i in run.landed_at and plan.outcomes[i] == "accepted"
            assert sent.envoi.complete_when_sent == landed_accepted  # final only when it is
            if sent.envoi.complete_when_sent:
                event("a dossier complete when sent")

    def do_land(i: int, intake_back: bool = False) -> None:
        if (plan.outcomes[i] != "late" or intake_back) and i not in run.landed_at:
            land(api, dossiers[i], plan.outcomes[i] != "refused", run.clock.now())
            run.landed_at[i] = run.clock.now()

    for step in plan.steps:
        if step[0] == "send":
            do_send(step[1])
        elif step[0] == "land":
            do_land(step[1])
        elif step[0] == "tick":
            run.clock.sleep(step[1])
        else:
            _, w, i, cause, hint, fault = step
            if fault and fault[0] == "race":
                stores[w].after_counter = workers[fault[1]].advance
            elif fault:
                stores[w].crash = fault
            try:
                if i is None:
                    workers[w].advance()
                else:
                    request = CompletenessRequest(
                        dossier_id=dossiers[i].dossier_id, cause=cause, complete_when_sent=hint
                    )
                    workers[w].examine([request])
            except Crash:
                event("a worker crashed")
            for s in stores:
                s.crash, s.after_counter = None, None

    # Every dossier is sent and every verdict of a working intake lands; intake stays down an hour.
    for i in range(len(dossiers)):
        do_send(i)
        do_land(i)
    run.clock.sleep(3600 + (HOLD + MARGIN).total_seconds())
    workers[0].advance()
    waiting = [i for i, o in enumerate(plan.outcomes) if o == "late"]
    for i in waiting:
        stored = api.get_dossier(dossiers[i].dossier_id)
        assert stored is not None and stored.status == DossierStatus.ENVOYE, "a deposit lost its rank"
    if waiting:
        head, seconds = workers[0].held_back()
        assert head is not None and seconds >= HOLD.total_seconds(), "the hold is not reported to the alarm"
        event("intake down an hour, then back")
    # Intake is back: the late verdicts land, and the numbering resumes by itself.
    for i in range(len(dossiers)):
        do_land(i, intake_back=True)
    run.clock.sleep(MARGIN.total_seconds() + 1)
    workers[0].advance()

    ds = check_invariants(api, [d.dossier_id for d in dossiers])
    for i, d in enumerate(ds):
        codes = {r.code for r in d.incomplete_reasons}
        if plan.outcomes[i] == "refused":
            assert d.status == DossierStatus.INCOMPLET and codes == {"piece_refusee_dossier_presentation"}
        else:
            assert d.status == DossierStatus.COMPLET, (plan.outcomes[i], d.status, codes)
    complete = [d for d in ds if d.status == DossierStatus.COMPLET]
    event(f"{len(complete)} numbered of {len(ds)}")
    if len(set(run.sent_at.values())) < len(run.sent_at):
        event("tied deposit times")
    assert api.counter().principal == sum((d.loan_total for d in complete), Decimal(0))


# ---------------------------------------------------------------- the envelope


def test_the_dossier_that_exceeds_the_envelope_and_every_later_one_wait_with_their_numbers(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    store = FaultyStore(env)
    store.flush_enabled = False  # keep the outbox to read it
    workers = [Sequencer(store, rules(Decimal("10000000")), sqs_publisher(env),
                  clock=clock.now, sleep=clock.sleep)]
    workers.append(Sequencer(FaultyStore(env), rules(Decimal("10000000")), sqs_publisher(env),
                  clock=clock.now, sleep=clock.sleep))
    workers[1].store.flush_enabled = False  # type: ignore[attr-defined]
    loans = ["4000000", "5000000", "2000000", "500000", "3000000"]  # 4 + 5 fit in 10 M; 2 does not; 0.5 would
    dossiers = []
    for loan in loans:
        d = new_dossier(store, Decimal(loan))
        land(store, d, True, clock.now())
        dossiers.append(record_at(store, d, clock.now()))
        clock.sleep(1)
    clock.sleep(10)
    for w in workers * 2:
        w.advance()
    ds = check_invariants_keep_outbox(store, [d.dossier_id for d in dossiers])
    assert [d.status for d in ds] == [DossierStatus.COMPLET] * 2 + [DossierStatus.LISTE_ATTENTE] * 3
    assert [d.deposit_number for d in ds] == [1, 2, 3, 4, 5]
    assert store.counter() == DepositCounter(5, Decimal("9000000"), True)
    bodies = [Notification.model_validate_json(i["body"]) for i in outbox_messages(store) if not i["group_id"]]
    consumed = [n for n in bodies if n.kind == "enveloppe_consommee"]
    assert len(consumed) == 1 and consumed[0].dossier_id == dossiers[2].dossier_id
    assert consumed[0].details == {"principal": "9000000"}
    assert sorted(n.dossier_id for n in bodies if n.kind == "liste_attente") == sorted(
        d.dossier_id for d in dossiers[2:]
    )
    numbered_msgs = [json.loads(i["body"]) for i in outbox_messages(store) if i["group_id"]]
    assert sorted(m["deposit_number"] for m in numbered_msgs) == [1, 2]  # only complets go to scoring
    store.flush_enabled = True
    workers[0].advance()
    assert outbox_messages(store) == []


def check_invariants_keep_outbox(store: Store, ids: list[str]) -> list[Dossier]:
    assert store.pending_envois() == []
    ds = [store.get_dossier(i) for i in ids]
    assert all(d is not None for d in ds)
    entries = store.audit_entries()
    assert verify_log(entries) == []
    assert Counter(e.details["deposit_number"] for e in entries if e.action == "numerotation") == Counter(
        d.deposit_number for d in ds if d and d.deposit_number
    )
    return [d for d in ds if d is not None]


def test_a_dossier_exactly_filling_the_envelope_is_numbered_complete(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    store = Store(env)
    seq = Sequencer(store, rules(Decimal("3000000")), sqs_publisher(env),
                  clock=clock.now, sleep=clock.sleep)
    ids = []
    for loan in ("1000000", "2000000", "0.01"):
        d = new_dossier(store, Decimal(loan))
        land(store, d, True, clock.now())
        ids.append(record_at(store, d, clock.now()).dossier_id)
        clock.sleep(1)
    clock.sleep(5)
    seq.advance()
    ds = check_invariants(store, ids)
    assert [d.status for d in ds] == [DossierStatus.COMPLET, DossierStatus.COMPLET, DossierStatus.LISTE_ATTENTE]
    assert store.counter() == DepositCounter(3, Decimal("3000000"), True)


# ---------------------------------------------------------------- reservations


def test_a_reserved_head_holds_the_numbering_until_its_envoi_is_recorded(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    store = Store(env)
    seq = Sequencer(store, rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    first, second = new_dossier(store), new_dossier(store)
    for d in (first, second):
        land(store, d, True, clock.now())
    reservation = PendingEnvoi.new(first.dossier_id, "a" * 32, clock.now())
    store.reserve_envoi(reservation)
    clock.sleep(1)
    record_at(store, second, clock.now())
    clock.sleep(60)  # well past the margin, not past the reservation timeout
    assert seq.advance() == []
    assert [p.reserved for p in store.pending_envois()] == [True, False]
    record_at(store, first, reservation.sent_at, envoi_id=reservation.envoi_id, reserve=False)
    assert [(c.dossier_id, c.deposit_number) for c in seq.advance()] == [
        (first.dossier_id, 1),
        (second.dossier_id, 2),
    ]
    check_invariants(store, [first.dossier_id, second.dossier_id])


def test_a_reservation_older_than_its_timeout_is_dropped(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    store = Store(env)
    seq = Sequencer(store, rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    first, second = new_dossier(store), new_dossier(store)
    land(store, second, True, clock.now())
    store.reserve_envoi(PendingEnvoi.new(first.dossier_id, "a" * 32, clock.now()))
    clock.sleep(1)
    record_at(store, second, clock.now())
    clock.sleep(RESERVATION.total_seconds() - 2)
    assert seq.advance() == []  # 119 s: still held
    clock.sleep(1)
    assert [(c.dossier_id, c.deposit_number) for c in seq.advance()] == [(second.dossier_id, 1)]
    assert store.pending_envois() == []
    first_now = store.get_dossier(first.dossier_id)
    assert first_now is not None and first_now.status == DossierStatus.BROUILLON
    check_invariants(store, [second.dossier_id])


def test_a_late_record_after_a_dropped_reservation_is_refused(env: Settings) -> None:
    """A reservation dropped as stale cannot be recorded any more: the bailleur must send again."""
    empty_tables(env)
    clock = FakeClock()
    store = Store(env)
    seq = Sequencer(store, rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    late, other = new_dossier(store), new_dossier(store)
    reservation = PendingEnvoi.new(late.dossier_id, "b" * 32, clock.now())
    store.reserve_envoi(reservation)
    land(store, other, True, clock.now())
    record_at(store, other, clock.now() + timedelta(seconds=1))
    clock.sleep(RESERVATION.total_seconds() + 1)
    seq.advance()  # drops the reservation, numbers `other`
    with pytest.raises(Conflict):
        record_at(store, late, reservation.sent_at, envoi_id=reservation.envoi_id, reserve=False)
    assert store.pending_envois() == []
    still = store.get_dossier(late.dossier_id)
    assert still is not None and still.status == DossierStatus.BROUILLON


def test_a_late_record_after_a_dropped_reservation_is_not_numbered_out_of_order(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    store = Store(env)
    seq = Sequencer(store, rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    late, other = new_dossier(store), new_dossier(store)
    for d in (late, other):
        land(store, d, True, clock.now())
    reservation = PendingEnvoi.new(late.dossier_id, "b" * 32, clock.now())
    store.reserve_envoi(reservation)
    record_at(store, other, clock.now() + timedelta(seconds=1))
    clock.sleep(RESERVATION.total_seconds() + 1)
    seq.advance()
    with pytest.raises(Conflict):  # what the fair rule requires: the envoi must be sent again
        record_at(store, late, reservation.sent_at, envoi_id=reservation.envoi_id, reserve=False)
    seq.advance()
    check_invariants(store, [other.dossier_id])
    never_sent = store.get_dossier(late.dossier_id)
    assert never_sent is not None and never_sent.status == DossierStatus.BROUILLON


class SlowReservations(Store):
    def __init__(self, s: Settings, clock: FakeClock, delay: float) -> None:
        super().__init__(s)
        self.clock, self.delay = clock, delay

    def reserve_envoi(self, pending: PendingEnvoi) -> None:
        super().reserve_envoi(pending)
        self.clock.sleep(self.delay)


def test_envoi_gives_up_when_the_reservation_is_slower_than_half_the_margin(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    margin = 2.0  # clock_margin_seconds of the dispositif, which envoi.send reads
    slow = SlowReservations(env, clock, margin / 2 + 0.001)
    d = new_dossier(slow)
    with pytest.raises(RetryLater):
        send(slow, d, clock)
    assert slow.pending_envois() == []  # the reservation was given up
    after = slow.get_dossier(d.dossier_id)
    assert after is not None and after.status == DossierStatus.BROUILLON and after.envoi is None

    slow.delay = margin / 2  # exactly half: accepted
    sent = send(slow, d, clock)
    assert sent.status == DossierStatus.ENVOYE
    assert [p.reserved for p in slow.pending_envois()] == [False]


def test_envoi_cancels_its_reservation_when_recording_fails(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    store = Store(env)
    d = new_dossier(store)
    send(store, d, clock)
    with pytest.raises(Conflict):
        envoi.send(store, store, DEPOSITS, d, "bailleur:test", clock=clock.now)  # stale version: refused
    assert [p.reserved for p in store.pending_envois()] == [False]


def test_an_envoi_goes_ahead_when_the_pieces_verdicts_cannot_be_read(env: Settings) -> None:
    """The verdict at envoi only spares the numbering a read: without it the deposit is still taken."""
    from botocore.exceptions import ClientError

    class Unreadable(Store):
        def piece_records(self, dossier_id: str) -> dict[tuple[str, str], Any]:  # what the envoi reads
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "Query")

    empty_tables(env)
    clock = FakeClock()
    api = Unreadable(env)
    d = new_dossier(api)
    land(api, d, True, clock.now())
    sent = send(api, d, clock)
    assert sent.status == DossierStatus.ENVOYE and sent.envoi is not None
    assert not sent.envoi.complete_when_sent  # complete in fact, but not known to be at envoi
    clock.sleep(5)
    seq = Sequencer(Store(env), rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    assert [(c.dossier_id, c.deposit_number) for c in seq.advance()] == [(d.dossier_id, 1)]


# ---------------------------------------------------------------- complete when sent


class CountingStore(Store):
    """Counts, by dossier, the reads of dossiers and of their piece records."""

    def __init__(self, s: Settings) -> None:
        super().__init__(s)
        self.dossier_reads: Counter[str] = Counter()
        self.piece_reads: Counter[str] = Counter()

    def get_dossiers(self, dossier_ids: list[str]) -> dict[str, Dossier]:
        self.dossier_reads.update(dossier_ids)
        return super().get_dossiers(dossier_ids)

    def deposit_records(self, dossiers: list[Dossier]) -> dict[str, Any]:
        self.piece_reads.update(d.dossier_id for d in dossiers)
        return super().deposit_records(dossiers)

    def piece_records(self, dossier_id: str) -> dict[tuple[str, str], Any]:
        self.piece_reads[dossier_id] += 1
        return super().piece_records(dossier_id)


def test_a_deposit_complete_when_sent_is_numbered_without_reading_its_pieces_again(env: Settings) -> None:
    empty_tables(env)
    clock = FakeClock()
    api = Store(env)
    early, late = new_dossier(api), new_dossier(api)
    land(api, early, True, clock.now())
    sent_early = send(api, early, clock)  # every piece already accepted: complete, and final
    clock.sleep(1)
    sent_late = send(api, late, clock)  # its pieces are not examined yet
    assert sent_early.envoi is not None and sent_early.envoi.complete_when_sent
    assert sent_late.envoi is not None and not sent_late.envoi.complete_when_sent

    store = CountingStore(env)
    seq = Sequencer(store, rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    clock.sleep(5)
    flagged = CompletenessRequest(dossier_id=early.dossier_id, cause="envoi", complete_when_sent=True)
    assert [(c.dossier_id, c.deposit_number) for c in seq.examine([flagged])] == [(early.dossier_id, 1)]
    # The request said complete: examine itself read nothing; the walk read the dossier (to write
    # its next version) but never its pieces; `late`, not complete when sent, had its pieces read.
    assert store.dossier_reads[early.dossier_id] == 1
    assert store.piece_reads[early.dossier_id] == 0
    assert store.piece_reads[late.dossier_id] >= 1

    land(api, late, True, clock.now())
    store.piece_reads.clear()
    request = CompletenessRequest(dossier_id=late.dossier_id, cause="piece")
    assert [(c.dossier_id, c.deposit_number) for c in seq.examine([request])] == [(late.dossier_id, 2)]
    assert store.piece_reads[late.dossier_id] >= 2  # the examination's look, then the walk's
    check_invariants(api, [early.dossier_id, late.dossier_id])


def test_a_request_wrongly_flagged_complete_does_not_number_an_incomplete_deposit(env: Settings) -> None:
    """The request's flag only spares the early look; the dossier's own envoi decides."""
    empty_tables(env)
    clock = FakeClock()
    api = Store(env)
    d = new_dossier(api)
    land(api, d, False, clock.now())  # the dossier de présentation refused
    sent = send(api, d, clock)
    assert sent.envoi is not None and not sent.envoi.complete_when_sent
    clock.sleep(5)
    seq = Sequencer(Store(env), rules(), sqs_publisher(env), clock=clock.now, sleep=clock.sleep)
    wrong = CompletenessRequest(dossier_id=d.dossier_id, cause="envoi", complete_when_sent=True)
    assert [(c.dossier_id, c.outcome) for c in seq.examine([wrong])] == [(d.dossier_id, "incomplet")]
    after = api.get_dossier(d.dossier_id)
    assert after is not None and after.deposit_number is None
    assert {r.code for r in after.incomplete_reasons} == {"piece_refusee_dossier_presentation"}
