"""Intake of one uploaded piece: check it, quarantine it or record it, then hand off to completeness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from ami.adapters.aws import client
from ami.adapters.dynamodb import Store
from ami.adapters.s3 import Deposits, parse_key
from ami.domain.dispositif import dispositif
from ami.domain.errors import PieceRefused
from ami.domain.models import CompletenessRequest, Notification, PieceRecord, utcnow
from ami.services.idempotency import once
from ami.settings import Settings

UNKNOWN_KEY = PieceRefused(
    "cle_inconnue",
    "Ce fichier n'a pas été déposé à l'emplacement d'une pièce d'un de vos dossiers ; il a été écarté.",
)


class Upload(BaseModel):
    """One object version announced by an S3 notification."""

    bucket: str
    key: str  # already URL-decoded
    version_id: str
    size: int
    event_time: datetime


@dataclass(frozen=True)
class IntakeOutcome:
    outcome: Literal["accepted", "refused", "quarantined"]
    dossier_id: str | None
    reason_code: str | None = None


class Intake:
    def __init__(self, settings: Settings, deposits: Deposits, store: Store) -> None:
        self.s = settings
        self.deposits = deposits
        self.store = store

    def process(self, upload: Upload) -> IntakeOutcome:
        result: dict[str, str | None] = _process_once(intake=self, upload=upload)
        return IntakeOutcome(result["outcome"], result["dossier_id"], result["reason_code"])  # type: ignore[arg-type]

    def examine(self, upload: Upload) -> dict[str, str | None]:
        parts = parse_key(upload.key)
        dossier = self.store.get_dossier(parts.dossier_id) if parts else None
        if parts is None or dossier is None or dossier.siren != parts.siren:
            self.deposits.quarantine(upload.key, upload.version_id, UNKNOWN_KEY.code)
            return {"outcome": "quarantined", "dossier_id": None, "reason_code": UNKNOWN_KEY.code}

        from ami.domain.pieces import PieceContext, examine

        limit = dispositif().pieces[parts.piece].max_bytes
        received_at = upload.event_time
        try:
            data, size = self.deposits.read(upload.key, upload.version_id, limit)
        except self.deposits.s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] not in ("NoSuchVersion", "NoSuchKey", "404"):
                raise
            # Already moved to quarantine by an earlier delivery of the same announcement.
            return {"outcome": "quarantined", "dossier_id": dossier.dossier_id, "reason_code": "deja_traite"}
        try:
            bailleur = self.store.get_bailleur(dossier.siren)
            context = PieceContext(siren=dossier.siren, raison_sociale=bailleur.raison_sociale if bailleur else None)
            report = examine(data, parts.piece, declared_size=max(size, upload.size), context=context)
            record = PieceRecord(piece=parts.piece, key=upload.key, version_id=upload.version_id, size=report.size,
                                 sha256=report.sha256, accepted=True, pages=report.pages,
                                 received_at=received_at, checked_at=utcnow(),
                                 checks=list(report.checks), fields=list(report.fields))
        except PieceRefused as refused:
            record = PieceRecord(piece=parts.piece, key=upload.key, version_id=upload.version_id, size=upload.size,
                                 sha256="", accepted=False, reason_code=refused.code, message=refused.message,
                                 received_at=received_at, checked_at=utcnow())
            self.deposits.quarantine(upload.key, upload.version_id, refused.code)
        self.store.record_piece(dossier.dossier_id, record)
        sqs = client("sqs")
        if not record.accepted:
            note = Notification(
                notification_id=f"piece-refusee-{upload.version_id}", kind="piece_refusee",
                dossier_id=dossier.dossier_id,
                details={
                    "piece": parts.piece,
                    "reason_code": record.reason_code or "",
                    "message": record.message or "",
                },
            )
            sqs.send_message(QueueUrl=self.s.notifications_queue_url, MessageBody=note.model_dump_json())
        request = CompletenessRequest(dossier_id=dossier.dossier_id, cause="piece")
        sqs.send_message(QueueUrl=self.s.completeness_queue_url, MessageBody=request.model_dump_json(),
                         MessageGroupId=dossier.dossier_id,
                         MessageDeduplicationId=f"piece-{upload.version_id}"[:128])
        return {"outcome": "accepted" if record.accepted else "refused", "dossier_id": dossier.dossier_id,
                "reason_code": record.reason_code}


@once(data_keyword_argument="upload", event_key_jmespath="[bucket, key, version_id]")
def _process_once(*, intake: Intake, upload: Upload) -> dict[str, str | None]:
    """S3 announces some objects twice: the second announcement must change nothing."""
    return intake.examine(upload)
