"""What follows the numbering of a dossier: its priority-2 score, the emails and the instructors'
work item, all written in one transaction with the score (the outbox) and sent afterwards."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ami.domain import messages
from ami.domain.grid import scoring_config
from ami.domain.models import DepositNumbered, Dossier, WorkItem
from ami.domain.referentiel import Referentiel
from ami.domain.scoring import Fact, facts_from_presentation, rescored, score_dossier
from ami.services.idempotency import Idempotency
from ami.services.outbox import OutboxRelay
from ami.services.ports import Clock, Dossiers, Referentiels

FactsProvider = Callable[[Dossier], Mapping[str, Fact]]
ReferentialsProvider = Callable[[], Mapping[str, Referentiel]]


class PieceFacts:
    """Facts read by intake from the dossier de présentation that was deposited (its recorded version)."""

    def __init__(self, dossiers: Dossiers) -> None:
        self.dossiers = dossiers

    def __call__(self, d: Dossier) -> Mapping[str, Fact]:
        deposited = d.envoi.pieces.get("dossier_presentation") if d.envoi else None
        if deposited is None:
            return {}
        record = self.dossiers.piece_records(d.dossier_id).get(("dossier_presentation", deposited.version_id))
        return facts_from_presentation(record.fields) if record and record.accepted else {}


class AfterNumbering:
    def __init__(
        self,
        dossiers: Dossiers,
        relay: OutboxRelay,
        referentiels: Referentiels,
        idempotency: Idempotency,
        clock: Clock,
        facts: FactsProvider | None = None,
    ) -> None:
        self.dossiers = dossiers
        self.relay = relay
        self._referentiels = referentiels
        self.clock = clock
        self.facts = facts or PieceFacts(dossiers)
        self._once = idempotency.once(self._run, data_keyword_argument="event", key="[dossier_id, deposit_number]")

    def referentiels(self) -> Mapping[str, Referentiel]:
        return self._referentiels.current(scoring_config()[0].referentiels_utilises())

    def process(self, event: DepositNumbered) -> dict[str, str]:
        result: dict[str, str] = self._once(event=event)
        return result

    def rescore(self, d: Dossier, actor: str) -> Dossier | None:
        """Score a scored dossier again with today's facts, referentials and grid (after an import of
        referentials, say), the instructors' overrides kept, audited; None when nothing changed."""
        stored = rescored(d.scoring, score_dossier(d, self.facts(d), self.referentiels()))
        return None if stored is None else self.dossiers.rescore(d, stored, actor)

    def _run(self, *, event: DepositNumbered) -> dict[str, str]:
        d = self.dossiers.get_dossier(event.dossier_id)
        if d is None or d.deposit_number != event.deposit_number:
            raise RuntimeError(f"dossier {event.dossier_id} does not carry number {event.deposit_number}")
        if d.scoring is None:
            # The score, the emails and the work item are written together (the outbox): a crash
            # after it loses nothing, and a redelivered message finds the dossier scored.
            bailleur = self.dossiers.get_bailleur(d.siren)
            if bailleur is None:
                raise RuntimeError(f"dossier {d.dossier_id} has no registered bailleur")
            score = score_dossier(d, self.facts(d), self.referentiels())
            self.dossiers.save_score(d, score, self.follow_up(d, event, bailleur.raison_sociale))
        self.relay.flush(self.clock())
        return {"dossier_id": d.dossier_id, "deposit_number": str(event.deposit_number)}

    @staticmethod
    def follow_up(d: Dossier, event: DepositNumbered, raison_sociale: str) -> list[messages.Message]:
        """The bailleur's acknowledgement, the mailbox's notice and the instructors' work item."""
        op = d.form.operation
        item = WorkItem(
            dossier_id=d.dossier_id, deposit_number=event.deposit_number, deposited_at=event.deposited_at,
            siren=d.siren, raison_sociale=raison_sociale, commune_insee=op.commune_insee,
            logements=op.logements.total if op.logements else 0, loan_total_eur=d.loan_total,
        )
        notes: list[Any] = [
            messages.notification(kind, f"{kind}-{d.dossier_id}-{event.deposit_number}", d.dossier_id)
            for kind in ("accuse_reception", "nouveau_dossier")
        ]
        return [*notes, messages.work_item(item)]
