"""The transactional outbox, sent: what committed transactions asked for leaves through the publisher.

A relay claims an item before sending it and deletes it once sent; it stops at an item another
relay claimed, so that the scoring queue still gets the deposit numbers in order. A claim lapses
after `CLAIM` (a relay that died): the next flush sends the item again, and receivers deduplicate.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ami.services.ports import Outbox, Publisher

CLAIM = timedelta(seconds=60)  # longer than a flush; a dead relay's items are sent by the sweep


class OutboxRelay:
    def __init__(self, outbox: Outbox, publisher: Publisher) -> None:
        self.outbox = outbox
        self.publisher = publisher

    def flush(self, now: datetime) -> int:
        """Send the outbox in key order; the number of messages sent."""
        sent = 0
        for item in self.outbox.outbox_items():
            if not self.outbox.claim_outbox_item(item.key, now, now + CLAIM):
                break  # being sent by another relay (or just sent): what follows waits for it
            self.publisher.publish(item.messages)  # raises: the item stays, sent again after the claim
            self.outbox.delete_outbox_item(item.key)
            sent += len(item.messages)
        return sent
