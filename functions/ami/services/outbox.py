"""The transactional outbox, sent: what committed transactions asked for leaves through the publisher.

A relay claims an item before sending it and deletes it once sent, so that two relays do not send the
same item; it never passes an item another relay holds, so that the scoring queue still gets the deposit
numbers in order. A claim is short (`CLAIM`, seconds: an item is a few SendMessageBatch calls) and names
its relay:

- a relay that meets an item held by another waits, `CLAIM` at most, until the item is gone (the other is
  alive and sending the outbox: it leaves the rest to it) or the claim lapses (the other died between its
  claim and its send: it takes the item over and sends it, then the rest). A crashed relay's messages
  leave with the next relay that runs, within `CLAIM` (the sweep runs one every minute), not after the
  60-second claims of before issue 16 (then a relay stopped at a claimed item and left it to the sweep);
- a relay only sends under a claim it still holds (checked before sending: a claim that came back late
  is not used), and deletes the item only while its claim is still its own (a fencing check: when its
  send outlasted the claim and another relay took the item over, that relay deletes it after its own
  send). The one case where an item is sent twice is thus a single send that outlasts `CLAIM`; the FIFO
  queues' deduplication ids (five minutes) and the notifications' idempotency absorb it;
- a relay whose send (or the delete after it) fails gives its claim back at once, so that the message's
  redelivery (or the next relay) sends the item without waiting for the claim to lapse.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from ami.services.ports import Outbox, Publisher

CLAIM = timedelta(seconds=10)  # one item's sending (milliseconds) with a wide margin; a dead relay's lapses
# A relay waiting behind another's claim looks again after 50 ms, then twice as long each time (2 s at
# most): a live relay's send ends within milliseconds, a dead one's claim lapses within CLAIM, a few looks.
FIRST_POLL_SECONDS, MAX_POLL_SECONDS = 0.05, 2.0
WAIT_BUDGET = 2 * CLAIM  # the most one flush waits behind other relays in all (two live relays: it stops)


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: Publisher,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = outbox
        self.publisher = publisher
        self.sleep = sleep
        self.monotonic = monotonic

    def flush(self, now: datetime) -> int:
        """Send the outbox in key order; the number of messages sent. `now` is the caller's clock; the
        relay's time runs on from it."""
        start = self.monotonic()

        def clock() -> datetime:
            return now + timedelta(seconds=self.monotonic() - start)

        owner = uuid.uuid4().hex
        sent = 0
        waited = timedelta(0)
        poll = FIRST_POLL_SECONDS
        for item in self.outbox.outbox_items():
            while True:
                at = clock()
                claim = self.outbox.claim_outbox_item(item.key, owner, at, at + CLAIM)
                if claim.taken or claim.gone:
                    break
                # Held by another relay: sending the items behind it would let them overtake it. Wait for it
                # to be sent, or for the claim to lapse (its relay died), within the flush's budget.
                left = WAIT_BUDGET - waited
                if left <= timedelta(0):
                    return sent  # live relays are sending the outbox: what is left goes with them or the next
                held = (claim.held_until or at) - at
                pause = max(0.01, min(held.total_seconds() + 0.05, poll, left.total_seconds()))
                self.sleep(pause)
                waited += timedelta(seconds=pause)
                poll = min(2 * poll, MAX_POLL_SECONDS)
            if claim.gone:
                if waited:
                    return sent  # a live relay sent it while we waited: it is going through the outbox
                continue  # sent by another relay just before
            assert claim.until is not None
            if clock() >= claim.until:
                self.outbox.release_outbox_item(item.key, owner)
                return sent  # the claim came back too late to be relied on: the next relay sends it
            try:
                self.publisher.publish(item.messages)
                self.outbox.delete_outbox_item(item.key, owner)
            except BaseException:
                # The send (or the delete after it) failed: the redelivery sends the item at once, rather than
                # after the claim (sent again if it had gone: the queues' deduplication takes it).
                self.outbox.release_outbox_item(item.key, owner)
                raise
            sent += len(item.messages)
        return sent
