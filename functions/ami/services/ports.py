"""The ports: what the use cases need from the outside world, as `typing.Protocol`s.

The AWS adapters (`ami.adapters`) and the in-memory fakes of the tests (`tests/fakes.py`) both
satisfy them; one contract suite (`tests/contract/`) runs against both so that the fakes stay honest.
`OcrEngine` is defined beside its user, the pure examination of a piece (`ami.domain.pieces`), and named
here with the other ports for type checking only (its module would cost every cold start a few
milliseconds for a letter that is rarely scanned); its adapters are in `ami.adapters.ocr`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

# Types only: importing the domain's modules here would make every cold start pay for all of them.
if TYPE_CHECKING:
    from ami.domain.audit import AuditEntry
    from ami.domain.extraction.ocr import OcrEngine as OcrEngine
    from ami.domain.identity import SignedIn
    from ami.domain.inscription import PendingRegistration, UniteLegale
    from ami.domain.invitation import Invitation
    from ami.domain.messages import Message, OutboxClaim
    from ami.domain.models import (
        Bailleur,
        DepositedPiece,
        Dossier,
        DossierStatus,
        Envoi,
        HistoryEntry,
        PieceKind,
        PieceRecord,
        Reason,
        WorkItem,
    )
    from ami.domain.notifications import Email
    from ami.domain.score import Score
    from ami.domain.sequence import AuditDraft, DepositCounter, PendingEnvoi, ToNumber
    from ami.domain.summary import DossierSummary
    from ami.domain.worklist import WorkEntry

Clock = Callable[[], datetime]


class OutboxItemLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def messages(self) -> list[Message]: ...


class Publisher(Protocol):
    def publish(self, messages: Sequence[Message]) -> None:
        """Send these messages, in order; raise when any could not be sent."""
        ...


class DeadLetters(Protocol):
    def send(self, body: str, message_id: str, group_id: str | None, reason: str) -> None:
        """Put a message that can never succeed in the dead-letter queue at once, with why."""
        ...


class Outbox(Protocol):
    def outbox_items(self) -> Iterator[OutboxItemLike]: ...
    def claim_outbox_item(self, key: str, owner: str, now: datetime, until: datetime) -> OutboxClaim:
        """Take the item for `owner` until `until`, unless another owner's claim holds at `now`."""
        ...

    def release_outbox_item(self, key: str, owner: str) -> None:
        """Give back `owner`'s claim (its send failed); nothing when the claim is no longer its own."""
        ...

    def delete_outbox_item(self, key: str, owner: str) -> None:
        """Remove the item, sent, while `owner`'s claim holds it; nothing when another relay took it over."""
        ...


class Dossiers(Protocol):
    """Bailleurs, dossiers and their pieces; every state change audited in the same write."""

    def register_bailleur(self, bailleur: Bailleur) -> None: ...
    def get_bailleur(self, siren: str) -> Bailleur | None: ...
    def create_dossier(self, d: Dossier, actor: str) -> None: ...
    def get_dossier(self, dossier_id: str) -> Dossier | None: ...
    def get_dossiers(self, dossier_ids: list[str]) -> dict[str, Dossier]: ...
    def save_form(self, d: Dossier, actor: str) -> Dossier: ...
    def transition(
        self, d: Dossier, to: DossierStatus, actor: str, action: str, reason: str | None = None
    ) -> Dossier: ...
    def save_score(self, d: Dossier, scoring: Score, outbox: list[Message]) -> Dossier: ...
    def override_score(self, d: Dossier, scoring: Score, actor: str, critere: str) -> Dossier: ...
    def rescore(self, d: Dossier, scoring: Score, actor: str) -> Dossier: ...
    def list_dossiers(self, siren: str) -> list[Dossier]: ...
    def list_numbered(self) -> list[Dossier]: ...
    def get_bailleurs(self, sirens: list[str]) -> dict[str, Bailleur]:
        """The named bailleurs that are registered, by SIREN, read at once (a page of the instructors' list)."""
        ...

    def list_summaries(self) -> list[DossierSummary]:
        """The summary of every numbered dossier (`ami.domain.summary.summarize` of the dossier as last
        written), in deposit-number order: what the instructors' list reads instead of the dossiers."""
        ...

    def list_territoire(self, dispositif: str, departement: str) -> list[Dossier]:
        """The sent dossiers of a dispositif instructed by département, for one département."""
        ...

    def change_bailleur(
        self, siren: str, draft: AuditDraft, before: Bailleur | None = None, after: Bailleur | None = None
    ) -> AuditEntry: ...
    def record_piece(self, dossier_id: str, rec: PieceRecord) -> None: ...
    def piece_records(self, dossier_id: str) -> dict[tuple[str, str], PieceRecord]: ...
    def dossier_with_records(self, dossier_id: str) -> tuple[Dossier | None, dict[tuple[str, str], PieceRecord]]:
        """The dossier and intake's records on its piece versions (`piece_records`), read together: one
        query of the dossier's partition, what the API's envoi reads."""
        ...
    def deposit_records(self, dossiers: list[Dossier]) -> dict[str, dict[tuple[str, str], PieceRecord]]: ...


class AuditLog(Protocol):
    """The hash-chained audit log (entries are appended by the audited writes themselves)."""

    def history(self, dossier_id: str) -> list[HistoryEntry]: ...
    def audit_entries(self) -> list[AuditEntry]: ...
    def chain_entries(self, chain: str) -> list[AuditEntry]: ...


class DepositSequence(Protocol):
    """The deposit sequence: reservations, pending envois, the walker's lease, the counter, conclusions."""

    def reserve_envoi(self, pending: PendingEnvoi) -> None: ...
    def cancel_reservation(self, pending: PendingEnvoi) -> None: ...
    def record_envoi(self, d: Dossier, envoi: Envoi, actor: str, sequenced: bool = True) -> Dossier:
        """`sequenced`: the envoi turns its reservation into a pending envoi (numbered dispositifs); otherwise
        it is recorded alone, with no place in the sequence."""
        ...

    def pending_envois(self, limit: int | None = None) -> list[PendingEnvoi]: ...
    def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool: ...
    def release_lease(self, owner: str) -> None: ...
    def counter(self) -> DepositCounter: ...
    def conclude_numbered_batch(
        self, before: DepositCounter, after: DepositCounter, batch: list[ToNumber]
    ) -> list[Dossier]: ...
    def conclude_incomplete(
        self, pending: PendingEnvoi | None, d: Dossier, reasons: list[Reason], outbox: list[Message]
    ) -> Dossier:
        """`pending` None: a dossier of a dispositif without numbering, which holds no place in the sequence."""
        ...

    def conclude_complete(self, d: Dossier, outbox: list[Message]) -> Dossier:
        """A sent dossier of a dispositif without numbering found complete: `complet`, with no number."""
        ...


class WorkList(Protocol):
    """The instructors' work list (`ami.domain.worklist`): entries in deposit-number order, each claimed by
    one instructor at a time with a lease."""

    def put_work_item(self, item: WorkItem) -> bool: ...
    def work_entries(self) -> list[WorkEntry]: ...
    def claim_work_item(self, seen: WorkEntry, holder: str, now: datetime, until: datetime) -> bool: ...
    def set_aside_work_item(self, seen: WorkEntry, now: datetime) -> bool: ...
    def release_work_item(self, number: int, holder: str) -> bool: ...
    def drop_work_item(self, number: int, holder: str) -> None: ...
    def begin_instruction(self, d: Dossier, holder: str, actor: str) -> Dossier:
        """Dossier complet → en_instruction and its entry removed, in one transaction (Conflict when the
        holder lost the entry or the dossier changed)."""
        ...


class LifecycleStore(Protocol):
    """The steps after instruction (`ami.domain.lifecycle`), each one transaction with its audit entry."""

    def counter(self) -> DepositCounter: ...
    def list_numbered(self) -> list[Dossier]: ...
    def lifecycle_move(
        self, before: Dossier, after: Dossier, draft: AuditDraft, outbox: list[Message], release: Decimal | None = None
    ) -> Dossier:
        """`after` in place of `before` (unchanged since read), audited, its emails in the outbox and, when
        given, `release` given back to the envelope (the counter's principal), all or nothing (Conflict)."""
        ...
    def promote_waiting(
        self, before: DepositCounter, promoted: list[Dossier], principal: Decimal, closed: bool, actor: str,
        outbox: list[Message],
    ) -> list[Dossier]:
        """The waiting dossiers `promoted` back to `complet` and the counter set, on condition that it still reads
        `before` (ConditionFailed otherwise)."""
        ...


class Store(Dossiers, DepositSequence, Outbox, AuditLog, WorkList, LifecycleStore, Protocol):
    """The tables seen through all their ports (what the numbering reads and writes in one transaction)."""


class Deposits(Protocol):
    """Object storage of the pieces (key layout in `ami.domain.deposit_keys`)."""

    def upload_form(self, siren: str, dossier_id: str, piece: PieceKind, redirect: str | None = None) -> Any: ...
    def snapshot(self, key: str, known: Mapping[str, str] | None = None) -> DepositedPiece | None: ...
    def convention_upload_form(self, siren: str, dossier_id: str, actor: str, redirect: str | None = None) -> Any:
        """The presigned POST of the dossier's signed convention, carrying `actor` (who asked) as metadata."""
        ...
    def read(self, key: str, version_id: str, max_bytes: int) -> tuple[bytes, int] | None: ...
    def uploader(self, key: str, version_id: str) -> str | None:
        """The actor a version was uploaded for (its form's metadata); None when that version is gone."""
        ...
    def quarantine(self, key: str, version_id: str, reason_code: str) -> str:
        """Copy one version to the quarantine and remove it from the deposits, unless it is held."""
        ...
    def hold(self, key: str, version_id: str) -> None:
        """Put a legal hold on a deposited version: nobody may delete it any more."""
        ...
    def hold_all(self, versions: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """`hold` each (key, version id), all at once (holding twice is harmless); returns those no longer
        there (none, unless a deposited version was lost: the caller reports it)."""
        ...
    def download_link(self, key: str, version_id: str, seconds: int = 300) -> str: ...
    def publish_document(self, key: str, data: bytes, content_type: str, filename: str, seconds: int) -> str: ...
    def store_document(self, key: str, data: bytes, content_type: str) -> str:
        """Store a document of the lifecycle under `documents/`; returns its version id."""
        ...
    def read_document(self, key: str, version_id: str) -> bytes: ...
    def document_link(self, key: str, version_id: str, filename: str, seconds: int = 300) -> str: ...


class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Send one email and return the provider's message id."""
        ...


class Accounts(Protocol):
    def create_bailleur_user(self, email: str, siren: str, password: str) -> None:
        """A user that can sign in but is nobody yet: address not verified, in no group."""
        ...
    def activate_bailleur(self, email: str) -> None:
        """The address is verified: mark it so and put the user in the bailleurs' group."""
        ...
    def is_active(self, email: str) -> bool | None:
        """Whether the user's address is verified; None when there is no such user."""
        ...
    def delete_user(self, email: str, siren: str) -> None: ...
    def account(self, email: str) -> dict[str, str] | None:
        """The user signing in with `email`: username, sub, email, siren (empty for staff) and groups
        (comma-separated); None when there is none."""
        ...
    def unconfirmed_users(self, created_before: datetime) -> list[dict[str, str]]:
        """The users of inscriptions never confirmed (a bailleur's, address not verified, in no group), created
        before `created_before`: username, email, siren."""
        ...
    def users_of(self, siren: str) -> list[dict[str, str]]:
        """The users of a bailleur (`custom:siren`) with what the pool holds of each: username, sub, email,
        status, dates."""
        ...
    def has_mfa(self, username: str) -> bool:
        """Whether the user signs in with a second factor (an authenticator app, TOTP)."""
        ...


class Sirene(Protocol):
    """The Sirene register of Insee (legal units by SIREN)."""

    def unite_legale(self, siren: str) -> UniteLegale | None:
        """The legal unit, None when the register does not know the SIREN; raises
        `ami.domain.errors.RetryLater` when the register cannot be asked now."""
        ...


class Registrations(Protocol):
    """Inscriptions waiting for the code sent to their address, and colleagues' invitations waiting for use."""

    def put_pending(self, pending: PendingRegistration) -> None: ...
    def get_pending(self, email: str) -> PendingRegistration | None: ...
    def count_attempt(self, email: str, max_attempts: int) -> bool:
        """Count one more try of a code; False when `max_attempts` were already made."""
        ...
    def delete_pending(self, email: str) -> None: ...
    def pending_of(self, siren: str) -> list[PendingRegistration]: ...
    def put_invitation(self, invitation: Invitation) -> None: ...
    def get_invitation(self, token_hash: str) -> Invitation | None: ...
    def take_invitation(self, token_hash: str) -> bool:
        """Use the invitation up (delete it); False when it was already used or never existed."""
        ...
    def invitations_of(self, siren: str) -> list[Invitation]: ...


class Referentiels(Protocol):
    def current(self, noms: Iterable[str]) -> Mapping[str, Any]: ...


class Sessions(Protocol):
    """Signing a user in through the user pool's web client, and checking the ID tokens it issued."""

    def sign_in(self, email: str, password: str) -> SignedIn: ...
    def answer_mfa(self, email: str, session: str, code: str) -> SignedIn: ...
    def refresh(self, refresh_token: str) -> str: ...
    def verify(self, id_token: str) -> dict[str, Any]: ...
    def forgot_password(self, email: str) -> None:
        """Have a code sent to the address, to choose a new password (silent when nobody has it)."""
        ...
    def confirm_forgot_password(self, email: str, code: str, password: str) -> None: ...
