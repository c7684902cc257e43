"""Completeness verdicts and deposit numbering, in deposit order (docs/numbering.md).

Pending envois are kept sorted by (server time of envoi, envoi id). Only the oldest pending envoi
(the watermark) can be numbered; a later one that is already complete waits behind it, so a slow
intake, a retry or a cold start never lets a later deposit overtake an earlier one. An incomplete
dossier gets no number, so it is concluded at once, wherever it stands. The hold is bounded: a
head still undecided after `hold_timeout_seconds` ends `incomplet` and the numbering moves on.

Each conclusion is one DynamoDB transaction (counter + dossier + pending item + audit + outbox),
guarded by conditions; a worker that loses a race re-reads and carries on. Numbers are therefore
gapless and given once, under any number of concurrent workers and redeliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ami.models import CompletenessRequest, DepositNumbered, Dossier, DossierStatus, Notification, Reason
from ami.rules import assess
from ami.settings import Settings
from ami.store import ConditionFailed, OutboxMessage, PendingEnvoi, Store

MAX_STEPS = 500  # per invocation; the next message or the sweep carries on


@dataclass(frozen=True)
class Conclusion:
    dossier_id: str
    outcome: Literal["complet", "incomplet"]
    deposit_number: int | None = None


def timeout_reason(hold_seconds: int) -> Reason:
    return Reason(
        code="controle_non_termine",
        message=(
            f"Le contrôle des pièces n'a pas pu aboutir dans le délai de {hold_seconds // 60} minutes "
            "(pièce non reçue ou illisible). Vérifiez vos pièces et envoyez à nouveau le dossier."
        ),
    )


class Sequencer:
    def __init__(self, store: Store, settings: Settings, hold_timeout_seconds: int) -> None:
        self.store = store
        self.s = settings
        self.hold = timedelta(seconds=hold_timeout_seconds)

    # ------------------------------------------------------------ messages the conclusions send

    def _numbered(self, d: Dossier, number: int) -> OutboxMessage:
        assert d.envoi is not None
        body = DepositNumbered(dossier_id=d.dossier_id, deposit_number=number, deposited_at=d.envoi.sent_at)
        # One message group: scoring, and after it the instruction queue, see deposits in number order.
        return OutboxMessage(
            self.s.scoring_queue_url,
            body.model_dump_json(),
            group_id="depots",
            dedup_id=f"{d.dossier_id}-{number}",
            order=f"N{number:012d}",
        )

    def _incomplete(self, pending: PendingEnvoi) -> OutboxMessage:
        body = Notification(
            notification_id=f"incomplet-{pending.envoi_id}", kind="dossier_incomplet", dossier_id=pending.dossier_id
        )
        return OutboxMessage(self.s.notifications_queue_url, body.model_dump_json())

    # ------------------------------------------------------------ the two entry points

    def examine(self, request: CompletenessRequest, now: datetime) -> list[Conclusion]:
        """Conclude the named dossier at once if it is incomplete, then number what can be numbered."""
        conclusions: list[Conclusion] = []
        d = self.store.get_dossier(request.dossier_id)
        if d is not None and d.status == DossierStatus.ENVOYE and d.envoi is not None:
            result = assess(d, self.store.piece_records(d.dossier_id))
            if result.verdict == "incomplet":
                pending = PendingEnvoi.of(d)
                try:
                    self.store.conclude_incomplete(pending, d, list(result.reasons), [self._incomplete(pending)])
                    conclusions.append(Conclusion(d.dossier_id, "incomplet"))
                except ConditionFailed:
                    pass  # someone else concluded it first
        conclusions += self.advance(now)
        return conclusions

    def advance(self, now: datetime) -> list[Conclusion]:
        """Walk the pending envois from the oldest, concluding each one that can be concluded."""
        conclusions: list[Conclusion] = []
        for _ in range(MAX_STEPS):
            heads = self.store.pending_envois(limit=1)
            if not heads:
                break
            head = heads[0]
            d = self.store.get_dossier(head.dossier_id)
            if d is None or d.envoi is None or d.envoi.envoi_id != head.envoi_id:
                raise RuntimeError(f"pending envoi {head.envoi_id} has no matching dossier")
            result = assess(d, self.store.piece_records(d.dossier_id))
            try:
                if result.verdict == "complet":
                    number = self.store.last_deposit_number() + 1
                    self.store.conclude_complete(head, d, number, [self._numbered(d, number)])
                    conclusions.append(Conclusion(d.dossier_id, "complet", number))
                elif result.verdict == "incomplet":
                    self.store.conclude_incomplete(head, d, list(result.reasons), [self._incomplete(head)])
                    conclusions.append(Conclusion(d.dossier_id, "incomplet"))
                elif now - head.sent_at >= self.hold:
                    reasons = [timeout_reason(int(self.hold.total_seconds()))]
                    self.store.conclude_incomplete(head, d, reasons, [self._incomplete(head)])
                    conclusions.append(Conclusion(d.dossier_id, "incomplet"))
                else:
                    break  # the watermark: nothing sent later may be numbered before this one
            except ConditionFailed:
                continue  # another worker moved first: look again
        self.store.flush_outbox()
        return conclusions
