"""The audit chains on DynamoDB (audit table, items `<chain>`/<seq>; see `ami.domain.audit`).

An audited change is one transaction that also writes its entries: a dossier's entry chained to
the head its dossier item holds (the dossier's `version` condition guards it), a number's entry
chained to the head the deposit counter holds (the counter's condition guards it). No item is
written by every change, so writers of different dossiers never wait for one another; and a crash
between two writes cannot leave a change without its audit entry.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ami.adapters.dynamodb._base import Tables, typed
from ami.domain.audit import AuditEntry, ChainHead, dossier_chain
from ami.domain.errors import ConditionFailed
from ami.domain.models import HistoryEntry, utcnow
from ami.domain.sequence import AuditDraft
from ami.domain.sequence import iso as _iso

CONFLICT_RETRIES = 5  # a transaction that collided with another on the same items (no condition failed)


def seal(chain: str, head: ChainHead, draft: AuditDraft, at: str | None = None) -> AuditEntry:
    """The entry that follows `head` on `chain`."""
    return AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        at=at or _iso(utcnow()),
        dossier_id=draft.dossier_id,
        actor=draft.actor,
        action=draft.action,
        from_status=draft.from_status,
        to_status=draft.to_status,
        reason=draft.reason,
        details=draft.details or {},
        prev_hash=head.hash,
    ).sealed()


class AuditChain(Tables):
    def history(self, dossier_id: str) -> list[HistoryEntry]:
        items = self._query(self.audit, IndexName="ByDossier", KeyConditionExpression=Key("dossier_id").eq(dossier_id))
        found = [HistoryEntry.model_validate(json.loads(i["doc"])) for i in items]
        return sorted(found, key=lambda h: h.at)

    def audit_entries(self) -> list[AuditEntry]:
        """Every entry of every chain, in time order (then chain and seq)."""
        items = self._scan(self.audit, ConsistentRead=True, ProjectionExpression="doc")
        entries = [AuditEntry.model_validate_json(i["doc"]) for i in items]
        return sorted(entries, key=lambda e: (e.at, e.chain, e.seq))

    def chain_entries(self, chain: str) -> list[AuditEntry]:
        """The entries of one chain, in seq order."""
        items = self._query(self.audit, KeyConditionExpression=Key("pk").eq(chain), ConsistentRead=True)
        return sorted((AuditEntry.model_validate_json(i["doc"]) for i in items), key=lambda e: e.seq)

    def _entry_op(self, entry: AuditEntry, index: bool = True) -> dict[str, Any]:
        """The Put of one entry, refused if its place in its chain is taken. `index`: listed in the
        dossier's history (the ByDossier index)."""
        item = {"pk": entry.chain, "sk": entry.seq, "doc": entry.model_dump_json()}
        if index:
            item["dossier_id"] = entry.dossier_id
        return {
            "Put": {
                "TableName": self.s.audit_table,
                "ConditionExpression": "attribute_not_exists(pk)",
                "Item": typed(item),
            }
        }

    def _dossier_entry(self, head: ChainHead, draft: AuditDraft) -> AuditEntry:
        return seal(dossier_chain(draft.dossier_id), head, draft)

    def _commit(self, ops: list[dict[str, Any]], on_conflict: Exception | None = None) -> None:
        """Run `ops` (the change and its audit entries) atomically.

        A failed condition means the world changed, and the caller must look again (ConditionFailed,
        or `on_conflict`); a collision with a concurrent transaction on the same items is retried.
        """
        for attempt in range(CONFLICT_RETRIES):
            if attempt:
                time.sleep(random.uniform(0, 0.01 * attempt))
            try:
                self.ddb.transact_write_items(TransactItems=ops)
                return
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                codes = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in codes or attempt == CONFLICT_RETRIES - 1:
                    raise (on_conflict or ConditionFailed(str(codes))) from exc
