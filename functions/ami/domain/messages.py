"""Every message the service sends, built here: its queue, its FIFO group and its deduplication id.

The one place that decides ordering and deduplication. Senders (the API, intake, the numbering's
outbox, what follows the numbering) build a `Message` with these functions and hand it to the
publisher port; the SQS adapter only maps the logical queue name to its URL.

- completeness requests: group = the dossier (its requests in order; dossiers in parallel);
- deposit numbers: one group, so that scoring (and the instruction queue after it) sees the numbers
  in order; dedup = dossier and number;
- notifications: a standard queue (no order); the notification id makes delivery idempotent;
- work items: group = the dossier, so that no item waits behind another (one that fails cannot hold
  the others back); the work list they feed hands them out in number order (ami.domain.worklist);
  dedup = dossier and number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ami.domain.models import (
    CompletenessRequest,
    DepositNumbered,
    Notification,
    NotificationKind,
    WorkItem,
)

Queue = Literal["completeness", "scoring", "notifications", "instruction"]
DEPOSITS_GROUP = "depots"


@dataclass(frozen=True)
class Message:
    queue: Queue
    body: str
    group_id: str | None = None  # FIFO queues only
    dedup_id: str | None = None  # FIFO queues only
    order: str = ""  # the outbox sends its items in this order (deposit numbers for the scoring queue)


@dataclass(frozen=True)
class OutboxClaim:
    """What a relay's attempt to claim an outbox item found: the claim taken (held until `until`), the item
    held by another relay (until `held_until`), or the item gone (sent by another relay)."""

    taken: bool
    until: datetime | None = None
    held_until: datetime | None = None

    @property
    def gone(self) -> bool:
        return not self.taken and self.held_until is None


def completeness_request(request: CompletenessRequest, dedup_id: str) -> Message:
    return Message("completeness", request.model_dump_json(), group_id=request.dossier_id, dedup_id=dedup_id[:128])


def deposit_numbered(event: DepositNumbered) -> Message:
    return Message(
        "scoring",
        event.model_dump_json(),
        group_id=DEPOSITS_GROUP,
        dedup_id=f"{event.dossier_id}-{event.deposit_number}",
        order=f"N{event.deposit_number:012d}",
    )


def notification(kind: NotificationKind, notification_id: str, dossier_id: str, **details: str) -> Message:
    body = Notification(notification_id=notification_id, kind=kind, dossier_id=dossier_id, details=details)
    return Message("notifications", body.model_dump_json())


def work_item(item: WorkItem) -> Message:
    return Message(
        "instruction",
        item.model_dump_json(),
        group_id=item.dossier_id,
        dedup_id=f"{item.dossier_id}-{item.deposit_number}",
    )
