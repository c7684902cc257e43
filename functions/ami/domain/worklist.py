"""The instructors' work list: one entry per numbered dossier to take into instruction, handed out in
deposit-number order to any number of instructors at once (docs/instruction.md).

An entry is *claimed* by one instructor for a lease (`HOLD`); nobody else is given it meanwhile, and
nobody waits behind it: the next instructor gets the next free number. A lease that runs out (a
closed laptop, a crash) gives the entry back; an entry abandoned `MAX_ABANDONS` times is set aside
(`en_echec`) and copied to the instruction dead-letter queue, whose alarm calls ops, and `ami dlq
redrive` puts it back. The entry leaves the list only in the transaction that takes its dossier into
instruction, so it is never lost; the dossier itself is listed for the instructors whatever happens here.
Pure: entries and times in, decisions out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from ami.domain.errors import Conflict
from ami.domain.models import Model, WorkItem

HOLD = timedelta(minutes=30)  # time to read a dossier before deciding; the lease can be renewed by taking again
MAX_ABANDONS = 5  # leases run out this many times: the entry is set aside for ops (dead-letter queue + alarm)

TAKEN_BY_ANOTHER = Conflict(
    "dossier_repris",
    "Ce dossier n'est plus à vous : votre délai de prise était écoulé et un autre instructeur l'a pris, "
    "ou son statut a changé. Prenez le dossier suivant.",
)

WorkState = Literal["a_prendre", "en_echec"]


class WorkEntry(Model):
    """One entry of the work list, as stored."""

    item: WorkItem
    state: WorkState = "a_prendre"
    holder: str | None = None
    lease_until: datetime | None = None
    abandons: int = 0

    @property
    def number(self) -> int:
        return self.item.deposit_number

    def held(self, now: datetime) -> bool:
        """Someone holds it, and their lease runs."""
        return self.holder is not None and self.lease_until is not None and self.lease_until > now

    def lapsed(self, now: datetime) -> bool:
        """Someone took it and let the lease run out without finishing or giving it back."""
        return self.holder is not None and not self.held(now)

    def free(self, now: datetime) -> bool:
        return self.state == "a_prendre" and not self.held(now)

    def to_set_aside(self, now: datetime) -> bool:
        """Taking it once more would be its `MAX_ABANDONS`-th run-out lease: ops must look at it."""
        return self.free(now) and self.lapsed(now) and self.abandons + 1 >= MAX_ABANDONS


def lease_until(now: datetime, hold: timedelta = HOLD) -> datetime:
    return now + hold


def describe(entry: WorkEntry, now: datetime) -> str:
    """Where the entry stands, in French, for the instructors' list and `ami instruction file`."""
    if entry.state == "en_echec":
        return "mis de côté après des abandons répétés (file en échec)"
    if entry.held(now) and entry.holder is not None:
        return f"pris par {entry.holder.removeprefix('instructeur:')}"
    return "à prendre"
