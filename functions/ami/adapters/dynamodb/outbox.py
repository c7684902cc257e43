"""The transactional outbox: what a committed transaction must send, kept in the counters table
(OUTBOX/<order>#<id>) until the relay (`ami.services.outbox`) has sent it."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from ami.adapters.dynamodb._base import Tables, typed
from ami.domain.messages import Message, OutboxClaim
from ami.domain.models import utcnow
from ami.domain.sequence import iso as _iso


@dataclass(frozen=True)
class OutboxItem:
    """What one committed transaction asked to send, in its turn (`key` sorts the items)."""

    key: str
    messages: list[Message]


class DynamoOutbox(Tables):
    def _outbox_op(self, messages: list[Message]) -> dict[str, Any]:
        """One outbox item for what a transaction must send; items are sent in key order: a numbering
        batch's key is its first deposit number, so the scoring queue gets the numbers in order."""
        orders = [m.order for m in messages if m.order]
        order = min(orders) if orders else f"T{_iso(utcnow())}"
        item = {
            "pk": "OUTBOX",
            "sk": f"{order}#{uuid.uuid4().hex}",
            "messages": json.dumps([dataclasses.asdict(m) for m in messages]),
        }
        return {"Put": {"TableName": self.s.counters_table, "Item": typed(item)}}

    def outbox_items(self) -> Iterator[OutboxItem]:
        """The outbox, in key order."""
        for item in self._query(self.counters, KeyConditionExpression=Key("pk").eq("OUTBOX"), ConsistentRead=True):
            messages = [Message(**m) for m in json.loads(item["messages"])]
            yield OutboxItem(str(item["sk"]), messages)

    def claim_outbox_item(self, key: str, owner: str, now: datetime, until: datetime) -> OutboxClaim:
        """Take one item for `owner` until `until`, when nobody's claim holds it at `now` (a lapsed claim is
        taken over); otherwise say until when it is held, or that it is gone (sent)."""
        try:
            self.counters.update_item(
                Key={"pk": "OUTBOX", "sk": key},
                UpdateExpression="SET claimed_until = :until, claimed_by = :owner",
                ConditionExpression="attribute_exists(pk) AND "
                "(attribute_not_exists(claimed_until) OR claimed_until < :now)",
                ExpressionAttributeValues={":until": _iso(until), ":now": _iso(now), ":owner": owner},
            )
            return OutboxClaim(True, until=until)
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            pass
        item = self.counters.get_item(
            Key={"pk": "OUTBOX", "sk": key}, ConsistentRead=True, ProjectionExpression="claimed_until"
        ).get("Item")
        if item is None:
            return OutboxClaim(False)
        if "claimed_until" not in item:  # given back meanwhile: the caller asks again
            return OutboxClaim(False, held_until=now)
        return OutboxClaim(False, held_until=datetime.fromisoformat(str(item["claimed_until"])))

    def release_outbox_item(self, key: str, owner: str) -> None:
        with contextlib.suppress(self.counters.meta.client.exceptions.ConditionalCheckFailedException):
            self.counters.update_item(
                Key={"pk": "OUTBOX", "sk": key},
                UpdateExpression="REMOVE claimed_until, claimed_by",
                ConditionExpression="claimed_by = :owner",
                ExpressionAttributeValues={":owner": owner},
            )

    def delete_outbox_item(self, key: str, owner: str) -> None:
        with contextlib.suppress(self.counters.meta.client.exceptions.ConditionalCheckFailedException):
            self.counters.delete_item(
                Key={"pk": "OUTBOX", "sk": key},
                ConditionExpression="claimed_by = :owner",
                ExpressionAttributeValues={":owner": owner},
            )
