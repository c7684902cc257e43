"""Taking numbered dossiers into instruction, in deposit-number order, by any number of instructors at
once (docs/instruction.md).

- `receive`: a work item from the instruction queue becomes an entry of the work list (idempotent; a
  redriven item set aside is armed again);
- `take`: the lowest-numbered free entry, claimed for `hold` by a conditional write; when two
  instructors want the same one, the loser moves on to the next number at once;
- `begin`: the holder takes the dossier into instruction (audited with the authenticated actor), the
  entry leaving the list in the same transaction;
- `release`: the holder gives it back.
An entry whose lease runs out comes back by itself; one that ran out `MAX_ABANDONS` times is set aside
and copied to the dead-letter queue (alarm, `ami dlq list|redrive`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ami.domain.errors import Conflict, NotFound
from ami.domain.models import Dossier, DossierStatus, WorkItem
from ami.domain.worklist import HOLD, MAX_ABANDONS, WorkEntry
from ami.services.ports import Clock, DeadLetters, Dossiers, WorkList


@dataclass(frozen=True)
class Taken:
    """What an instructor holds: the work item and until when."""

    item: WorkItem
    holder: str
    until: datetime


class Instruction:
    def __init__(
        self, work: WorkList, dossiers: Dossiers, dead_letters: DeadLetters, clock: Clock, hold: timedelta = HOLD
    ) -> None:
        self.work = work
        self.dossiers = dossiers
        self.dead_letters = dead_letters
        self.clock = clock
        self.hold = hold

    def receive(self, item: WorkItem) -> bool:
        return self.work.put_work_item(item)

    def take(self, holder: str) -> Taken | None:
        """The next dossier to take into instruction for `holder`, or None when none is free. An
        instructor who already holds one is given it again, with a new lease."""
        while True:
            now = self.clock()
            entries = self.work.work_entries()
            mine = next((e for e in entries if e.holder == holder and e.held(now)), None)
            candidates = [mine] if mine else [e for e in entries if e.free(now)]
            taken, contended = self._first_claimed(candidates, holder, now)
            if taken is not None or not contended:
                return taken

    def _first_claimed(self, candidates: list[WorkEntry], holder: str, now: datetime) -> tuple[Taken | None, bool]:
        """Claim the first candidate that can be claimed; (None, True) when every one went to someone else
        or was stale (the list is read again), (None, False) when there was nothing to take."""
        contended = False
        for e in candidates:
            if e.to_set_aside(now):
                if self.work.set_aside_work_item(e, now):
                    self.dead_letters.send(
                        e.item.model_dump_json(), f"abandon-{e.item.dossier_id}-{e.abandons + 1}", e.item.dossier_id,
                        f"Dossier n° {e.number} pris puis abandonné {MAX_ABANDONS} fois sans être mis en instruction",
                    )
                continue
            d = self.dossiers.get_dossier(e.item.dossier_id)
            if d is not None and d.status == DossierStatus.LISTE_ATTENTE:
                continue  # on the waiting list: instructed once the envelope can take it
            until = now + self.hold
            if not self.work.claim_work_item(e, holder, now, until):
                contended = True
                continue
            if d is None or d.status != DossierStatus.COMPLET:
                # Already in instruction (an entry left by a redelivered item): nothing to take.
                self.work.drop_work_item(e.number, holder)
                contended = True
                continue
            return Taken(e.item, holder, until), False
        return None, contended

    def _held(self, dossier_id: str, holder: str) -> tuple[Dossier, WorkEntry]:
        d = self.dossiers.get_dossier(dossier_id)
        entry = next((e for e in self.work.work_entries() if d and e.number == d.deposit_number), None)
        if d is None or entry is None:
            raise NotFound("element_introuvable", "Ce dossier n'est pas dans la file d'instruction.")
        if entry.holder != holder:
            raise Conflict("dossier_non_pris", f"Vous ne tenez pas le dossier n° {entry.number} : prenez-le d'abord "
                           "dans la file d'instruction.")
        return d, entry

    def begin(self, dossier_id: str, holder: str) -> Dossier:
        """The holder takes the dossier into instruction (complet → en_instruction), audited as `holder`."""
        d, entry = self._held(dossier_id, holder)
        if d.status != DossierStatus.COMPLET:
            raise Conflict("statut_incompatible", f"Le dossier n° {entry.number} n'attend pas d'être mis en "
                           f"instruction (statut : {d.status.value}).")
        return self.work.begin_instruction(d, holder, holder)

    def release(self, dossier_id: str, holder: str) -> WorkEntry:
        """Give the dossier back to the list, at its number's place."""
        _, entry = self._held(dossier_id, holder)
        if not self.work.release_work_item(entry.number, holder):
            raise Conflict("dossier_non_pris", f"Vous ne tenez plus le dossier n° {entry.number}.")
        return entry.model_copy(update={"holder": None, "lease_until": None})

    def entries(self) -> list[WorkEntry]:
        return self.work.work_entries()
