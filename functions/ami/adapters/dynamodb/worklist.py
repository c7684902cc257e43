"""The instructors' work list on DynamoDB (counters table, TRAVAIL/N<deposit number>): one item per
numbered dossier waiting to be taken into instruction, read in number order, claimed by a
conditional write with a lease (`ami.domain.worklist`)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from ami.adapters.dynamodb._base import typed
from ami.adapters.dynamodb.dossiers import DynamoDossiers
from ami.domain.models import Dossier, DossierStatus, WorkItem
from ami.domain.sequence import iso as _iso
from ami.domain.worklist import TAKEN_BY_ANOTHER, WorkEntry

PK = "TRAVAIL"


def _key(number: int) -> dict[str, str]:
    return {"pk": PK, "sk": f"N{number:012d}"}


def entry_from_item(item: dict[str, Any]) -> WorkEntry:
    return WorkEntry(
        item=WorkItem.model_validate_json(item["doc"]),
        state=item.get("state", "a_prendre"),
        holder=item.get("holder"),
        lease_until=datetime.fromisoformat(item["lease_until"]) if item.get("lease_until") else None,
        abandons=int(item.get("abandons", 0)),
    )


class DynamoWorkList(DynamoDossiers):
    def put_work_item(self, item: WorkItem) -> bool:
        """Add the entry of a numbered dossier, or arm again one set aside (a redrive); False when it is
        already there (a redelivered message)."""
        try:
            self.counters.put_item(
                Item={**_key(item.deposit_number), "doc": item.model_dump_json(), "state": "a_prendre",
                      "abandons": 0},
                ConditionExpression="attribute_not_exists(pk) OR #state = :failed",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":failed": "en_echec"},
            )
            return True
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            return False

    def work_entries(self) -> list[WorkEntry]:
        """Every entry, in deposit-number order, read consistently."""
        items = self._query(self.counters, KeyConditionExpression=Key("pk").eq(PK), ConsistentRead=True)
        return [entry_from_item(i) for i in items]

    def claim_work_item(self, seen: WorkEntry, holder: str, now: datetime, until: datetime) -> bool:
        """Hold `seen` until `until`, on condition that it is free or already `holder`'s (a new lease); a
        lease that ran out counts as one more abandon. False when another instructor was quicker."""
        try:
            self.counters.update_item(
                Key=_key(seen.number),
                UpdateExpression="SET holder = :h, lease_until = :u ADD abandons :lapsed",
                ConditionExpression="attribute_exists(pk) AND #state = :todo AND "
                "(attribute_not_exists(holder) OR lease_until <= :now OR holder = :h)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":h": holder, ":u": _iso(until), ":now": _iso(now), ":todo": "a_prendre",
                                           ":lapsed": 1 if seen.lapsed(now) else 0},
            )
            return True
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            return False

    def set_aside_work_item(self, seen: WorkEntry, now: datetime) -> bool:
        """Mark an entry whose lease ran out once too often `en_echec`; False when someone took it first."""
        try:
            self.counters.update_item(
                Key=_key(seen.number),
                UpdateExpression="SET #state = :failed REMOVE holder, lease_until",
                ConditionExpression="attribute_exists(pk) AND #state = :todo AND lease_until <= :now",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":failed": "en_echec", ":todo": "a_prendre", ":now": _iso(now)},
            )
            return True
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            return False

    def release_work_item(self, number: int, holder: str) -> bool:
        """Give an entry back to the list (its holder only); False when `holder` no longer holds it."""
        try:
            self.counters.update_item(
                Key=_key(number),
                UpdateExpression="REMOVE holder, lease_until",
                ConditionExpression="holder = :h",
                ExpressionAttributeValues={":h": holder},
            )
            return True
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            return False

    def drop_work_item(self, number: int, holder: str) -> None:
        """Remove an entry its holder found stale (its dossier is no longer waiting to be taken)."""
        with contextlib.suppress(self.counters.meta.client.exceptions.ConditionalCheckFailedException):
            self.counters.delete_item(Key=_key(number), ConditionExpression="holder = :h",
                                      ExpressionAttributeValues={":h": holder})

    def begin_instruction(self, d: Dossier, holder: str, actor: str) -> Dossier:
        """Take the dossier into instruction and remove its entry, in one transaction, on condition that
        `holder` still holds the entry and the dossier is still as read."""
        assert d.deposit_number is not None
        moved, ops = self._transition_ops(d, DossierStatus.EN_INSTRUCTION, actor, "prise_en_instruction")
        ops.append({
            "Delete": {
                "TableName": self.s.counters_table,
                "Key": typed(_key(d.deposit_number)),
                "ConditionExpression": "holder = :h",
                "ExpressionAttributeValues": typed({":h": holder}),
            }
        })
        self._commit(ops, on_conflict=TAKEN_BY_ANOTHER)
        return moved
