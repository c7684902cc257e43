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

from ami.domain.audit import NUMBERING_CHAIN, AuditEntry, ChainHead, bailleur_chain, dossier_chain
from ami.domain.dispositif import territoire
from ami.domain.errors import ConditionFailed, Conflict
from ami.domain.messages import Message, OutboxClaim
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
from ami.domain.summary import DossierSummary, summarize
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
    # each item's messages and its claim: (relay, until)
    outbox: dict[str, tuple[list[Message], tuple[str, datetime] | None]] = field(default_factory=dict)
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

    def get_bailleurs(self, sirens: list[str]) -> dict[str, Bailleur]:
        return {s: self.t.bailleurs[s] for s in sirens if s in self.t.bailleurs}

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

    def list_territoire(self, dispositif: str, departement: str) -> list[Dossier]:
        key = f"{dispositif}#{departement}"
        return sorted((d for d in self.t.dossiers.values() if territoire(d) == key), key=lambda d: d.created_at)

    def list_numbered(self) -> list[Dossier]:
        return sorted((d for d in self.t.dossiers.values() if d.deposit_number is not None),
                      key=lambda d: d.deposit_number or 0)

    def list_summaries(self) -> list[DossierSummary]:
        return [s for d in self.list_numbered() if (s := summarize(d)) is not None]

    def record_piece(self, dossier_id: str, rec: PieceRecord) -> None:
        self.t.pieces.setdefault(dossier_id, {})[(rec.piece, rec.version_id)] = rec

    def piece_records(self, dossier_id: str) -> dict[tuple[str, str], PieceRecord]:
        return dict(self.t.pieces.get(dossier_id, {}))

    def dossier_with_records(self, dossier_id: str) -> tuple[Dossier | None, dict[tuple[str, str], PieceRecord]]:
        return self.get_dossier(dossier_id), self.piece_records(dossier_id)

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

    def chain_entries(self, chain: str) -> list[AuditEntry]:
        return sorted((e for e in self.t.audit if e.chain == chain), key=lambda e: e.seq)

    def change_bailleur(
        self, siren: str, draft: AuditDraft, before: Bailleur | None = None, after: Bailleur | None = None
    ) -> AuditEntry:
        """As the adapter: the entry appended to `bailleur/<siren>` and `after` stored in place of `before`
        (unchanged since read), in one transaction."""
        chain = bailleur_chain(siren)
        sealed: list[AuditEntry] = []

        def change(t: _Tables) -> None:
            last = sorted((e for e in t.audit if e.chain == chain), key=lambda e: e.seq)[-1:]
            entry = self._seal(chain, last[0].head if last else ChainHead(), draft)
            if before is not None and after is not None:
                if t.bailleurs.get(siren) != before:
                    raise ConditionFailed("doc")
                t.bailleurs[siren] = after
            t.audit.append(entry)
            sealed.append(entry)

        self._commit(change, on_conflict=Conflict("bailleur_modifie", "La fiche du bailleur a changé entre-temps : "
                                                                      "recommencez."))
        return sealed[0]

    # ------------------------------------------------------------ DepositSequence

    def reserve_envoi(self, pending: PendingEnvoi) -> None:
        if pending.sort_key in self.t.pending:
            raise ConditionFailed("reserved")
        self.t.pending[pending.sort_key] = _Pending(pending, "reserve")

    def cancel_reservation(self, pending: PendingEnvoi) -> None:
        held = self.t.pending.get(pending.sort_key)
        if held is not None and held.state == "reserve":
            del self.t.pending[pending.sort_key]

    def record_envoi(self, d: Dossier, envoi: Envoi, actor: str, sequenced: bool = True) -> Dossier:
        sent = d.model_copy(update={"status": DossierStatus.ENVOYE, "envoi": envoi, "updated_at": envoi.sent_at,
                                    "incomplete_reasons": [], "deposit_number": None})
        out: list[Dossier] = []

        details = {p: {"version_id": x.version_id, "sha256": x.sha256, "size": x.size} for p, x in envoi.pieces.items()}
        draft = AuditDraft(d.dossier_id, actor, "envoi", d.status.value, sent.status.value,
                           details={"envoi_id": envoi.envoi_id, "sent_at": iso(envoi.sent_at), "pieces": details})

        def change(t: _Tables) -> None:
            out.append(self._next(t, self._audited(t, sent, draft), (DossierStatus.BROUILLON, DossierStatus.INCOMPLET)))
            if not sequenced:
                return
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

    def conclude_complete(self, d: Dossier, outbox: list[Message]) -> Dossier:
        assert d.envoi is not None
        complete = d.model_copy(update={"status": DossierStatus.COMPLET, "updated_at": utcnow()})
        draft = AuditDraft(d.dossier_id, "systeme:completude", "completude", d.status.value,
                           complete.status.value, details={"envoi_id": d.envoi.envoi_id})
        out: list[Dossier] = []

        def change(t: _Tables) -> None:
            out.append(self._conclude(t, None, d, self._audited(t, complete, draft)))
            if outbox:
                self._outbox(t, outbox)

        self._commit(change)
        return out[0]

    def conclude_incomplete(self, pending: PendingEnvoi | None, d: Dossier, reasons: list[Reason],
                            outbox: list[Message]) -> Dossier:
        incomplete = d.model_copy(update={"status": DossierStatus.INCOMPLET, "incomplete_reasons": reasons,
                                          "updated_at": utcnow()})
        out: list[Dossier] = []

        draft = AuditDraft(d.dossier_id, "systeme:completude", "incompletude", d.status.value,
                           incomplete.status.value, reason="; ".join(r.code for r in reasons),
                           details={"envoi_id": d.envoi.envoi_id if d.envoi else None})

        def change(t: _Tables) -> None:
            out.append(self._conclude(t, pending, d, self._audited(t, incomplete, draft)))
            self._outbox(t, outbox)

        self._commit(change)
        return out[0]

    def _conclude(self, t: _Tables, pending: PendingEnvoi | None, before: Dossier, after: Dossier) -> Dossier:
        stored = t.dossiers.get(before.dossier_id)
        assert before.envoi is not None
        envoi_id = pending.envoi_id if pending is not None else before.envoi.envoi_id
        if (stored is None or stored.version != before.version or stored.status != DossierStatus.ENVOYE
                or stored.envoi is None or stored.envoi.envoi_id != envoi_id
                or (pending is not None and pending.sort_key not in t.pending)):
            raise ConditionFailed("conclusion")
        if pending is not None:
            del t.pending[pending.sort_key]
        nxt = after.model_copy(update={"version": before.version + 1})
        t.dossiers[before.dossier_id] = nxt
        return nxt

    # ------------------------------------------------------------ Outbox

    def outbox_items(self) -> Iterator[OutboxItem]:
        for key, (messages, _) in sorted(self.t.outbox.items()):
            yield OutboxItem(key, messages)

    def claim_outbox_item(self, key: str, owner: str, now: datetime, until: datetime) -> OutboxClaim:
        with self._lock:
            item = self.t.outbox.get(key)
            if item is None:
                return OutboxClaim(False)
            if item[1] is not None and item[1][1] >= now:
                return OutboxClaim(False, held_until=item[1][1])
            self.t.outbox[key] = (item[0], (owner, until))
            return OutboxClaim(True, until=until)

    def release_outbox_item(self, key: str, owner: str) -> None:
        with self._lock:
            item = self.t.outbox.get(key)
            if item is not None and item[1] is not None and item[1][0] == owner:
                self.t.outbox[key] = (item[0], None)

    def delete_outbox_item(self, key: str, owner: str) -> None:
        with self._lock:
            item = self.t.outbox.get(key)
            if item is not None and item[1] is not None and item[1][0] == owner:
                del self.t.outbox[key]

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
    """The `Referentiels` port: the latest version of each table; `import_file` versions them as
    `ReferentielStore` does (same values, no new version; a refused file changes nothing)."""

    def __init__(self, tables: Mapping[str, Any] | None = None) -> None:
        self.tables = dict(tables or {})

    def current(self, noms: Iterable[str]) -> Mapping[str, Any]:
        return {n: self.tables[n] for n in noms if n in self.tables}

    def import_file(self, nom: str, data: bytes, actor: str, source: str = "", fichier: str = "") -> Any:
        import hashlib

        from ami.adapters.referentiels import ImportResult
        from ami.domain.referentiel import Referentiel, canonical, parse

        values = parse(nom, data)
        sha = hashlib.sha256(canonical(nom, values)).hexdigest()
        latest = self.tables.get(nom)
        if latest is not None and latest.sha256 == sha:
            return ImportResult(latest, cree=False)
        ref = Referentiel(nom, latest.version + 1 if latest else 1, sha, values, utcnow(), actor, source, fichier)
        self.tables[nom] = ref
        return ImportResult(ref, cree=True)


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


@dataclass
class _Version:
    version_id: str
    data: bytes
    held: bool = False
    uploader: str = ""  # the signed convention's form carries who asked for it (ami.adapters.s3.ACTOR_FIELD)


class InMemoryDeposits:
    """The `Deposits` port: a versioned bucket of pieces (the newest version is the current one), a
    quarantine that takes a version away unless it is under legal hold, and documents behind links."""

    def __init__(self) -> None:
        self.objects: dict[str, list[_Version]] = {}
        self.quarantined: dict[str, tuple[bytes, str]] = {}  # quarantine key → (bytes, reason)
        self.documents: dict[str, bytes] = {}

    @property
    def reasons(self) -> list[str]:
        """Why each quarantined version was taken away, in order."""
        return [reason for _, reason in self.quarantined.values()]

    def put(self, key: str, data: bytes, version_id: str | None = None, uploader: str = "") -> str:
        """What the bailleur's browser does with the presigned POST: a new version of the piece."""
        version = _Version(version_id or uuid.uuid4().hex, data, uploader=uploader)
        self.objects.setdefault(key, []).append(version)
        return version.version_id

    def _version(self, key: str, version_id: str) -> _Version | None:
        return next((v for v in self.objects.get(key, []) if v.version_id == version_id), None)

    def upload_form(self, siren: str, dossier_id: str, piece: Any, redirect: str | None = None) -> Any:
        from ami.adapters.s3 import UploadForm
        from ami.domain.deposit_keys import piece_key
        from ami.domain.dispositif import piece_rules

        rules = piece_rules(piece)
        key = piece_key(siren, dossier_id, piece)
        return UploadForm("memoire://depots", {"key": key, "Content-Type": rules.content_type}, key,
                          utcnow() + timedelta(minutes=15), rules.max_bytes)

    def convention_upload_form(self, siren: str, dossier_id: str, actor: str, redirect: str | None = None) -> Any:
        from ami.adapters.s3 import ACTOR_FIELD, UploadForm
        from ami.domain.deposit_keys import convention_key
        from ami.domain.dispositif import piece_rules

        key = convention_key(siren, dossier_id)
        fields = {"key": key, "Content-Type": "application/pdf", ACTOR_FIELD: actor}
        if redirect is not None:
            fields["success_action_redirect"] = redirect
        return UploadForm("memoire://depots", fields, key, utcnow() + timedelta(minutes=15),
                          piece_rules("dossier_presentation").max_bytes)

    def uploader(self, key: str, version_id: str) -> str | None:
        v = self._version(key, version_id)
        return None if v is None else v.uploader

    def snapshot(self, key: str, known: Mapping[str, str] | None = None) -> Any:
        import hashlib

        from ami.domain.models import DepositedPiece

        if not self.objects.get(key):
            return None
        current = self.objects[key][-1]
        digest = (known or {}).get(current.version_id) or hashlib.sha256(current.data).hexdigest()
        return DepositedPiece(key=key, version_id=current.version_id, sha256=digest, size=len(current.data))

    def read(self, key: str, version_id: str, max_bytes: int) -> tuple[bytes, int] | None:
        v = self._version(key, version_id)
        return None if v is None else (v.data[: max_bytes + 1], len(v.data))

    def quarantine(self, key: str, version_id: str, reason_code: str) -> str:
        v = self._version(key, version_id)
        if v is None:
            raise KeyError(f"{key} {version_id}")
        qkey = f"{key}/{version_id}"
        self.quarantined[qkey] = (v.data, reason_code)
        if not v.held:
            self.objects[key].remove(v)
        return qkey

    def hold(self, key: str, version_id: str) -> None:
        v = self._version(key, version_id)
        if v is None:
            raise KeyError(f"{key} {version_id}")
        v.held = True

    def hold_all(self, versions: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        missing = []
        for key, version_id in versions:
            try:
                self.hold(key, version_id)
            except KeyError:
                missing.append((key, version_id))
        return missing

    def held(self, key: str, version_id: str) -> bool:
        """Whether that version is under legal hold (False when it is not there)."""
        v = self._version(key, version_id)
        return v is not None and v.held

    def download_link(self, key: str, version_id: str, seconds: int = 300) -> str:
        return f"memoire://depots/{key}?versionId={version_id}"

    def publish_document(self, key: str, data: bytes, content_type: str, filename: str, seconds: int) -> str:
        self.documents[key] = data
        return f"memoire://depots/{key}"

    def store_document(self, key: str, data: bytes, content_type: str) -> str:
        version = uuid.uuid4().hex
        self.documents[f"{key}?versionId={version}"] = data
        return version

    def read_document(self, key: str, version_id: str) -> bytes:
        return self.documents[f"{key}?versionId={version_id}"]

    def document_link(self, key: str, version_id: str, filename: str, seconds: int = 300) -> str:
        return f"memoire://depots/{key}?versionId={version_id}"


class InMemoryAccounts:
    """The `Accounts` port: users by address (one address, one user), each with its SIREN, whether its
    address is verified, and its groups."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.undeletable: set[str] = set()  # deletions that fail, as an unreachable Cognito would

    def add(self, email: str, siren: str = "", groups: Iterable[str] = (), verified: bool = True,
            created: datetime | None = None) -> dict[str, Any]:
        """A user as ops or an earlier registration left it (an instructor: no SIREN, in `instructeurs`)."""
        self.users[email] = {"siren": siren, "verified": verified, "groups": set(groups), "sub": uuid.uuid4().hex,
                             "password": "", "created": created or utcnow()}
        return self.users[email]

    def create_bailleur_user(self, email: str, siren: str, password: str) -> None:
        if email in self.users:
            raise Conflict("compte_existant", "Un compte existe déjà pour cette adresse électronique.")
        self.users[email] = {"siren": siren, "verified": False, "groups": set(), "sub": uuid.uuid4().hex,
                             "password": password, "created": utcnow()}

    def activate_bailleur(self, email: str) -> None:
        self.users[email]["verified"] = True
        self.users[email]["groups"].add("bailleurs")

    def is_active(self, email: str) -> bool | None:
        return self.users[email]["verified"] if email in self.users else None

    def delete_user(self, email: str, siren: str) -> None:
        if email not in self.undeletable:
            self.users.pop(email, None)

    def account(self, email: str) -> dict[str, str] | None:
        u = self.users.get(email)
        return None if u is None else {"username": email, "sub": u["sub"], "email": email, "siren": u["siren"],
                                        "groupes": ",".join(sorted(u["groups"]))}

    def unconfirmed_users(self, created_before: datetime) -> list[dict[str, str]]:
        return [{"username": e, "email": e, "siren": u["siren"]} for e, u in self.users.items()
                if u["siren"] and not u["verified"] and not u["groups"] and u["created"] < created_before]

    def users_of(self, siren: str) -> list[dict[str, str]]:
        return [{"username": e, "sub": u["sub"], "email": e, "email_verified": str(u["verified"]).lower()}
                for e, u in self.users.items() if u["siren"] == siren]

    def has_mfa(self, username: str) -> bool:
        return False


class InMemoryRegistrations:
    """The `Registrations` port: inscriptions waiting for their code, by address whatever its case."""

    def __init__(self) -> None:
        self.pending: dict[str, Any] = {}  # address → PendingRegistration with its attempts
        self.invitations: dict[str, Any] = {}  # hash of the token → Invitation

    def put_pending(self, pending: Any) -> None:
        self.pending[pending.email.strip().lower()] = pending.model_copy(update={"attempts": 0})

    def get_pending(self, email: str) -> Any:
        return self.pending.get(email.strip().lower())

    def count_attempt(self, email: str, max_attempts: int) -> bool:
        p = self.pending.get(email.strip().lower())
        if p is None or p.attempts >= max_attempts:
            return False
        self.pending[email.strip().lower()] = p.model_copy(update={"attempts": p.attempts + 1})
        return True

    def delete_pending(self, email: str) -> None:
        self.pending.pop(email.strip().lower(), None)

    def pending_of(self, siren: str) -> list[Any]:
        return [p for p in self.pending.values() if p.bailleur.siren == siren]

    # Colleagues' invitations, by the hash of their token.
    def put_invitation(self, invitation: Any) -> None:
        self.invitations[invitation.token_hash] = invitation

    def get_invitation(self, token_hash: str) -> Any:
        return self.invitations.get(token_hash)

    def take_invitation(self, token_hash: str) -> bool:
        return self.invitations.pop(token_hash, None) is not None

    def invitations_of(self, siren: str) -> list[Any]:
        return [i for i in self.invitations.values() if i.siren == siren]


class TextLayerOcr:
    """The `OcrEngine` port as a perfect engine would be: it gives back, page after page, the words of
    the text layer of the letter before it was scanned."""

    name = "Lecteur de test"

    def __init__(self, original: bytes) -> None:
        import pypdfium2 as pdfium

        self.document = pdfium.PdfDocument(original)
        self.pages = 0

    def read(self, page: Any, timeout: float) -> list[Any]:
        from ami.domain.extraction.layout import pdfium_words

        source = self.document[self.pages]
        self.pages += 1
        textpage = source.get_textpage()
        return pdfium_words(textpage, textpage.get_text_range(), source.get_height()) or []


class InMemorySessions:
    """The `Sessions` port over `InMemoryAccounts`: the right password gives an ID token whose claims are
    the user's (address, SIREN, groups); any other token is refused, an unknown refresh token has expired."""

    def __init__(self, accounts: InMemoryAccounts) -> None:
        self.accounts = accounts
        self.tokens: dict[str, str] = {}  # ID or refresh token → address

    def sign_in(self, email: str, password: str) -> Any:
        from ami.domain.errors import Unauthorized
        from ami.domain.identity import SignedIn

        user = self.accounts.users.get(email)
        if user is None or user["password"] != password:
            raise Unauthorized("identifiants_incorrects", "Adresse électronique ou mot de passe incorrect.")
        id_token, refresh_token = f"id.{uuid.uuid4().hex}", f"refresh.{uuid.uuid4().hex}"
        self.tokens |= {id_token: email, refresh_token: email}
        return SignedIn(id_token=id_token, refresh_token=refresh_token)

    def answer_mfa(self, email: str, session: str, code: str) -> Any:
        """No account of this fake has a second factor: no challenge was ever given, so none is answered."""
        from ami.domain.errors import Unauthorized

        raise Unauthorized("code_incorrect", "Ce code est incorrect ou la connexion a expiré : connectez-vous de "
                                             "nouveau.")

    def refresh(self, refresh_token: str) -> str:
        from ami.domain.identity import SessionExpired

        if not refresh_token.startswith("refresh.") or refresh_token not in self.tokens:
            raise SessionExpired()
        id_token = f"id.{uuid.uuid4().hex}"
        self.tokens[id_token] = self.tokens[refresh_token]
        return id_token

    def verify(self, id_token: str) -> dict[str, Any]:
        from ami.domain.errors import Unauthorized

        email = self.tokens.get(id_token) if id_token.startswith("id.") else None
        if email is None or email not in self.accounts.users:
            raise Unauthorized("session_invalide", "Votre session n'est pas valide : connectez-vous.")
        user = self.accounts.users[email]
        return {"email": email, "sub": user["sub"], "custom:siren": user["siren"], "token_use": "id",
                "cognito:groups": sorted(user["groups"])}

    def forgot_password(self, email: str) -> None:
        pass  # the code goes by email; an unknown address is answered like a known one

    def confirm_forgot_password(self, email: str, code: str, password: str) -> None:
        from ami.domain.errors import InvalidInput

        raise InvalidInput("code_invalide", "Ce code est invalide ou a expiré.",
                           [{"champ": "code", "message": "Ce code est invalide ou a expiré."}])
