"""In-memory fakes of the ports (`ami.services.ports`), for unit tests that need no emulation.

They keep the adapters' semantics, not just their signatures: every conditional write is checked
the way DynamoDB checks it, a transaction is all-or-nothing, the audit chains (one per dossier, one
for the numbering) are hashed as the real ones are. `tests/contract/` runs the same cases against
these fakes and the real adapters on the emulation, so a fake that drifts from its adapter fails there.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ami.domain.audit import NUMBERING_CHAIN, AuditEntry, ChainHead, dossier_chain
from ami.domain.errors import ConditionFailed, Conflict
from ami.domain.messages import Message
from ami.domain.models import (
    Bailleur,
    Dossier,
    DossierStatus,
    Envoi,
    HistoryEntry,
    PieceRecord,
    Reason,
    WorkItem,
    utcnow,
)
from ami.domain.notifications import Email
from ami.domain.score import Score
from ami.domain.sequence import AuditDraft, DepositCounter, PendingEnvoi, ToNumber, iso
from ami.domain.worklist import TAKEN_BY_ANOTHER, WorkEntry
from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

STALE = Conflict("dossier_modifie", "Le dossier a changé entre-temps ; rechargez-le.")
LIFECYCLE_STALE = Conflict("dossier_modifie", "Le dossier a changé entre-temps (une autre décision vient d'être "
                           "enregistrée) : rechargez-le.")


@dataclass(frozen=True)
class OutboxItem:
    key: str
    messages: list[Message]


@dataclass
class _Pending:
    pending: PendingEnvoi
    state: str  # "reserve" or "envoye"


@dataclass
class _Tables:
    bailleurs: dict[str, Bailleur] = field(default_factory=dict)
    dossiers: dict[str, Dossier] = field(default_factory=dict)
    pieces: dict[str, dict[tuple[str, str], PieceRecord]] = field(default_factory=dict)
    pending: dict[str, _Pending] = field(default_factory=dict)
    lease: tuple[str, datetime] | None = None
    counter: DepositCounter | None = None
    outbox: dict[str, tuple[list[Message], datetime | None]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    work: dict[int, WorkEntry] = field(default_factory=dict)


class InMemoryStore:
    """Dossiers, deposit sequence, outbox and audit log (the `Store` port) in one process's memory."""

    def __init__(self) -> None:
        self.t = _Tables()
        # One writer at a time, as DynamoDB serialises the writes to one item (the concurrency tests use threads).
        self._lock = threading.RLock()

    # ------------------------------------------------------------ the transaction

    def _commit(self, change: Callable[[_Tables], None], on_conflict: Exception | None = None) -> None:
        """Apply `change` to a copy, then publish the copy: all or nothing. `change` raises
        ConditionFailed when a condition does not hold."""
        with self._lock:
            work = copy.deepcopy(self.t)
            try:
                change(work)
            except ConditionFailed as exc:
                raise (on_conflict or exc) from exc
            self.t = work

    @staticmethod
    def _seal(chain: str, head: ChainHead, draft: AuditDraft) -> AuditEntry:
        return AuditEntry(
            chain=chain, seq=head.seq + 1, at=iso(utcnow()), dossier_id=draft.dossier_id, actor=draft.actor,
            action=draft.action, from_status=draft.from_status, to_status=draft.to_status, reason=draft.reason,
            details=draft.details or {}, prev_hash=head.hash,
        ).sealed()

    def _audited(self, t: _Tables, d: Dossier, draft: AuditDraft) -> Dossier:
        """`d` with its dossier's chain moved on by `draft` (the entry appended to `t`)."""
        entry = self._seal(dossier_chain(d.dossier_id), d._audit_head, draft)
        t.audit.append(entry)
        moved = d.model_copy()
        moved._audit_head = entry.head
        return moved

    @staticmethod
    def _next(t: _Tables, d: Dossier, allowed: Iterable[DossierStatus] | None = None) -> Dossier:
        """`d` written as its next version, on the condition that the stored one is `d`'s version."""
        stored = t.dossiers.get(d.dossier_id)
        if stored is None or stored.version != d.version:
            raise ConditionFailed("version")
        if allowed is not None and stored.status not in set(allowed):
            raise ConditionFailed("status")
        nxt = d.model_copy(update={"version": d.version + 1})
        t.dossiers[d.dossier_id] = nxt
        return nxt

    @staticmethod
    def _outbox(t: _Tables, messages: list[Message]) -> None:
        orders = [m.order for m in messages if m.order]
        order = min(orders) if orders else f"T{iso(utcnow())}"
        t.outbox[f"{order}#{uuid.uuid4().hex}"] = (list(messages), None)

    # ------------------------------------------------------------ Dossiers

    def register_bailleur(self, bailleur: Bailleur) -> None:
        if bailleur.siren in self.t.bailleurs:
            raise Conflict("bailleur_existant", "Un bailleur est déjà inscrit avec ce SIREN.")
        self.t.bailleurs[bailleur.siren] = bailleur

    def get_bailleur(self, siren: str) -> Bailleur | None:
        return self.t.bailleurs.get(siren)

    def create_dossier(self, d: Dossier, actor: str) -> None:
        def change(t: _Tables) -> None:
            if d.dossier_id in t.dossiers:
                raise ConditionFailed("exists")
            created = self._audited(t, d, AuditDraft(d.dossier_id, actor, "creation", None, d.status.value))
            t.dossiers[d.dossier_id] = created
            d._audit_head = created._audit_head

        self._commit(change)

    def get_dossier(self, dossier_id: str) -> Dossier | None:
        return self.t.dossiers.get(dossier_id)

    def get_dossiers(self, dossier_ids: list[str]) -> dict[str, Dossier]:
        return {i: self.t.dossiers[i] for i in dossier_ids if i in self.t.dossiers}

    def save_form(self, d: Dossier, actor: str) -> Dossier:
        d = d.model_copy(update={"updated_at": utcnow()})
        out: list[Dossier] = []
        draft = AuditDraft(d.dossier_id, actor, "modification", d.status.value, d.status.value)
        self._commit(lambda t: out.append(self._next(t, self._audited(t, d, draft),
                                                     (DossierStatus.BROUILLON, DossierStatus.INCOMPLET))), STALE)
        return out[0]

    def transition(self, d: Dossier, to: DossierStatus, actor: str, action: str, reason: str | None = None) -> Dossier:
        moved = d.model_copy(update={"status": to, "updated_at": utcnow()})
        out: list[Dossier] = []
        draft = AuditDraft(d.dossier_id, actor, action, d.status.value, to.value, reason=reason)
        self._commit(lambda t: out.append(self._next(t, self._audited(t, moved, draft), (d.status,))), STALE)
        return out[0]

    def save_score(self, d: Dossier, scoring: Score, outbox: list[Message]) -> Dossier:
        scored = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        out: list[Dossier] = []

        def change(t: _Tables) -> None:
            out.append(self._next(t, scored))
            self._outbox(t, outbox)

        self._commit(change)
        return out[0]

    def override_score(self, d: Dossier, scoring: Score, actor: str, critere: str) -> Dossier:
        s = scoring.surcharges[critere]
        updated = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        out: list[Dossier] = []
        details = {"critere": critere, "points_origine": None if s.points_origine is None else str(s.points_origine),
                   "points": str(s.points), "total_retenu": str(scoring.total_retenu)}
        draft = AuditDraft(d.dossier_id, actor, "surcharge_score", d.status.value, d.status.value,
                           reason=s.justification, details=details)
        self._commit(lambda t: out.append(self._next(t, self._audited(t, updated, draft))), STALE)
        return out[0]

    def rescore(self, d: Dossier, scoring: Score, actor: str) -> Dossier:
        updated = d.model_copy(update={"scoring": scoring, "updated_at": utcnow()})
        out: list[Dossier] = []
        details = {"total_retenu_avant": str(d.scoring.total_retenu) if d.scoring else None,
                   "total_retenu": str(scoring.total_retenu),
                   "points_non_evalues": str(scoring.points_non_evalues), "empreinte": scoring.empreinte}
        draft = AuditDraft(d.dossier_id, actor, "recalcul_score", d.status.value, d.status.value, details=details)
        self._commit(lambda t: out.append(self._next(t, self._audited(t, updated, draft))),
                     Conflict("dossier_modifie", "Le dossier a changé entre-temps ; recommencez."))
        return out[0]

    def list_dossiers(self, siren: str) -> list[Dossier]:
        return [d for d in self.t.dossiers.values() if d.siren == siren]

    def list_numbered(self) -> list[Dossier]:
        return sorted((d for d in self.t.dossiers.values() if d.deposit_number is not None),
                      key=lambda d: d.deposit_number or 0)

    def record_piece(self, dossier_id: str, rec: PieceRecord) -> None:
        self.t.pieces.setdefault(dossier_id, {})[(rec.piece, rec.version_id)] = rec

    def piece_records(self, dossier_id: str) -> dict[tuple[str, str], PieceRecord]:
        return dict(self.t.pieces.get(dossier_id, {}))

    def deposit_records(self, dossiers: list[Dossier]) -> dict[str, dict[tuple[str, str], PieceRecord]]:
        found: dict[str, dict[tuple[str, str], PieceRecord]] = {d.dossier_id: {} for d in dossiers}
        for d in dossiers:
            for piece, deposited in (d.envoi.pieces.items() if d.envoi else ()):
                rec = self.t.pieces.get(d.dossier_id, {}).get((piece, deposited.version_id))
                if rec is not None:
                    found[d.dossier_id][(piece, deposited.version_id)] = rec
        return found

    # ------------------------------------------------------------ AuditLog

    def history(self, dossier_id: str) -> list[HistoryEntry]:
        found = [HistoryEntry(seq=e.seq, at=datetime.fromisoformat(e.at), actor=e.actor, action=e.action,
                              from_status=e.from_status, to_status=e.to_status, reason=e.reason)
                 for e in self.t.audit if e.dossier_id == dossier_id]
        return sorted(found, key=lambda h: h.at)

    def audit_entries(self) -> list[AuditEntry]:
        return sorted(self.t.audit, key=lambda e: (e.at, e.chain, e.seq))

    # ------------------------------------------------------------ DepositSequence

    def reserve_envoi(self, pending: PendingEnvoi) -> None:
        if pending.sort_key in self.t.pending:
            raise ConditionFailed("reserved")
        self.t.pending[pending.sort_key] = _Pending(pending, "reserve")

    def cancel_reservation(self, pending: PendingEnvoi) -> None:
        held = self.t.pending.get(pending.sort_key)
        if held is not None and held.state == "reserve":
            del self.t.pending[pending.sort_key]

    def record_envoi(self, d: Dossier, envoi: Envoi, actor: str) -> Dossier:
        sent = d.model_copy(update={"status": DossierStatus.ENVOYE, "envoi": envoi, "updated_at": envoi.sent_at,
                                    "incomplete_reasons": [], "deposit_number": None})
        out: list[Dossier] = []

        details = {p: {"version_id": x.version_id, "sha256": x.sha256, "size": x.size} for p, x in envoi.pieces.items()}
        draft = AuditDraft(d.dossier_id, actor, "envoi", d.status.value, sent.status.value,
                           details={"envoi_id": envoi.envoi_id, "sent_at": iso(envoi.sent_at), "pieces": details})

        def change(t: _Tables) -> None:
            out.append(self._next(t, self._audited(t, sent, draft), (DossierStatus.BROUILLON, DossierStatus.INCOMPLET)))
            key = PendingEnvoi.of(sent).sort_key
            held = t.pending.get(key)
            if held is None or held.state != "reserve":
                raise ConditionFailed("no reservation")
            t.pending[key] = _Pending(PendingEnvoi.of(sent), "envoye")

        self._commit(change, Conflict("envoi_impossible", "Ce dossier a déjà été envoyé ou vient d'être modifié."))
        return out[0]

    def pending_envois(self, limit: int | None = None) -> list[PendingEnvoi]:
        items = [dataclasses.replace(held.pending, reserved=held.state == "reserve")
                 for _, held in sorted(self.t.pending.items())]
        return items[:limit] if limit else items

    def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool:
        if self.t.lease is not None and self.t.lease[1] >= now:
            return False
        self.t.lease = (owner, now + ttl)
        return True

    def release_lease(self, owner: str) -> None:
        if self.t.lease is not None and self.t.lease[0] == owner:
            self.t.lease = None

    def counter(self) -> DepositCounter:
        return self.t.counter or DepositCounter()

    def conclude_numbered_batch(self, before: DepositCounter, after: DepositCounter,
                                batch: list[ToNumber]) -> list[Dossier]:
        assert batch and after.number == before.number + len(batch)
        numbered: list[Dossier] = []

        def change(t: _Tables) -> None:
            stored = t.counter or DepositCounter()
            if (stored.number, stored.chain_hash, stored.principal) != (
                    before.number, before.chain_hash, before.principal) or (
                    t.counter is None) != (before.number == 0):
                raise ConditionFailed("counter")
            head = ChainHead(before.number, before.chain_hash)
            for number, x in enumerate(batch, start=before.number + 1):
                d = x.dossier
                assert d.envoi is not None
                details = {"deposit_number": number, "envoi_id": d.envoi.envoi_id, "sent_at": iso(d.envoi.sent_at),
                           "pieces": {p: v.sha256 for p, v in d.envoi.pieces.items()},
                           "envoi_entry": {"seq": d._audit_head.seq, "hash": d._audit_head.hash}}
                entry = self._seal(NUMBERING_CHAIN, head, AuditDraft(
                    d.dossier_id, "systeme:completude", "numerotation", d.status.value, x.status.value,
                    details=details))
                t.audit.append(entry)
                head = entry.head
                done = d.model_copy(update={"status": x.status, "deposit_number": number, "updated_at": utcnow()})
                numbered.append(self._conclude(t, x.pending, d, done))
            t.counter = dataclasses.replace(after, chain_hash=head.hash)
            self._outbox(t, [m for x in batch for m in x.outbox])

        self._commit(change)
        return numbered

    def conclude_incomplete(self, pending: PendingEnvoi, d: Dossier, reasons: list[Reason],
                            outbox: list[Message]) -> Dossier:
        incomplete = d.model_copy(update={"status": DossierStatus.INCOMPLET, "incomplete_reasons": reasons,
                                          "updated_at": utcnow()})
        out: list[Dossier] = []

        draft = AuditDraft(d.dossier_id, "systeme:completude", "incompletude", d.status.value,
                           incomplete.status.value, reason="; ".join(r.code for r in reasons),
                           details={"envoi_id": pending.envoi_id})

        def change(t: _Tables) -> None:
            out.append(self._conclude(t, pending, d, self._audited(t, incomplete, draft)))
            self._outbox(t, outbox)

        self._commit(change)
        return out[0]

    def _conclude(self, t: _Tables, pending: PendingEnvoi, before: Dossier, after: Dossier) -> Dossier:
        stored = t.dossiers.get(before.dossier_id)
        if (stored is None or stored.version != before.version or stored.status != DossierStatus.ENVOYE
                or stored.envoi is None or stored.envoi.envoi_id != pending.envoi_id
                or pending.sort_key not in t.pending):
            raise ConditionFailed("conclusion")
        del t.pending[pending.sort_key]
        nxt = after.model_copy(update={"version": before.version + 1})
        t.dossiers[before.dossier_id] = nxt
        return nxt

    # ------------------------------------------------------------ Outbox

    def outbox_items(self) -> Iterator[OutboxItem]:
        for key, (messages, _) in sorted(self.t.outbox.items()):
            yield OutboxItem(key, messages)

    def claim_outbox_item(self, key: str, now: datetime, until: datetime) -> bool:
        item = self.t.outbox.get(key)
        if item is None or (item[1] is not None and item[1] >= now):
            return False
        self.t.outbox[key] = (item[0], until)
        return True

    def delete_outbox_item(self, key: str) -> None:
        self.t.outbox.pop(key, None)

    # ------------------------------------------------------------ WorkList

    def put_work_item(self, item: WorkItem) -> bool:
        with self._lock:
            held = self.t.work.get(item.deposit_number)
            if held is not None and held.state != "en_echec":
                return False
            self.t.work[item.deposit_number] = WorkEntry(item=item)
            return True

    def work_entries(self) -> list[WorkEntry]:
        with self._lock:
            return [e.model_copy() for _, e in sorted(self.t.work.items())]

    def claim_work_item(self, seen: WorkEntry, holder: str, now: datetime, until: datetime) -> bool:
        with self._lock:
            e = self.t.work.get(seen.number)
            if e is None or e.state != "a_prendre" or (e.held(now) and e.holder != holder):
                return False
            lapsed = 1 if seen.lapsed(now) else 0
            self.t.work[seen.number] = e.model_copy(update={"holder": holder, "lease_until": until,
                                                            "abandons": e.abandons + lapsed})
            return True

    def set_aside_work_item(self, seen: WorkEntry, now: datetime) -> bool:
        with self._lock:
            e = self.t.work.get(seen.number)
            if e is None or e.state != "a_prendre" or e.lease_until is None or e.lease_until > now:
                return False
            self.t.work[seen.number] = e.model_copy(update={"state": "en_echec", "holder": None, "lease_until": None})
            return True

    def release_work_item(self, number: int, holder: str) -> bool:
        with self._lock:
            e = self.t.work.get(number)
            if e is None or e.holder != holder:
                return False
            self.t.work[number] = e.model_copy(update={"holder": None, "lease_until": None})
            return True

    def drop_work_item(self, number: int, holder: str) -> None:
        with self._lock:
            e = self.t.work.get(number)
            if e is not None and e.holder == holder:
                del self.t.work[number]

    def begin_instruction(self, d: Dossier, holder: str, actor: str) -> Dossier:
        moved = d.model_copy(update={"status": DossierStatus.EN_INSTRUCTION, "updated_at": utcnow()})
        out: list[Dossier] = []
        draft = AuditDraft(d.dossier_id, actor, "prise_en_instruction", d.status.value, moved.status.value)

        def change(t: _Tables) -> None:
            e = t.work.get(d.deposit_number or 0)
            if e is None or e.holder != holder:
                raise ConditionFailed("holder")
            del t.work[d.deposit_number or 0]
            out.append(self._next(t, self._audited(t, moved, draft), (d.status,)))

        self._commit(change, TAKEN_BY_ANOTHER)
        return out[0]


    # ------------------------------------------------------------ Lifecycle

    def lifecycle_move(self, before: Dossier, after: Dossier, draft: AuditDraft, outbox: list[Message],
                       release: Decimal | None = None) -> Dossier:
        out: list[Dossier] = []

        def change(t: _Tables) -> None:
            moved = self._audited(t, after.model_copy(update={"version": before.version}), draft)
            out.append(self._next(t, moved, (before.status,)))
            if outbox:
                self._outbox(t, outbox)
            if release:
                if t.counter is None:
                    raise ConditionFailed("counter")
                t.counter = dataclasses.replace(t.counter, principal=t.counter.principal - release)

        self._commit(change, LIFECYCLE_STALE)
        return out[0]

    def promote_waiting(self, before: DepositCounter, promoted: list[Dossier], principal: Decimal, closed: bool,
                        actor: str, outbox: list[Message]) -> list[Dossier]:
        out: list[Dossier] = []

        def change(t: _Tables) -> None:
            stored = t.counter
            if stored is None or (stored.number, stored.principal, stored.closed) != (
                    before.number, before.principal, before.closed):
                raise ConditionFailed("counter")
            t.counter = dataclasses.replace(stored, principal=principal, closed=closed)
            for d in promoted:
                up = d.model_copy(update={"status": DossierStatus.COMPLET, "updated_at": utcnow()})
                draft = AuditDraft(d.dossier_id, actor, "sortie_liste_attente", d.status.value, up.status.value,
                                   details={"deposit_number": d.deposit_number, "principal": str(d.loan_total)})
                out.append(self._next(t, self._audited(t, up, draft), (DossierStatus.LISTE_ATTENTE,)))
            if outbox:
                self._outbox(t, outbox)

        self._commit(change)
        return out


class InMemoryPublisher:
    """The `Publisher` port: what was published, in order (`fail_next` makes the next publish raise)."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.fail_next = False

    def publish(self, messages: Sequence[Message]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("file indisponible")
        # As the SQS adapter: a FIFO message carries its deduplication id, checked before anything is sent.
        assert all(m.dedup_id for m in messages if m.group_id), "a message to a FIFO queue carries its dedup id"
        self.sent += messages

    def on(self, queue: str) -> list[Message]:
        return [m for m in self.sent if m.queue == queue]


class InMemoryMailer:
    """The `Mailer` port: the emails sent, each with its message id."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Email]] = []

    def send(self, email: Email) -> str:
        message_id = uuid.uuid4().hex
        self.sent.append((message_id, email))
        return message_id


class InMemoryReferentiels:
    def __init__(self, tables: Mapping[str, Any] | None = None) -> None:
        self.tables = dict(tables or {})

    def current(self, noms: Iterable[str]) -> Mapping[str, Any]:
        return {n: self.tables[n] for n in noms if n in self.tables}


class InMemoryPersistenceLayer(BasePersistenceLayer):
    """Powertools idempotency records in memory, with its expiry and in-progress semantics."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, DataRecord] = {}

    def _get_record(self, idempotency_key: str) -> DataRecord:
        if idempotency_key not in self.records:
            raise IdempotencyItemNotFoundError
        return self.records[idempotency_key]

    def _put_record(self, data_record: DataRecord) -> None:
        now = dt.datetime.now().timestamp()
        held = self.records.get(data_record.idempotency_key)
        if held is not None and not held.is_expired and not (
            held.status == "INPROGRESS" and held.in_progress_expiry_timestamp is not None
            and held.in_progress_expiry_timestamp < now * 1000
        ):
            raise IdempotencyItemAlreadyExistsError(old_data_record=held)
        self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record: DataRecord) -> None:
        self.records.pop(data_record.idempotency_key, None)


class InMemoryDeadLetters:
    """A dead-letter queue: what was sent to it, with why."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None, str]] = []

    def send(self, body: str, message_id: str, group_id: str | None, reason: str) -> None:
        if message_id not in {m[1] for m in self.sent}:  # a FIFO queue's deduplication
            self.sent.append((body, message_id, group_id, reason))
