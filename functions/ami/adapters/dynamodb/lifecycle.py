"""The lifecycle's writes on DynamoDB (ami.domain.lifecycle): each step of a dossier is one transaction
with its audit entry, its outbox item (the emails) and, when the step gives the dossier's principal back,
the deposit counter's principal (COUNTER/deposit_number, what the numbering fills the envelope from);
promotions from the waiting list are one transaction with the counter as read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ami.adapters.dynamodb._base import typed
from ami.adapters.dynamodb.dossiers import DynamoDossiers
from ami.domain.errors import Conflict
from ami.domain.messages import Message
from ami.domain.models import Dossier, DossierStatus, utcnow
from ami.domain.sequence import AuditDraft, DepositCounter

STALE = Conflict("dossier_modifie", "Le dossier a changé entre-temps (une autre décision vient d'être "
                 "enregistrée) : rechargez-le.")
COUNTER_KEY = {"pk": "COUNTER", "sk": "deposit_number"}


class DynamoLifecycle(DynamoDossiers):
    def lifecycle_move(self, before: Dossier, after: Dossier, draft: AuditDraft, outbox: list[Message],
                       release: Decimal | None = None) -> Dossier:
        """Store `after` in place of `before` (same version and status as read), with its audit entry and its
        outbox item; `release`: give that principal back to the envelope in the same transaction, so that a
        release is counted exactly once (the dossier's condition guards it)."""
        moved, entry_op = self._audited(after.model_copy(update={"version": before.version}), draft)
        op = self._put_dossier_op(moved, "#st = :from", {":from": before.status.value})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        ops = [op, entry_op]
        if outbox:
            ops.append(self._outbox_op(outbox))
        if release:
            ops.append({
                "Update": {
                    "TableName": self.s.counters_table,
                    "Key": typed(COUNTER_KEY),
                    # ADD commutes with other releases; a numbering that read the counter before fails its
                    # condition on the principal and reads again.
                    "UpdateExpression": "ADD principal :minus",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": typed({":minus": -release}),
                }
            })
        self._commit(ops, on_conflict=STALE)
        return moved.model_copy(update={"version": before.version + 1})

    def promote_waiting(self, before: DepositCounter, promoted: list[Dossier], principal: Decimal, closed: bool,
                        actor: str, outbox: list[Message]) -> list[Dossier]:
        """Take `promoted` (waiting, as read) off the waiting list and set the counter's principal and
        `closed`, on condition that the counter still reads `before`; ConditionFailed otherwise."""
        ops: list[dict[str, Any]] = [{
            "Update": {
                "TableName": self.s.counters_table,
                "Key": typed(COUNTER_KEY),
                "UpdateExpression": "SET principal = :p, closed = :c",
                "ConditionExpression": "#val = :n AND principal = :before AND closed = :was",
                "ExpressionAttributeNames": {"#val": "value"},
                "ExpressionAttributeValues": typed({":p": principal, ":c": closed, ":n": before.number,
                                                    ":before": before.principal, ":was": before.closed}),
            }
        }]
        out: list[Dossier] = []
        for d in promoted:
            up, entry_op = self._audited(
                d.model_copy(update={"status": DossierStatus.COMPLET, "updated_at": utcnow()}),
                AuditDraft(d.dossier_id, actor, "sortie_liste_attente", d.status.value, DossierStatus.COMPLET.value,
                           details={"deposit_number": d.deposit_number, "principal": str(d.loan_total)}),
            )
            op = self._put_dossier_op(up, "#st = :w", {":w": DossierStatus.LISTE_ATTENTE.value})
            op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
            ops += [op, entry_op]
            out.append(up.model_copy(update={"version": d.version + 1}))
        if outbox:
            ops.append(self._outbox_op(outbox))
        self._commit(ops)
        return out
