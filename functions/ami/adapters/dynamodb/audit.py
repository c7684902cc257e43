"""The audit chain on DynamoDB: every audited write goes through `AuditChain._commit`.

An audited change is one transaction that also appends its entries to the hash chain
(`ami.domain.audit`): log/<seq> items linked through the head item head/0. So a crash between two
writes cannot leave a change without its audit entry.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ami.adapters.dynamodb._base import Tables, typed
from ami.domain.audit import GENESIS, AuditEntry
from ami.domain.errors import ConditionFailed
from ami.domain.models import HistoryEntry, utcnow
from ami.domain.sequence import AuditDraft
from ami.domain.sequence import iso as _iso

HEAD_RETRIES = 200


class AuditChain(Tables):
    def history(self, dossier_id: str) -> list[HistoryEntry]:
        items = self._query(self.audit, IndexName="ByDossier", KeyConditionExpression=Key("dossier_id").eq(dossier_id))
        return [HistoryEntry.model_validate(json.loads(i["doc"])) for i in items]

    def audit_entries(self) -> list[AuditEntry]:
        items = self._query(self.audit, KeyConditionExpression=Key("pk").eq("log"), ConsistentRead=True)
        return [AuditEntry.model_validate_json(i["doc"]) for i in items]

    def _commit(
        self, ops: list[dict[str, Any]], drafts: list[AuditDraft], on_conflict: Exception | None = None
    ) -> None:
        """Run `ops` and append `drafts` to the audit chain, atomically.

        A lost race on the chain's head is retried; a failed condition of `ops` is not: it means
        the world changed, and the caller must look again (ConditionFailed, or `on_conflict`).
        """
        for attempt in range(HEAD_RETRIES):
            if attempt:
                # Writers racing for the chain's head: spread the retries out (jittered backoff).
                time.sleep(random.uniform(0, 0.002 * min(attempt, 25)))
            audit_ops = self._audit_ops(drafts) if drafts else []
            try:
                self.ddb.transact_write_items(TransactItems=ops + audit_ops)
                return
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = exc.response.get("CancellationReasons", [])
                codes = [r.get("Code", "None") for r in reasons]
                if any(c == "ConditionalCheckFailed" for c in codes[: len(ops)]):
                    raise (on_conflict or ConditionFailed(str(codes))) from exc
                # only the audit head moved, or a transaction conflict: try again on the new head
        raise ConditionFailed("audit head contention")

    def _audit_ops(self, drafts: list[AuditDraft]) -> list[dict[str, Any]]:
        head = self.audit.get_item(Key={"pk": "head", "sk": 0}, ConsistentRead=True).get("Item")
        seq, prev = (int(head["seq"]), str(head["hash"])) if head else (0, GENESIS)
        first_seq = seq
        ops: list[dict[str, Any]] = []
        now = _iso(utcnow())
        for draft in drafts:
            seq += 1
            entry = AuditEntry(
                seq=seq,
                at=now,
                dossier_id=draft.dossier_id,
                actor=draft.actor,
                action=draft.action,
                from_status=draft.from_status,
                to_status=draft.to_status,
                reason=draft.reason,
                details=draft.details or {},
                prev_hash=prev,
            ).sealed()
            prev = entry.hash
            ops.append(
                {
                    "Put": {
                        "TableName": self.s.audit_table,
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "Item": typed(
                            {"pk": "log", "sk": seq, "dossier_id": draft.dossier_id, "doc": entry.model_dump_json()}
                        ),
                    }
                }
            )
        head_cond = "attribute_not_exists(pk)" if first_seq == 0 else "seq = :old"
        head_op: dict[str, Any] = {
            "Put": {
                "TableName": self.s.audit_table,
                "ConditionExpression": head_cond,
                "Item": typed({"pk": "head", "sk": 0, "seq": seq, "hash": prev}),
            }
        }
        if first_seq:
            head_op["Put"]["ExpressionAttributeValues"] = typed({":old": first_seq})
        return [head_op, *ops]
