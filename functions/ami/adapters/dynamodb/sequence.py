"""The deposit sequence on DynamoDB (counters table): reservations and pending envois
(PENDING/<sent_at>#<envoi_id>), the walker's lease (LEASE/sequencer), the deposit counter
(COUNTER/deposit_number, which also holds the head of the numbering's audit chain), and the
conclusions that number a dossier or find it incomplete, each one transaction with the dossier, its
audit entry and its outbox item. See docs/numbering.md and docs/audit.md.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from ami.adapters.dynamodb._base import typed
from ami.adapters.dynamodb.audit import seal
from ami.adapters.dynamodb.dossiers import DynamoDossiers
from ami.domain.audit import GENESIS, NUMBERING_CHAIN, ChainHead
from ami.domain.errors import Conflict
from ami.domain.messages import Message
from ami.domain.models import Dossier, DossierStatus, Envoi, Reason, utcnow
from ami.domain.sequence import AuditDraft, DepositCounter, PendingEnvoi, ToNumber
from ami.domain.sequence import iso as _iso


class DynamoDepositSequence(DynamoDossiers):
    # ------------------------------------------------------------ envoi and the deposit sequence

    def reserve_envoi(self, pending: PendingEnvoi) -> None:
        """Hold the deposit's place in the sequence as soon as its time is taken (docs/numbering.md)."""
        item = {**self._pending_item(pending), "state": "reserve"}
        self.counters.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def cancel_reservation(self, pending: PendingEnvoi) -> None:
        """Give up a reservation whose envoi will not be recorded (refused, or too late)."""
        with contextlib.suppress(self.counters.meta.client.exceptions.ConditionalCheckFailedException):
            self.counters.delete_item(
                Key={"pk": "PENDING", "sk": pending.sort_key},
                ConditionExpression="#state = :r",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":r": "reserve"},
            )

    @staticmethod
    def _pending_item(pending: PendingEnvoi) -> dict[str, Any]:
        return {
            "pk": "PENDING",
            "sk": pending.sort_key,
            "dossier_id": pending.dossier_id,
            "envoi_id": pending.envoi_id,
            "sent_at": _iso(pending.sent_at),
        }

    def record_envoi(self, d: Dossier, envoi: Envoi, actor: str, sequenced: bool = True) -> Dossier:
        """The deposit: final, with its server time and the pieces as they stood.

        Turns the envoi's reservation (`reserve_envoi`, made when the time was taken) into a pending
        envoi, in the same transaction as the dossier's change of status and its audit entry. Without
        a live reservation the envoi is refused (Conflict): the bailleur sends again. Not `sequenced` (a
        dispositif without numbering): no reservation was made and no pending envoi is written.
        """
        details = {p: {"version_id": x.version_id, "sha256": x.sha256, "size": x.size} for p, x in envoi.pieces.items()}
        draft = AuditDraft(
            d.dossier_id,
            actor,
            "envoi",
            d.status.value,
            DossierStatus.ENVOYE.value,
            details={"envoi_id": envoi.envoi_id, "sent_at": _iso(envoi.sent_at), "pieces": details},
        )
        sent, entry_op = self._audited(
            d.model_copy(
                update={
                    "status": DossierStatus.ENVOYE,
                    "envoi": envoi,
                    "updated_at": envoi.sent_at,
                    "incomplete_reasons": [],
                    "deposit_number": None,
                }
            ),
            draft,
        )
        op = self._put_dossier_op(sent, "#st IN (:b, :i)", {":b": "brouillon", ":i": "incomplet"})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        pending = {**self._pending_item(PendingEnvoi.of(sent)), "state": "envoye"}
        pending_op = {
            "Put": {
                "TableName": self.s.counters_table,
                "Item": typed(pending),
                # Only a live reservation: one dropped as stale means the deposit time is no longer safe.
                "ConditionExpression": "#state = :r",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": typed({":r": "reserve"}),
            }
        }
        self._commit(
            [op, pending_op, entry_op] if sequenced else [op, entry_op],
            on_conflict=Conflict("envoi_impossible", "Ce dossier a déjà été envoyé ou vient d'être modifié."),
        )
        return sent.model_copy(update={"version": d.version + 1})

    def pending_envois(self, limit: int | None = None) -> list[PendingEnvoi]:
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq("PENDING"), "ConsistentRead": True}
        if limit:
            kwargs["Limit"] = limit
            items = self.counters.query(**kwargs).get("Items", [])
        else:
            items = list(self._query(self.counters, **kwargs))
        return [
            PendingEnvoi(
                i["sk"],
                i["dossier_id"],
                i["envoi_id"],
                datetime.fromisoformat(i["sent_at"]),
                reserved=i.get("state") == "reserve",
            )
            for i in items
        ]

    def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Become the one worker that walks the deposit sequence (until `now + ttl` at most)."""
        try:
            self.counters.put_item(
                Item={"pk": "LEASE", "sk": "sequencer", "owner": owner, "expires": _iso(now + ttl)},
                ConditionExpression="attribute_not_exists(pk) OR expires < :now",
                ExpressionAttributeValues={":now": _iso(now)},
            )
            return True
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            return False

    def release_lease(self, owner: str) -> None:
        with contextlib.suppress(self.counters.meta.client.exceptions.ConditionalCheckFailedException):
            self.counters.delete_item(
                Key={"pk": "LEASE", "sk": "sequencer"},
                ConditionExpression="#owner = :o",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":o": owner},
            )

    def counter(self) -> DepositCounter:
        item = self.counters.get_item(Key={"pk": "COUNTER", "sk": "deposit_number"}, ConsistentRead=True).get("Item")
        if not item:
            return DepositCounter()
        return DepositCounter(
            int(item["value"]),
            Decimal(str(item.get("principal", "0"))),
            bool(item.get("closed")),
            str(item.get("chain_hash", GENESIS)),
        )

    def last_deposit_number(self) -> int:
        return self.counter().number

    def conclude_numbered_batch(
        self, before: DepositCounter, after: DepositCounter, batch: list[ToNumber]
    ) -> list[Dossier]:
        """Give the next numbers to the dossiers at the head of the sequence, in order, in one transaction.

        The counter goes from `before` to `after` (`after.number = before.number + len(batch)`), on the
        condition that it still reads `before.number` and the numbering chain's head `before.chain_hash`.
        Number n is entry n of the numbering chain, naming the envoi entry of the dossier's chain (its
        head while the dossier waits). Raises ConditionFailed when another worker numbered or concluded
        first; then nothing of the batch is written.
        """
        assert batch and after.number == before.number + len(batch)
        ops, numbered = list[dict[str, Any]](), list[Dossier]()
        head, at = ChainHead(before.number, before.chain_hash), _iso(utcnow())
        for number, x in enumerate(batch, start=before.number + 1):
            d = x.dossier
            assert d.envoi is not None
            done = d.model_copy(update={"status": x.status, "deposit_number": number, "updated_at": utcnow()})
            ops += self._conclusion_ops(x.pending, d, done)
            details = {
                "deposit_number": number,
                "envoi_id": d.envoi.envoi_id,
                "sent_at": _iso(d.envoi.sent_at),
                "pieces": {p: v.sha256 for p, v in d.envoi.pieces.items()},
                "envoi_entry": {"seq": d._audit_head.seq, "hash": d._audit_head.hash},
            }
            draft = AuditDraft(
                d.dossier_id, "systeme:completude", "numerotation", d.status.value, x.status.value, details=details
            )
            entry = seal(NUMBERING_CHAIN, head, draft, at)
            ops.append(self._entry_op(entry))
            head = entry.head
            numbered.append(done.model_copy(update={"version": d.version + 1}))
        # The principal too: a release (a lifecycle step, `ADD principal`) or a promotion from the waiting list
        # since the counter was read makes the batch read it again.
        prev = ({":prev": before.number, ":prev_hash": before.chain_hash, ":prev_p": before.principal}
                if before.number else {})
        counter: dict[str, Any] = {
            "Update": {
                "TableName": self.s.counters_table,
                "Key": typed({"pk": "COUNTER", "sk": "deposit_number"}),
                "UpdateExpression": "SET #val = :n, principal = :p, closed = :c, chain_hash = :h",
                "ConditionExpression": (
                    "attribute_not_exists(pk)" if before.number == 0
                    else "#val = :prev AND chain_hash = :prev_hash AND principal = :prev_p"
                ),
                "ExpressionAttributeNames": {"#val": "value"},
                "ExpressionAttributeValues": typed(
                    {":n": after.number, ":p": after.principal, ":c": after.closed, ":h": head.hash, **prev}
                ),
            }
        }
        self._commit([counter, *ops, self._outbox_op([m for x in batch for m in x.outbox])])
        return numbered

    def conclude_complete(self, d: Dossier, outbox: list[Message]) -> Dossier:
        """A dossier of a dispositif without numbering found complete: `complet`, no number, one transaction
        with its audit entry and what follows (outbox)."""
        assert d.envoi is not None
        complete, entry_op = self._audited(
            d.model_copy(update={"status": DossierStatus.COMPLET, "updated_at": utcnow()}),
            AuditDraft(d.dossier_id, "systeme:completude", "completude", d.status.value, DossierStatus.COMPLET.value,
                       details={"envoi_id": d.envoi.envoi_id}),
        )
        ops = [*self._conclusion_ops(None, d, complete), entry_op]
        self._commit([*ops, self._outbox_op(outbox)] if outbox else ops)
        return complete.model_copy(update={"version": d.version + 1})

    def conclude_incomplete(
        self, pending: PendingEnvoi | None, d: Dossier, reasons: list[Reason], outbox: list[Message]
    ) -> Dossier:
        incomplete, entry_op = self._audited(
            d.model_copy(
                update={
                    "status": DossierStatus.INCOMPLET,
                    "incomplete_reasons": reasons,
                    "updated_at": utcnow(),
                }
            ),
            AuditDraft(
                d.dossier_id,
                "systeme:completude",
                "incompletude",
                d.status.value,
                DossierStatus.INCOMPLET.value,
                reason="; ".join(r.code for r in reasons),
                details={"envoi_id": d.envoi.envoi_id if d.envoi else None},
            ),
        )
        self._commit([*self._conclusion_ops(pending, d, incomplete), entry_op, self._outbox_op(outbox)])
        return incomplete.model_copy(update={"version": d.version + 1})

    def _conclusion_ops(
        self, pending: PendingEnvoi | None, before: Dossier, after: Dossier
    ) -> list[dict[str, Any]]:
        """The dossier's Put (still the envoi concluded) and the removal of its pending envoi (none for a
        dispositif without numbering)."""
        assert before.envoi is not None
        envoi_id = pending.envoi_id if pending is not None else before.envoi.envoi_id
        dossier = self._put_dossier_op(
            after.model_copy(update={"version": before.version}),
            "envoi_id = :e AND #st = :s",
            {":e": envoi_id, ":s": "envoyé"},
        )
        dossier["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        if pending is None:
            return [dossier]
        done = {
            "Delete": {
                "TableName": self.s.counters_table,
                "Key": typed({"pk": "PENDING", "sk": pending.sort_key}),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        return [dossier, done]
