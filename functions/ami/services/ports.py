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
from typing import TYPE_CHECKING, Any, Protocol

# Types only: importing the domain's modules here would make every cold start pay for all of them.
if TYPE_CHECKING:
    from ami.domain.audit import AuditEntry
    from ami.domain.extraction.ocr import OcrEngine as OcrEngine
    from ami.domain.inscription import PendingRegistration, UniteLegale
    from ami.domain.messages import Message
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
    )
    from ami.domain.notifications import Email
    from ami.domain.score import Score
    from ami.domain.sequence import DepositCounter, PendingEnvoi, ToNumber

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
    def claim_outbox_item(self, key: str, now: datetime, until: datetime) -> bool: ...
    def delete_outbox_item(self, key: str) -> None: ...


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
    def record_piece(self, dossier_id: str, rec: PieceRecord) -> None: ...
    def piece_records(self, dossier_id: str) -> dict[tuple[str, str], PieceRecord]: ...
    def deposit_records(self, dossiers: list[Dossier]) -> dict[str, dict[tuple[str, str], PieceRecord]]: ...


class AuditLog(Protocol):
    """The hash-chained audit log (entries are appended by the audited writes themselves)."""

    def history(self, dossier_id: str) -> list[HistoryEntry]: ...
    def audit_entries(self) -> list[AuditEntry]: ...


class DepositSequence(Protocol):
    """The deposit sequence: reservations, pending envois, the walker's lease, the counter, conclusions."""

    def reserve_envoi(self, pending: PendingEnvoi) -> None: ...
    def cancel_reservation(self, pending: PendingEnvoi) -> None: ...
    def record_envoi(self, d: Dossier, envoi: Envoi, actor: str) -> Dossier: ...
    def pending_envois(self, limit: int | None = None) -> list[PendingEnvoi]: ...
    def acquire_lease(self, owner: str, now: datetime, ttl: timedelta) -> bool: ...
    def release_lease(self, owner: str) -> None: ...
    def counter(self) -> DepositCounter: ...
    def conclude_numbered_batch(
        self, before: DepositCounter, after: DepositCounter, batch: list[ToNumber]
    ) -> list[Dossier]: ...
    def conclude_incomplete(
        self, pending: PendingEnvoi, d: Dossier, reasons: list[Reason], outbox: list[Message]
    ) -> Dossier: ...


class Store(Dossiers, DepositSequence, Outbox, AuditLog, Protocol):
    """The tables seen through all their ports (what the numbering reads and writes in one transaction)."""


class Deposits(Protocol):
    """Object storage of the pieces (key layout in `ami.domain.deposit_keys`)."""

    def upload_form(self, siren: str, dossier_id: str, piece: PieceKind) -> Any: ...
    def snapshot(self, key: str, known: Mapping[str, str] | None = None) -> DepositedPiece | None: ...
    def read(self, key: str, version_id: str, max_bytes: int) -> tuple[bytes, int] | None: ...
    def quarantine(self, key: str, version_id: str, reason_code: str) -> str:
        """Copy one version to the quarantine and remove it from the deposits, unless it is held."""
        ...
    def hold(self, key: str, version_id: str) -> None:
        """Put a legal hold on a deposited version: nobody may delete it any more."""
        ...
    def download_link(self, key: str, version_id: str, seconds: int = 300) -> str: ...
    def publish_document(self, key: str, data: bytes, content_type: str, filename: str, seconds: int) -> str: ...


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
    """Inscriptions waiting for the code sent to their address."""

    def put_pending(self, pending: PendingRegistration) -> None: ...
    def get_pending(self, email: str) -> PendingRegistration | None: ...
    def count_attempt(self, email: str, max_attempts: int) -> bool:
        """Count one more try of a code; False when `max_attempts` were already made."""
        ...
    def delete_pending(self, email: str) -> None: ...


class Referentiels(Protocol):
    def current(self, noms: Iterable[str]) -> Mapping[str, Any]: ...
