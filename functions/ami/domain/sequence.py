"""The deposit sequence's own types: what the numbering reads and writes (docs/numbering.md).

Pure values, shared by the sequencing service and the storage adapter that persists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ami.domain.audit import GENESIS
from ami.domain.messages import Message
from ami.domain.models import Dossier, DossierStatus


def iso(at: datetime) -> str:
    """ISO 8601 with fixed-width microseconds: in UTC, sorts like time."""
    return at.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AuditDraft:
    """An audit entry before the chain gives it its sequence number and hashes."""

    dossier_id: str
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class PendingEnvoi:
    """An envoi waiting for its completeness verdict; the oldest one holds back the numbering."""

    sort_key: str
    dossier_id: str
    envoi_id: str
    sent_at: datetime
    reserved: bool = False  # the API took the time but has not recorded the envoi yet

    @classmethod
    def new(cls, dossier_id: str, envoi_id: str, sent_at: datetime) -> PendingEnvoi:
        # ISO 8601 UTC with fixed width sorts like time; the envoi id breaks ties deterministically.
        return cls(f"{iso(sent_at)}#{envoi_id}", dossier_id, envoi_id, sent_at)

    @classmethod
    def of(cls, d: Dossier) -> PendingEnvoi:
        assert d.envoi is not None
        return cls.new(d.dossier_id, d.envoi.envoi_id, d.envoi.sent_at)


@dataclass(frozen=True)
class DepositCounter:
    """The last number given, the loan principal of the dossiers numbered within the envelope,
    whether the envelope is closed (a dossier already went to the waiting list), and the hash of the
    numbering chain's last entry."""

    number: int = 0
    principal: Decimal = Decimal(0)
    closed: bool = False
    # The head of the numbering's audit chain (the hash of its entry `number`): it rides with the
    # counter, which is what the counter's value is compared on.
    chain_hash: str = field(default=GENESIS, compare=False)


@dataclass(frozen=True)
class ToNumber:
    """One dossier of a numbering batch: its pending envoi, the dossier as read, the status it goes to
    (`complet`, or `liste_attente` when the envelope cannot take its loans) and what must follow."""

    pending: PendingEnvoi
    dossier: Dossier
    status: DossierStatus
    outbox: list[Message]
