"""Bailleurs, dossiers and their pieces on DynamoDB (dossiers table:
BAILLEUR#<siren>/PROFILE, DOSSIER#<id>/DOSSIER, DOSSIER#<id>/PIECE#<piece>#<version>).

Every change of a dossier is one transaction with its audit entry, chained to the head of the
dossier's own audit chain that the dossier item keeps (`audit_seq`, `audit_hash`), and, where
something must follow, its outbox item.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from ami.adapters.dynamodb._base import typed
from ami.adapters.dynamodb.audit import AuditChain, seal
from ami.adapters.dynamodb.outbox import DynamoOutbox
from ami.domain.audit import AuditEntry, ChainHead, bailleur_chain
from ami.domain.dispositif import territoire
from ami.domain.errors import Conflict
from ami.domain.messages import Message
from ami.domain.models import Bailleur, Dossier, DossierStatus, PieceRecord, utcnow
from ami.domain.score import Score
from ami.domain.sequence import AuditDraft
from ami.domain.sequence import iso as _iso
from ami.domain.summary import DossierSummary, summarize

# The instructors' list reads this index: sparse (only numbered dossiers carry `numbering`) and projecting
# the summary alone, so a view of 4,000 dossiers reads a few hundred bytes each, not the dossiers
# (template.yaml, DossiersTable).
SUMMARY_INDEX = "SummaryByDepositNumber"


def _plain(value: Decimal | None) -> str | None:
    """A Decimal as the audit log records it (a string, as the stored score has it)."""
    return None if value is None else str(value)


def dossier_from_item(item: dict[str, Any]) -> Dossier:
    """A dossier as stored, with the head of its audit chain."""
    d = Dossier.model_validate_json(item["doc"])
    if "audit_seq" in item:
        d._audit_head = ChainHead(int(item["audit_seq"]), str(item["audit_hash"]))
    return d


def with_head(d: Dossier, entry: AuditEntry) -> Dossier:
    """`d` whose audit chain now ends with `entry`."""
    moved = d.model_copy()
    moved._audit_head = entry.head
    return moved


class DynamoDossiers(AuditChain, DynamoOutbox):
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

    def get_bailleurs(self, sirens: list[str]) -> dict[str, Bailleur]:
        """The named bailleurs that are registered, in one BatchGetItem per hundred."""
        keys = [{"pk": f"BAILLEUR#{s}", "sk": "PROFILE"} for s in dict.fromkeys(sirens)]
        found = (Bailleur.model_validate_json(i["doc"]) for i in self._batch_get(self.s.dossiers_table, keys, "doc"))
        return {b.siren: b for b in found}

    def change_bailleur(
        self, siren: str, draft: AuditDraft, before: Bailleur | None = None, after: Bailleur | None = None
    ) -> AuditEntry:
        """Append `draft` to the bailleur's audit chain and, in the same transaction, store `after` in place
        of `before` (unchanged since read) when given; returns the entry."""
        chain = bailleur_chain(siren)
        last = self.chain_entries(chain)[-1:]
        entry = seal(chain, last[0].head if last else ChainHead(), draft)
        ops = [self._entry_op(entry, index=False)]
        if before is not None and after is not None:
            ops.append({
                "Put": {
                    "TableName": self.s.dossiers_table,
                    "Item": typed({"pk": f"BAILLEUR#{siren}", "sk": "PROFILE", "doc": after.model_dump_json()}),
                    "ConditionExpression": "#doc = :before",
                    "ExpressionAttributeNames": {"#doc": "doc"},
                    "ExpressionAttributeValues": typed({":before": before.model_dump_json()}),
                }
            })
        self._commit(ops, on_conflict=Conflict("bailleur_modifie", "La fiche du bailleur a changé entre-temps : "
                                                                   "recommencez."))
        return entry

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
            "audit_seq": d._audit_head.seq,
            "audit_hash": d._audit_head.hash,
        }
        if d.envoi:
            item["envoi_id"] = d.envoi.envoi_id
        if d.deposit_number is not None:
            item["numbering"] = "depot"
            item["deposit_number"] = d.deposit_number
        summary = summarize(d)  # written with the dossier, in the same item: it cannot lag behind it
        if summary is not None:
            item["summary"] = summary.model_dump_json()
        place = territoire(d)
        if place is not None:
            item["territoire"] = place
        return item

    def _audited(self, d: Dossier, draft: AuditDraft) -> tuple[Dossier, dict[str, Any]]:
        """`d` with its audit chain moved on by `draft`, and the Put of that entry."""
        entry = self._dossier_entry(d._audit_head, draft)
        return with_head(d, entry), self._entry_op(entry)

    def create_dossier(self, d: Dossier, actor: str) -> None:
        """Store a new dossier; `d` then holds the head of its new audit chain, ready for its next change."""
        created, entry_op = self._audited(d, AuditDraft(d.dossier_id, actor, "creation", None, d.status.value))
        self._commit(
            [
                {
                    "Put": {
                        "TableName": self.s.dossiers_table,
                        "Item": typed(self._dossier_item(created)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                entry_op,
            ]
        )
        d._audit_head = created._audit_head

    def get_dossier(self, dossier_id: str) -> Dossier | None:
        item = self.dossiers.get_item(Key={"pk": f"DOSSIER#{dossier_id}", "sk": "DOSSIER"}, ConsistentRead=True).get(
            "Item"
        )
        return dossier_from_item(item) if item else None

    def get_dossiers(self, dossier_ids: list[str]) -> dict[str, Dossier]:
        """The named dossiers that exist, read consistently in one BatchGetItem per hundred."""
        keys = [{"pk": f"DOSSIER#{i}", "sk": "DOSSIER"} for i in dict.fromkeys(dossier_ids)]
        items = self._batch_get(self.s.dossiers_table, keys, "doc, audit_seq, audit_hash")
        dossiers = (dossier_from_item(i) for i in items)
        return {d.dossier_id: d for d in dossiers}

    def _put_dossier_op(self, d: Dossier, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        """A Put of the next version of `d`, guarded by optimistic concurrency and `condition`."""
        return {
            "Put": {
                "TableName": self.s.dossiers_table,
                "Item": typed(self._dossier_item(d.model_copy(update={"version": d.version + 1}))),
                "ConditionExpression": f"version = :v AND ({condition})" if condition else "version = :v",
                "ExpressionAttributeValues": typed({":v": d.version, **values}),
            }
        }

    def save_form(self, d: Dossier, actor: str) -> Dossier:
        """Save an edited brouillon (or an incomplet dossier being fixed)."""
        d, entry_op = self._audited(
            d.model_copy(update={"updated_at": utcnow()}),
            AuditDraft(d.dossier_id, actor, "modification", d.status.value, d.status.value),
        )
        op = self._put_dossier_op(d, "#st IN (:b, :i)", {":b": "brouillon", ":i": "incomplet"})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        self._commit(
            [op, entry_op], on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le.")
        )
        return d.model_copy(update={"version": d.version + 1})

    def transition(self, d: Dossier, to: DossierStatus, actor: str, action: str, reason: str | None = None) -> Dossier:
        """Move a dossier from its current status (as read) to `to`, audited."""
        moved, ops = self._transition_ops(d, to, actor, action, reason)
        self._commit(ops, on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le."))
        return moved

    def _transition_ops(
        self, d: Dossier, to: DossierStatus, actor: str, action: str, reason: str | None = None
    ) -> tuple[Dossier, list[dict[str, Any]]]:
        """The dossier as it will be stored after the transition, and the writes that make it (dossier + audit)."""
        moved, entry_op = self._audited(
            d.model_copy(update={"status": to, "updated_at": utcnow()}),
            AuditDraft(d.dossier_id, actor, action, d.status.value, to.value, reason=reason),
        )
        op = self._put_dossier_op(moved, "#st = :from", {":from": d.status.value})
        op["Put"]["ExpressionAttributeNames"] = {"#st": "status"}
        return moved.model_copy(update={"version": d.version + 1}), [op, entry_op]

    def save_score(self, d: Dossier, scoring: Score, outbox: list[Message]) -> Dossier:
        """Save the first score of a numbered dossier and what must follow it (outbox), together."""
        scored = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        self._commit([self._put_dossier_op(scored, "", {}), self._outbox_op(outbox)])
        return scored.model_copy(update={"version": d.version + 1})

    def override_score(self, d: Dossier, scoring: Score, actor: str, critere: str) -> Dossier:
        """Save an instructor's override of one scoring criterion, audited (the original stays in `scoring`)."""
        s = scoring.surcharges[critere]
        updated, entry_op = self._audited(
            d.model_copy(update={"scoring": scoring, "updated_at": utcnow()}),
            AuditDraft(
                d.dossier_id,
                actor,
                "surcharge_score",
                d.status.value,
                d.status.value,
                reason=s.justification,
                details={
                    "critere": critere,
                    "points_origine": _plain(s.points_origine),
                    "points": _plain(s.points),
                    "total_retenu": _plain(scoring.total_retenu),
                },
            ),
        )
        self._commit(
            [self._put_dossier_op(updated, "", {}), entry_op],
            on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le."),
        )
        return updated.model_copy(update={"version": d.version + 1})

    def rescore(self, d: Dossier, scoring: Score, actor: str) -> Dossier:
        """Save a score computed again (`AfterNumbering.rescore`), audited with the totals before and after."""
        details = {
            "total_retenu_avant": _plain(d.scoring.total_retenu) if d.scoring else None,
            "total_retenu": _plain(scoring.total_retenu),
            "points_non_evalues": _plain(scoring.points_non_evalues),
            "empreinte": scoring.empreinte,
        }
        updated, entry_op = self._audited(
            d.model_copy(update={"scoring": scoring, "updated_at": utcnow()}),
            AuditDraft(d.dossier_id, actor, "recalcul_score", d.status.value, d.status.value, details=details),
        )
        self._commit(
            [self._put_dossier_op(updated, "", {}), entry_op],
            on_conflict=Conflict("dossier_modifie", "Le dossier a changé entre-temps ; recommencez."),
        )
        return updated.model_copy(update={"version": d.version + 1})

    def list_dossiers(self, siren: str) -> list[Dossier]:
        pages = self._query(self.dossiers, IndexName="ByBailleur", KeyConditionExpression=Key("siren").eq(siren))
        return [dossier_from_item(i) for i in pages]

    def list_territoire(self, dispositif: str, departement: str) -> list[Dossier]:
        """The sent dossiers of a dispositif instructed by département, for one département (sparse index)."""
        pages = self._query(self.dossiers, IndexName="ByTerritoire",
                            KeyConditionExpression=Key("territoire").eq(f"{dispositif}#{departement}"))
        return [dossier_from_item(i) for i in pages]

    def list_numbered(self) -> list[Dossier]:
        pages = self._query(
            self.dossiers, IndexName="ByDepositNumber", KeyConditionExpression=Key("numbering").eq("depot")
        )
        return [dossier_from_item(i) for i in pages]

    def list_summaries(self) -> list[DossierSummary]:
        """The numbered dossiers' summaries, from the index that projects them alone, page by page."""
        items = list(self._query(self.dossiers, IndexName=SUMMARY_INDEX, ProjectionExpression="pk, summary",
                                 KeyConditionExpression=Key("numbering").eq("depot")))
        # A dossier last written before summaries existed has none: summarised from the dossier itself.
        older = self.get_dossiers([i["pk"].removeprefix("DOSSIER#") for i in items if "summary" not in i])
        found = [DossierSummary.model_validate_json(i["summary"]) if "summary" in i
                 else summarize(older[i["pk"].removeprefix("DOSSIER#")]) for i in items]
        return [s for s in found if s is not None]

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

    def dossier_with_records(self, dossier_id: str) -> tuple[Dossier | None, dict[tuple[str, str], PieceRecord]]:
        """One consistent query of the partition `DOSSIER#<id>`: its DOSSIER item and its PIECE# items."""
        d: Dossier | None = None
        records: dict[tuple[str, str], PieceRecord] = {}
        for item in self._query(self.dossiers, ConsistentRead=True, KeyConditionExpression=Key("pk").eq(
                f"DOSSIER#{dossier_id}")):
            if item["sk"] == "DOSSIER":
                d = dossier_from_item(item)
            elif item["sk"].startswith("PIECE#"):
                rec = PieceRecord.model_validate_json(item["doc"])
                records[(rec.piece, rec.version_id)] = rec
        return d, records

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
