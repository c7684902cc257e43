"""DynamoDB adapter: dossiers, bailleurs, pieces, the deposit sequence and the audit chain.

Every state change of a dossier is one DynamoDB transaction that also appends its audit entry
(hash-chained through a head item) and, where something must follow, an outbox item. So a crash
between two writes cannot leave a number without its dossier, a dossier without its audit entry,
or a numbered dossier whose notification is forgotten.

Layout
    dossiers table   BAILLEUR#<siren>/PROFILE, DOSSIER#<id>/DOSSIER, DOSSIER#<id>/PIECE#<piece>#<version>
    counters table   COUNTER/deposit_number, PENDING/<sent_at>#<envoi_id>, LEASE/sequencer,
                     OUTBOX/<order>#<id> (the messages one transaction must send)
    audit table      log/<seq>, head/0
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from ami.adapters.aws import Aws, default_aws
from ami.domain.audit import GENESIS, AuditEntry
from ami.domain.errors import ConditionFailed, Conflict
from ami.domain.messages import Message
from ami.domain.models import Bailleur, Dossier, DossierStatus, Envoi, HistoryEntry, PieceRecord, Reason, utcnow
from ami.domain.sequence import AuditDraft, DepositCounter, PendingEnvoi, ToNumber
from ami.domain.sequence import iso as _iso
from ami.settings import Settings

_ser = TypeSerializer()
_de = TypeDeserializer()
HEAD_RETRIES = 200


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in item.items()}


@dataclass(frozen=True)
class OutboxItem:
    """What one committed transaction asked to send, in its turn (`key` sorts the items)."""

    key: str
    messages: list[Message]


class Store:
    def __init__(self, settings: Settings, aws: Aws | None = None) -> None:
        aws = aws or default_aws()
        self.s = settings
        self.dossiers = aws.table(settings.dossiers_table)
        self.counters = aws.table(settings.counters_table)
        self.audit = aws.table(settings.audit_table)
        self.ddb = aws.client("dynamodb")

    # ------------------------------------------------------------ bailleurs

    def register_bailleur(self, bailleur: Bailleur) -> None:
        item = {"pk": f"BAILLEUR#{bailleur.siren}", "sk": "PROFILE", "doc": bailleur.model_dump_json()}
        try:
            self.dossiers.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except self.dossiers.meta.client.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict("bailleur_existant", "Un bailleur est déjà inscrit avec ce SIREN.") from exc

    def get_bailleur(self, siren: str) -> Bailleur | None:
        item = self.dossiers.get_item(Key={"pk": f"BAILLEUR#{siren}", "sk": "PROFILE"}).get("Item")
        return Bailleur.model_validate_json(item["doc"]) if item else None

    # ------------------------------------------------------------ dossiers

    def _dossier_item(self, d: Dossier) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": f"DOSSIER#{d.dossier_id}",
            "sk": "DOSSIER",
            "siren": d.siren,
            "created_at": _iso(d.created_at),
            "status": d.status.value,
            "version": d.version,
            "doc": d.model_dump_json(),
        }
        if d.envoi:
            item["envoi_id"] = d.envoi.envoi_id
        if d.deposit_number is not None:
            item["numbering"] = "depot"
            item["deposit_number"] = d.deposit_number
        return item

    def create_dossier(self, d: Dossier, actor: str) -> None:
        self._commit(
            [
                {
                    "Put": {
                        "TableName": self.s.dossiers_table,
                        "Item": _typed(self._dossier_item(d)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ],
            [AuditDraft(d.dossier_id, actor, "creation", None, d.status.value)],
        )

    def get_dossier(self, dossier_id: str) -> Dossier | None:
        item = self.dossiers.get_item(Key={"pk": f"DOSSIER#{dossier_id}", "sk": "DOSSIER"}, ConsistentRead=True).get(
            "Item"
        )
        return Dossier.model_validate_json(item["doc"]) if item else None

    def get_dossiers(self, dossier_ids: list[str]) -> dict[str, Dossier]:
        """The named dossiers that exist, read consistently in one BatchGetItem per hundred."""
        keys = [{"pk": f"DOSSIER#{i}", "sk": "DOSSIER"} for i in dict.fromkeys(dossier_ids)]
        items = self._batch_get(self.s.dossiers_table, keys, "doc")
        dossiers = (Dossier.model_validate_json(i["doc"]) for i in items)
        return {d.dossier_id: d for d in dossiers}

    def _put_dossier_op(self, d: Dossier, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        """A Put of the next version of `d`, guarded by optimistic concurrency and `condition`."""
        return {
            "Put": {
                "TableName": self.s.dossiers_table,
                "Item": _typed(self._dossier_item(d.model_copy(update={"version": d.version + 1}))),
                "ConditionExpression": f"version = :v AND ({condition})" if condition else "version = :v",
                "ExpressionAttributeValues": _typed({":v": d.version, **values}),
            }
        }

    def save_form(self, d: Dossier, actor: str) -> Dossier:
        """Save an edited brouillon (or an incomplet dossier being fixed)."""
        d = d.model_copy(update={"updated_at": utcnow()})
        op = self._put_dossier_op(d, "#st IN (:b, :i)", {":b": "brouillon", ":i": "incomplet"})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        self._commit(
            [op],
            [AuditDraft(d.dossier_id, actor, "modification", d.status.value, d.status.value)],
            on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le."),
        )
        return d.model_copy(update={"version": d.version + 1})

    def transition(self, d: Dossier, to: DossierStatus, actor: str, action: str, reason: str | None = None) -> Dossier:
        """Move a dossier from its current status (as read) to `to`, audited."""
        moved = d.model_copy(update={"status": to, "updated_at": utcnow()})
        op = self._put_dossier_op(moved, "#st = :from", {":from": d.status.value})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        self._commit(
            [op],
            [AuditDraft(d.dossier_id, actor, action, d.status.value, to.value, reason=reason)],
            on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le."),
        )
        return moved.model_copy(update={"version": d.version + 1})

    def save_score(self, d: Dossier, scoring: dict[str, Any], outbox: list[Message]) -> Dossier:
        """Save the first score of a numbered dossier and what must follow it (outbox), together."""
        scored = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        self._commit([self._put_dossier_op(scored, "", {}), self._outbox_op(outbox)], [])
        return scored.model_copy(update={"version": d.version + 1})

    def override_score(self, d: Dossier, scoring: dict[str, Any], actor: str, critere: str) -> Dossier:
        """Save an instructor's override of one scoring criterion, audited (the original stays in `scoring`)."""
        s = scoring.get("surcharges", {}).get(critere, {})
        updated = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        self._commit(
            [self._put_dossier_op(updated, "", {})],
            [
                AuditDraft(
                    d.dossier_id,
                    actor,
                    "surcharge_score",
                    d.status.value,
                    d.status.value,
                    reason=s.get("justification"),
                    details={
                        "critere": critere,
                        "points_origine": s.get("points_origine"),
                        "points": s.get("points"),
                        "total_retenu": scoring.get("total_retenu"),
                    },
                )
            ],
            on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le."),
        )
        return updated.model_copy(update={"version": d.version + 1})

    def rescore(self, d: Dossier, scoring: dict[str, Any], actor: str) -> Dossier:
        """Save a score computed again (`AfterNumbering.rescore`), audited with the totals before and after."""
        before = d.scoring or {}
        updated = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        details = {
            "total_retenu_avant": before.get("total_retenu"),
            "total_retenu": scoring.get("total_retenu"),
            "points_non_evalues": scoring.get("points_non_evalues"),
            "empreinte": scoring.get("empreinte"),
        }
        self._commit(
            [self._put_dossier_op(updated, "", {})],
            [AuditDraft(d.dossier_id, actor, "recalcul_score", d.status.value, d.status.value, details=details)],
            on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; recommencez."),
        )
        return updated.model_copy(update={"version": d.version + 1})

    def list_dossiers(self, siren: str) -> list[Dossier]:
        pages = self._query(self.dossiers, IndexName="ByBailleur", KeyConditionExpression=Key("siren").eq(siren))
        return [Dossier.model_validate_json(i["doc"]) for i in pages]

    def list_numbered(self) -> list[Dossier]:
        pages = self._query(
            self.dossiers, IndexName="ByDepositNumber", KeyConditionExpression=Key("numbering").eq("depot")
        )
        return [Dossier.model_validate_json(i["doc"]) for i in pages]

    # ------------------------------------------------------------ pieces

    def record_piece(self, dossier_id: str, rec: PieceRecord) -> None:
        """Idempotent: the same version always records the same conclusion."""
        self.dossiers.put_item(
            Item={
                "pk": f"DOSSIER#{dossier_id}",
                "sk": f"PIECE#{rec.piece}#{rec.version_id}",
                "doc": rec.model_dump_json(),
            }
        )

    def piece_records(self, dossier_id: str) -> dict[tuple[str, str], PieceRecord]:
        items = self._query(
            self.dossiers,
            ConsistentRead=True,
            KeyConditionExpression=Key("pk").eq(f"DOSSIER#{dossier_id}") & Key("sk").begins_with("PIECE#"),
        )
        records = [PieceRecord.model_validate_json(i["doc"]) for i in items]
        return {(r.piece, r.version_id): r for r in records}

    def deposit_records(self, dossiers: list[Dossier]) -> dict[str, dict[tuple[str, str], PieceRecord]]:
        """Intake's records of the piece versions each sent dossier's envoi holds, by dossier: what
        decides complet / en attente, read for many dossiers at once (`piece_records` has them all)."""
        keys = [
            {"pk": f"DOSSIER#{d.dossier_id}", "sk": f"PIECE#{piece}#{deposited.version_id}"}
            for d in dossiers
            if d.envoi is not None
            for piece, deposited in d.envoi.pieces.items()
        ]
        found: dict[str, dict[tuple[str, str], PieceRecord]] = {d.dossier_id: {} for d in dossiers}
        for item in self._batch_get(self.s.dossiers_table, keys, "pk, doc"):
            rec = PieceRecord.model_validate_json(item["doc"])
            found[item["pk"].removeprefix("DOSSIER#")][(rec.piece, rec.version_id)] = rec
        return found

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

    def record_envoi(self, d: Dossier, envoi: Envoi, actor: str) -> Dossier:
        """The deposit: final, with its server time and the pieces as they stood.

        Turns the envoi's reservation (`reserve_envoi`, made when the time was taken) into a pending
        envoi, in the same transaction as the dossier's change of status and its audit entry. Without
        a live reservation the envoi is refused (Conflict): the bailleur sends again.
        """
        sent = d.model_copy(
            update={
                "status": DossierStatus.ENVOYE,
                "envoi": envoi,
                "updated_at": envoi.sent_at,
                "incomplete_reasons": [],
                "deposit_number": None,
            }
        )
        op = self._put_dossier_op(sent, "#st IN (:b, :i)", {":b": "brouillon", ":i": "incomplet"})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        pending = {**self._pending_item(PendingEnvoi.of(sent)), "state": "envoye"}
        pending_op = {
            "Put": {
                "TableName": self.s.counters_table,
                "Item": _typed(pending),
                # Only a live reservation: one dropped as stale means the deposit time is no longer safe.
                "ConditionExpression": "#state = :r",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": _typed({":r": "reserve"}),
            }
        }
        details = {p: {"version_id": x.version_id, "sha256": x.sha256, "size": x.size} for p, x in envoi.pieces.items()}
        self._commit(
            [op, pending_op],
            [
                AuditDraft(
                    d.dossier_id,
                    actor,
                    "envoi",
                    d.status.value,
                    sent.status.value,
                    details={"envoi_id": envoi.envoi_id, "sent_at": _iso(envoi.sent_at), "pieces": details},
                )
            ],
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
        return DepositCounter(int(item["value"]), Decimal(str(item.get("principal", "0"))), bool(item.get("closed")))

    def last_deposit_number(self) -> int:
        return self.counter().number

    def conclude_numbered_batch(
        self, before: DepositCounter, after: DepositCounter, batch: list[ToNumber]
    ) -> list[Dossier]:
        """Give the next numbers to the dossiers at the head of the sequence, in order, in one transaction.

        The counter goes from `before` to `after` (`after.number = before.number + len(batch)`), on the
        condition that it still reads `before.number`. Raises ConditionFailed when another worker
        numbered or concluded first; then nothing of the batch is written.
        """
        assert batch and after.number == before.number + len(batch)
        counter: dict[str, Any] = {
            "Update": {
                "TableName": self.s.counters_table,
                "Key": _typed({"pk": "COUNTER", "sk": "deposit_number"}),
                "UpdateExpression": "SET #val = :n, principal = :p, closed = :c",
                "ConditionExpression": "attribute_not_exists(pk)" if before.number == 0 else "#val = :prev",
                "ExpressionAttributeNames": {"#val": "value"},
                "ExpressionAttributeValues": _typed(
                    {
                        ":n": after.number,
                        ":p": after.principal,
                        ":c": after.closed,
                        **({":prev": before.number} if before.number else {}),
                    }
                ),
            }
        }
        ops, drafts, numbered = [counter], list[AuditDraft](), list[Dossier]()
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
            }
            drafts.append(
                AuditDraft(
                    d.dossier_id, "systeme:completude", "numerotation", d.status.value, x.status.value, details=details
                )
            )
            numbered.append(done.model_copy(update={"version": d.version + 1}))
        self._commit([*ops, self._outbox_op([m for x in batch for m in x.outbox])], drafts)
        return numbered

    def conclude_incomplete(
        self, pending: PendingEnvoi, d: Dossier, reasons: list[Reason], outbox: list[Message]
    ) -> Dossier:
        incomplete = d.model_copy(
            update={
                "status": DossierStatus.INCOMPLET,
                "incomplete_reasons": reasons,
                "updated_at": utcnow(),
            }
        )
        self._commit(
            [*self._conclusion_ops(pending, d, incomplete), self._outbox_op(outbox)],
            [
                AuditDraft(
                    d.dossier_id,
                    "systeme:completude",
                    "incompletude",
                    d.status.value,
                    incomplete.status.value,
                    reason="; ".join(r.code for r in reasons),
                    details={"envoi_id": pending.envoi_id},
                )
            ],
        )
        return incomplete.model_copy(update={"version": d.version + 1})

    def _conclusion_ops(self, pending: PendingEnvoi, before: Dossier, after: Dossier) -> list[dict[str, Any]]:
        dossier = self._put_dossier_op(
            after.model_copy(update={"version": before.version}),
            "envoi_id = :e AND #st = :s",
            {":e": pending.envoi_id, ":s": "envoyé"},
        )
        dossier["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        done = {
            "Delete": {
                "TableName": self.s.counters_table,
                "Key": _typed({"pk": "PENDING", "sk": pending.sort_key}),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        return [dossier, done]

    # ------------------------------------------------------------ outbox

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
        return {"Put": {"TableName": self.s.counters_table, "Item": _typed(item)}}

    def outbox_items(self) -> Iterator[OutboxItem]:
        """The outbox, in key order."""
        for item in self._query(self.counters, KeyConditionExpression=Key("pk").eq("OUTBOX"), ConsistentRead=True):
            messages = [Message(**m) for m in json.loads(item["messages"])]
            yield OutboxItem(str(item["sk"]), messages)

    def claim_outbox_item(self, key: str, now: datetime, until: datetime) -> bool:
        """Take one item for sending until `until`; False when another sender holds it (or sent it)."""
        try:
            self.counters.update_item(
                Key={"pk": "OUTBOX", "sk": key},
                UpdateExpression="SET claimed_until = :until",
                ConditionExpression="attribute_exists(pk) AND "
                "(attribute_not_exists(claimed_until) OR claimed_until < :now)",
                ExpressionAttributeValues={":until": _iso(until), ":now": _iso(now)},
            )
            return True
        except self.counters.meta.client.exceptions.ConditionalCheckFailedException:
            return False

    def delete_outbox_item(self, key: str) -> None:
        self.counters.delete_item(Key={"pk": "OUTBOX", "sk": key})

    # ------------------------------------------------------------ audit

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
                        "Item": _typed(
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
                "Item": _typed({"pk": "head", "sk": 0, "seq": seq, "hash": prev}),
            }
        }
        if first_seq:
            head_op["Put"]["ExpressionAttributeValues"] = _typed({":old": first_seq})
        return [head_op, *ops]

    def _batch_get(self, table_name: str, keys: list[dict[str, Any]], projection: str) -> Iterator[dict[str, Any]]:
        """The `projection` of the items of `keys` that exist, read consistently, a hundred keys per
        BatchGetItem (reading only the attributes needed halves moto's time for a batch)."""
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                table_name: {
                    "Keys": [_typed(k) for k in keys[start : start + 100]],
                    "ProjectionExpression": projection,
                    "ConsistentRead": True,
                }
            }
            while request:
                page = self.ddb.batch_get_item(RequestItems=request)
                for item in page["Responses"].get(table_name, []):
                    yield {k: _de.deserialize(v) for k, v in item.items()}
                request = page.get("UnprocessedKeys") or {}

    @staticmethod
    def _query(tbl: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = tbl.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
