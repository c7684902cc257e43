"""Completeness verdicts and deposit numbering, in deposit order (docs/numbering.md).

Pending envois are kept sorted by (server time of envoi, envoi id). Only the oldest pending envoi
(the watermark) can be numbered; a later one that is already complete waits behind it, so a slow
intake, a retry or a cold start never lets a later deposit overtake an earlier one. An incomplete
dossier gets no number, so it is concluded at once, wherever it stands. A head is never concluded
for want of a verdict: a piece check that has not ended is our fault (intake down, a queue stuck),
never the bailleur's, so the head keeps its rank and holds the numbering, and after
`hold_alarm_seconds` the sweep raises an alarm (`held_back`); the numbering resumes by itself once
the verdicts land.

Each conclusion is one DynamoDB transaction (counter + dossier + pending item + audit entry + outbox),
guarded by conditions; a complete head and the complete deposits right behind it are numbered
together, in order, in one such transaction. A worker that loses a race re-reads and carries on.
Numbers are therefore gapless and given once, under any number of concurrent workers and redeliveries.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from ami.domain import messages
from ami.domain.dispositif import Dispositif, dispositif, dispositifs
from ami.domain.errors import ConditionFailed
from ami.domain.models import (
    CompletenessRequest,
    DepositNumbered,
    Dossier,
    DossierStatus,
    Reason,
    utcnow,
)
from ami.domain.rules import Verdict, assess
from ami.domain.sequence import DepositCounter, PendingEnvoi, ToNumber
from ami.services.outbox import OutboxRelay
from ami.services.ports import Deposits, Publisher, Store

log = logging.getLogger("ami.sequencing")
MAX_STEPS = 500  # per walk; the next message or the sweep carries on
BATCH = 32  # deposits numbered per transaction: 3 items each (+ counter, outbox) <= 100
RELAY_PAUSE_SECONDS = 0.05  # the relay alongside a walk looks at the outbox again after finding it empty
LOOKAHEAD = 3  # batches read at once: one query and one BatchGetItem (<= 100 keys) for up to 96 deposits
MAX_ROUNDS = 20  # walks per invocation (a new one when the head became ready during the last)
MAX_WAIT_SECONDS = 5.0  # longest pause for the clock margin inside one invocation
# An envoi of a dispositif without numbering still « envoyé » after this long lost its completeness request
# (the API's send failed after the deposit was recorded): the sweep examines it again.
UNNUMBERED_GRACE = timedelta(minutes=2)
LEASE_TTL = timedelta(seconds=35)  # longer than a Lambda's timeout: a crashed walker's lease ends by itself


@dataclass(frozen=True)
class SequencingRules:
    hold: timedelta  # a completeness check holding the numbering back this long raises the alarm
    margin: timedelta  # a deposit younger than this is not numbered yet (clock skew, requests in flight)
    reservation_timeout: timedelta  # a reservation never turned into an envoi is dropped after this
    envelope: Decimal  # loan principal the guarantee can cover
    # Conclude an undecided head `incomplet` after this long. None (the dispositif's rule): never, since
    # a check that does not end is the service's fault; only a stack whose checks can never land (a
    # test's fake piece versions) gives up.
    give_up: timedelta | None = None

    @classmethod
    def of(cls, rules: Dispositif) -> SequencingRules:
        return cls(
            hold=timedelta(seconds=rules.hold_alarm_seconds),
            margin=timedelta(seconds=rules.clock_margin_seconds),
            reservation_timeout=timedelta(seconds=rules.reservation_timeout_seconds),
            envelope=Decimal(rules.enveloppe),
        )


@dataclass(frozen=True)
class Step:
    """What the head of the deposit sequence allows: hold (the watermark), wait out the clock margin,
    drop a stale reservation, or conclude the head complete (with the complete deposits right behind
    it, `ready`) or incomplete."""

    kind: Literal["hold", "wait", "drop", "complet", "incomplet"]
    head: PendingEnvoi | None = None
    dossier: Dossier | None = None
    reasons: tuple[Reason, ...] = ()
    wait_seconds: float = 0.0
    ready: tuple[tuple[PendingEnvoi, Dossier], ...] = ()  # "complet": the head first, then those behind it


@dataclass(frozen=True)
class Conclusion:
    dossier_id: str
    outcome: Literal["complet", "incomplet", "liste_attente"]
    deposit_number: int | None = None


def timeout_reason(hold: timedelta) -> Reason:
    minutes = int(hold.total_seconds()) // 60
    return Reason(
        code="controle_non_termine",
        message=(
            f"Le contrôle des pièces n'a pas pu aboutir dans le délai de {minutes} minutes "
            "(pièce non reçue ou illisible). Vérifiez vos pièces et envoyez à nouveau le dossier."
        ),
    )


class Sequencer:
    def __init__(
        self,
        store: Store,
        rules: SequencingRules,
        publisher: Publisher,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
        relay: OutboxRelay | None = None,
        deposits: Deposits | None = None,
    ) -> None:
        self.store = store
        self.deposits = deposits  # None: a test of the numbering alone, whose pieces are not in a bucket
        self.relay = relay or OutboxRelay(store, publisher)
        self.rules = rules
        self.clock = clock
        self.sleep = sleep

    # ------------------------------------------------------------ the two entry points

    def examine(self, requests: Sequence[CompletenessRequest]) -> list[Conclusion]:
        """Conclude at once the named dossiers found incomplete, wherever they stand in the sequence
        (they get no number, so none need wait), then number what can be numbered."""
        conclusions: list[Conclusion] = []
        found = self.store.get_dossiers([r.dossier_id for r in requests if not r.complete_when_sent])
        sent = [d for d in found.values() if d.status == DossierStatus.ENVOYE and d.envoi is not None]
        verdicts = self._verdicts(sent)
        for d in sent:
            if not dispositif(d.dispositif).numbered:
                # Not first come, first served (the DROM's): each dossier is concluded on its own, numberless.
                if verdicts[d.dossier_id] == "complet":
                    conclusions += self._conclude_unnumbered(d)
                elif verdicts[d.dossier_id] == "incomplet":
                    conclusions += self._conclude_incomplete(None, d, self._reasons(d))
            elif verdicts[d.dossier_id] == "incomplet":
                conclusions += self._conclude_incomplete(PendingEnvoi.of(d), d, self._reasons(d))
        return conclusions + self.advance(flush=bool(conclusions))

    def sweep_unnumbered(self) -> list[Conclusion]:
        """Examine again the sent dossiers of the dispositifs without numbering (the DROM's) left « envoyé »
        past `UNNUMBERED_GRACE`: their deposit has no pending envoi for the walk to find, so a lost
        completeness request would leave them waiting for ever. Read per département from the delegations'
        index; a dossier whose pieces are still being checked stays as it is (intake's verdict asks again)."""
        now = self.clock()
        stale = [
            CompletenessRequest(dossier_id=d.dossier_id, cause="sweep")
            for code, rules in dispositifs().items()
            if not rules.numbered
            for delegation in rules.instructeurs.delegations
            for departement in delegation.departements
            for d in self.store.list_territoire(code, departement)
            if d.status == DossierStatus.ENVOYE and d.envoi is not None and now - d.envoi.sent_at >= UNNUMBERED_GRACE
        ]
        return self.examine(stale) if stale else []

    def advance(self, flush: bool = False) -> list[Conclusion]:
        """Walk the pending envois from the oldest, concluding each one that can be concluded.

        One worker walks at a time (a lease in the counters table) so that concurrent workers do not
        race for the same head. A worker that finds the lease taken leaves the walk to its holder,
        who looks at the head once more after releasing it: nothing made ready meanwhile waits for
        the sweep. The transactions' conditions, not the lease, are what keep the numbering right.

        The walker sends the outbox afterwards (what it wrote, and what a crashed worker left); so
        does a caller that concluded something itself (`flush`).
        """
        conclusions: list[Conclusion] = []
        owner = uuid.uuid4().hex
        for _ in range(MAX_ROUNDS):
            if not self.store.acquire_lease(owner, self.clock(), LEASE_TTL):
                break
            flush = True
            try:
                conclusions += self._walk()
            finally:
                self.store.release_lease(owner)
            if self._next_step(lookahead=1).kind == "hold":
                break
        if flush:
            self.relay.flush(self.clock())
        return conclusions

    def _walk(self) -> list[Conclusion]:
        """The walk; from its second step on, a thread sends the outbox meanwhile (`_relay_alongside`)."""
        relay = _RelayAlongside(self.relay, self.clock)
        try:
            return self._steps(relay)
        finally:
            relay.stop()

    def _steps(self, relay: _RelayAlongside) -> list[Conclusion]:
        conclusions: list[Conclusion] = []
        for n in range(MAX_STEPS):
            if n == 1 and conclusions:
                relay.start()  # a long walk: its first messages leave while it goes on
            step = self._next_step(lookahead=LOOKAHEAD * BATCH)
            if step.kind == "hold":
                break  # the watermark: nothing sent later may be numbered before this head
            assert step.head is not None
            if step.kind == "wait":
                # A deposit taken a moment earlier elsewhere may not be visible yet: wait it out.
                self.sleep(step.wait_seconds)
            elif step.kind == "drop":
                self.store.cancel_reservation(step.head)
            elif step.kind == "complet":
                # The ready deposits read together are numbered BATCH per transaction, in order, the counter
                # read before each; a batch that lost a race ends the step (the next one reads afresh).
                for start in range(0, len(step.ready), BATCH):
                    done = self._conclude_complete(step.ready[start : start + BATCH], self.store.counter())
                    conclusions += done
                    if not done:
                        break
            else:
                assert step.dossier is not None
                conclusions += self._conclude_incomplete(step.head, step.dossier, list(step.reasons))
        return conclusions

    def _next_step(self, lookahead: int) -> Step:
        """What the head of the sequence allows now, looking at up to `lookahead` pending envois."""
        heads = self.store.pending_envois(limit=lookahead)
        if not heads:
            return Step("hold")
        head, now = heads[0], self.clock()
        age = now - head.sent_at
        if head.reserved:
            # An envoi being recorded holds its place, briefly.
            return Step("drop", head) if age >= self.rules.reservation_timeout else Step("hold")
        recorded = list(itertools.takewhile(lambda p: not p.reserved, heads))
        dossiers = self.store.get_dossiers([p.dossier_id for p in recorded])
        d = dossiers.get(head.dossier_id)
        if d is None or d.envoi is None or d.envoi.envoi_id != head.envoi_id:
            raise RuntimeError(f"pending envoi {head.envoi_id} has no matching dossier")
        verdicts = self._verdicts(list(dossiers.values()))
        if verdicts[d.dossier_id] == "complet":
            young = (self.rules.margin - age).total_seconds()
            if young <= 0:
                behind = self._ready_behind(recorded[1:], dossiers, verdicts, now)
                return Step("complet", head, d, ready=((head, d), *behind))
            return Step("wait", head, wait_seconds=young) if young <= MAX_WAIT_SECONDS else Step("hold")
        if verdicts[d.dossier_id] == "incomplet":
            return Step("incomplet", head, d, tuple(self._reasons(d)))
        if self.rules.give_up is not None and age >= self.rules.give_up:
            return Step("incomplet", head, d, (timeout_reason(self.rules.give_up),))
        return Step("hold", head)  # the watermark: an undecided head keeps its rank

    def _ready_behind(
        self,
        pending: list[PendingEnvoi],
        dossiers: dict[str, Dossier],
        verdicts: dict[str, Verdict],
        now: datetime,
    ) -> Iterator[tuple[PendingEnvoi, Dossier]]:
        """The deposits right behind a complete head that can be numbered with it: each complete and
        past the clock margin, in order, up to the first that is not (it ends the batch)."""
        for p in pending:
            d = dossiers.get(p.dossier_id)
            if d is None or d.status != DossierStatus.ENVOYE or d.envoi is None or d.envoi.envoi_id != p.envoi_id:
                return  # concluded or sent again meanwhile: the next step sees it as it is
            if now - p.sent_at < self.rules.margin or verdicts[d.dossier_id] != "complet":
                return
            yield p, d

    def _verdicts(self, dossiers: list[Dossier]) -> dict[str, Verdict]:
        """Each sent dossier's verdict; the pieces are read only for those not complete when sent."""
        undecided = [d for d in dossiers if d.envoi is not None and not d.envoi.complete_when_sent]
        records = self.store.deposit_records(undecided) if undecided else {}
        verdicts: dict[str, Verdict] = {d.dossier_id: assess(d, records[d.dossier_id]).verdict for d in undecided}
        for d in dossiers:
            if d.envoi is not None and d.envoi.complete_when_sent:
                verdicts[d.dossier_id] = "complet"
        return verdicts

    def _reasons(self, d: Dossier) -> list[Reason]:
        """Why a sent dossier is incomplete, read against every piece record (a refused file that the
        envoi does not hold explains a missing piece)."""
        return list(assess(d, self.store.piece_records(d.dossier_id)).reasons)

    def held_back(self) -> tuple[PendingEnvoi | None, float]:
        """The undecided head holding the numbering back and for how many seconds since its deposit
        (None and 0 when nothing holds it): the sweep reports it, the alarm fires past `hold`."""
        step = self._next_step(lookahead=1)
        if step.kind != "hold" or step.head is None or step.head.reserved:
            return None, 0.0
        return step.head, (self.clock() - step.head.sent_at).total_seconds()

    # ------------------------------------------------------------ conclusions

    def _hold(self, sent: Sequence[Dossier]) -> None:
        """Put the legal hold on every version the deposits hold, before they are concluded: the envoi
        leaves it to the numbering for the versions intake had accepted (nobody moves those away;
        docs/numbering.md). Holding twice is harmless, so a redelivered message, a race lost or the
        sweep holds again. Should a hold fail, nothing is concluded: the message or the sweep retries."""
        if self.deposits is None:
            return
        versions = [(p.key, p.version_id) for d in sent if d.envoi is not None for p in d.envoi.pieces.values()]
        for key, version_id in self.deposits.hold_all(versions):
            # A deposited version lost (it should never be): the evidence is gone; concluding still stands.
            log.error("version déposée introuvable, non retenue : %s (version %s)", key, version_id)

    def _conclude_complete(
        self, ready: tuple[tuple[PendingEnvoi, Dossier], ...], before: DepositCounter
    ) -> list[Conclusion]:
        """Number the ready deposits n+1, n+2, … in one transaction, filling the envelope in that order.
        Returns the conclusions (none when the race was lost)."""
        after = before
        batch: list[ToNumber] = []
        conclusions: list[Conclusion] = []
        for head, d in ready:
            number, principal = after.number + 1, after.principal + d.loan_total
            if not after.closed and principal <= self.rules.envelope:
                numbered = DepositNumbered(dossier_id=d.dossier_id, deposit_number=number, deposited_at=head.sent_at)
                batch.append(ToNumber(head, d, DossierStatus.COMPLET, [messages.deposit_numbered(numbered)]))
                conclusions.append(Conclusion(d.dossier_id, "complet", number))
                after = DepositCounter(number, principal, False)
                continue
            # Once one dossier waits, every later one waits too: none may overtake it.
            outbox = [messages.notification("liste_attente", f"liste-attente-{head.envoi_id}", d.dossier_id)]
            if not after.closed:
                outbox.append(
                    messages.notification(
                        "enveloppe_consommee", "enveloppe-consommee", d.dossier_id, principal=str(after.principal)
                    )
                )
            batch.append(ToNumber(head, d, DossierStatus.LISTE_ATTENTE, outbox))
            conclusions.append(Conclusion(d.dossier_id, "liste_attente", number))
            after = DepositCounter(number, after.principal, True)
        self._hold([d for _, d in ready])
        try:
            self.store.conclude_numbered_batch(before, after, batch)
        except ConditionFailed:
            return []  # another worker moved first: the caller looks again
        return conclusions

    def _conclude_unnumbered(self, d: Dossier) -> list[Conclusion]:
        """A complete dossier of a dispositif without numbering: `complet`, no number, no place in the envelope."""
        assert d.envoi is not None
        outbox = [messages.notification("programmation_complete", f"complete-{d.envoi.envoi_id}", d.dossier_id),
                  messages.notification("nouvelle_programmation", f"nouvelle-{d.envoi.envoi_id}", d.dossier_id)]
        self._hold([d])
        try:
            self.store.conclude_complete(d, outbox)
        except ConditionFailed:
            return []
        return [Conclusion(d.dossier_id, "complet")]

    def _conclude_incomplete(
        self, pending: PendingEnvoi | None, d: Dossier, reasons: list[Reason]
    ) -> list[Conclusion]:
        assert d.envoi is not None
        outbox = [messages.notification("dossier_incomplet", f"incomplet-{d.envoi.envoi_id}", d.dossier_id)]
        self._hold([d])
        try:
            self.store.conclude_incomplete(pending, d, reasons, outbox)
        except ConditionFailed:
            return []
        return [Conclusion(d.dossier_id, "incomplet")]


class _RelayAlongside:
    """The outbox sent by a thread while a long walk goes on, so that the messages of its first batches leave
    during the walk rather than all after it (the relay mostly waits on SQS and DynamoDB, the walk too: they
    overlap). The walker's own flush, after the walk, sends what is left; a failure here leaves it to that."""

    def __init__(self, relay: OutboxRelay, clock: Callable[[], datetime]) -> None:
        self.relay, self.clock = relay, clock
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            try:
                sent = self.relay.flush(self.clock())
            except Exception:  # the walker's flush after the walk sends it, or says why it cannot
                return
            if not sent:
                self._done.wait(RELAY_PAUSE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
