"""Intake of one uploaded piece: check it, quarantine it or record it, then hand off to completeness.

The signed convention (`deposit_keys.convention_key`, deposited after the instruction) comes the same way and is
checked by the same PDF rules (the dossier de présentation's); its verdict goes to the lifecycle
(`Lifecycle.convention_examined`): a good file moves the dossier, a refused one is quarantined and recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

from ami.domain import messages
from ami.domain.base import Model
from ami.domain.deposit_keys import parse_convention_key, parse_key
from ami.domain.dispositif import dispositif
from ami.domain.errors import Conflict, PieceRefused
from ami.domain.models import CompletenessRequest, Dossier, DossierStatus, PieceRecord, VerdictConvention
from ami.domain.rules import after_envoi
from ami.services.idempotency import Idempotency
from ami.services.ports import Clock, Deposits, Dossiers, Publisher

if TYPE_CHECKING:
    from ami.domain.pieces import PieceReport
    from ami.domain.programmation import ProgrammationReport
    from ami.services.ports import OcrEngine

UNKNOWN_KEY = PieceRefused(
    "cle_inconnue",
    "Ce fichier n'a pas été déposé à l'emplacement d'une pièce d'un de vos dossiers ; il a été écarté.",
)
# Not examined, not recorded, no email: the deposit is final, this file is no part of it.
AFTER_ENVOI = PieceRefused(
    "depot_apres_envoi",
    "Ce fichier a été déposé après l'envoi du dossier ; il ne fait pas partie du dépôt et a été écarté.",
)

# A convention uploaded when the dossier no longer awaits one (already received, withdrawn…): not examined.
OUT_OF_STEP = PieceRefused(
    "convention_hors_etape",
    "Ce fichier a été déposé alors que le dossier n'attendait pas de convention signée ; il a été écarté.",
)
# A convention whose upload names no bailleur of the dossier (the presigned POST carries who asked for it).
UNSIGNED = PieceRefused(
    "depot_non_autorise",
    "Ce fichier n'a pas été déposé avec un formulaire de dépôt de la plateforme ; il a été écarté.",
)


class Conventions(Protocol):
    """The lifecycle's side of the signed convention (ami.services.lifecycle.Lifecycle)."""

    def convention_examined(self, dossier_id: str, actor: str, verdict: VerdictConvention,
                            data: bytes | None = None) -> Any: ...


class Upload(Model):
    """One object version announced by an S3 notification."""

    bucket: str
    key: str  # already URL-decoded
    version_id: str
    size: int
    event_time: datetime


class IntakeOutcome(Model):
    outcome: Literal["accepted", "refused", "quarantined"]
    dossier_id: str | None
    reason_code: str | None = None


class Intake:
    def __init__(
        self,
        deposits: Deposits,
        dossiers: Dossiers,
        publisher: Publisher,
        idempotency: Idempotency,
        clock: Clock,
        ocr: OcrEngine | None = None,
        conventions: Conventions | None = None,
    ) -> None:
        self.deposits = deposits
        self.dossiers = dossiers
        self.publisher = publisher
        self.clock = clock
        self.ocr = ocr  # reads scanned lettres d'offre; without one they are left to the instructor
        self.conventions = conventions
        # S3 announces some objects twice: the second announcement must change nothing.
        self._once = idempotency.once(
            self._examine,
            data_keyword_argument="upload",
            key="[bucket, key, version_id]",
            output_serializer=PydanticSerializer(IntakeOutcome),
        )

    def process(self, upload: Upload) -> IntakeOutcome:
        outcome: IntakeOutcome = self._once(upload=upload)
        return outcome

    def _examine(self, *, upload: Upload) -> IntakeOutcome:
        convention = parse_convention_key(upload.key)
        if convention is not None and self.conventions is not None:
            d = self.dossiers.get_dossier(convention.dossier_id)
            if d is not None and d.siren == convention.siren:
                return self._convention(upload, d, self.conventions)
        parts = parse_key(upload.key)
        dossier = self.dossiers.get_dossier(parts.dossier_id) if parts else None
        if parts is None or dossier is None or dossier.siren != parts.siren:
            self.deposits.quarantine(upload.key, upload.version_id, UNKNOWN_KEY.code)
            return IntakeOutcome(outcome="quarantined", dossier_id=None, reason_code=UNKNOWN_KEY.code)

        if after_envoi(dossier, parts.piece, upload.version_id):
            self.deposits.quarantine(upload.key, upload.version_id, AFTER_ENVOI.code)
            return IntakeOutcome(outcome="quarantined", dossier_id=dossier.dossier_id, reason_code=AFTER_ENVOI.code)

        from ami.domain.pieces import PieceContext, examine

        rules = dispositif(dossier.dispositif).pieces.get(parts.piece)
        if rules is None:  # a piece of another dispositif's dossiers
            self.deposits.quarantine(upload.key, upload.version_id, UNKNOWN_KEY.code)
            return IntakeOutcome(outcome="quarantined", dossier_id=dossier.dossier_id, reason_code=UNKNOWN_KEY.code)
        limit = rules.max_bytes
        read = self.deposits.read(upload.key, upload.version_id, limit)
        if read is None:
            # Already moved to quarantine by an earlier delivery of the same announcement.
            return IntakeOutcome(outcome="quarantined", dossier_id=dossier.dossier_id, reason_code="deja_traite")
        data, size = read
        try:
            bailleur = self.dossiers.get_bailleur(dossier.siren)
            context = PieceContext(siren=dossier.siren, raison_sociale=bailleur.raison_sociale if bailleur else None)
            report: PieceReport | ProgrammationReport
            if rules.type == "xlsx":
                from ami.domain import programmation

                grid = dispositif(dossier.dispositif).grille  # the dispositif's priorities grid
                report = programmation.examine(data, rules, declared_size=max(size, upload.size), grille=grid)
            else:
                report = examine(data, parts.piece, declared_size=max(size, upload.size), context=context,
                                 ocr=self.ocr)
            record = PieceRecord(piece=parts.piece, key=upload.key, version_id=upload.version_id, size=report.size,
                                 sha256=report.sha256, accepted=True, pages=getattr(report, "pages", None),
                                 received_at=upload.event_time, checked_at=self.clock(),
                                 checks=list(report.checks), fields=list(report.fields))
        except PieceRefused as refused:
            record = PieceRecord(piece=parts.piece, key=upload.key, version_id=upload.version_id, size=upload.size,
                                 sha256="", accepted=False, reason_code=refused.code, message=refused.message,
                                 received_at=upload.event_time, checked_at=self.clock())
            self.deposits.quarantine(upload.key, upload.version_id, refused.code)
        self.dossiers.record_piece(dossier.dossier_id, record)
        out: list[messages.Message] = []
        if not record.accepted:
            out.append(messages.notification(
                "piece_refusee", f"piece-refusee-{upload.version_id}", dossier.dossier_id,
                piece=parts.piece, reason_code=record.reason_code or "", message=record.message or "",
            ))
        request = CompletenessRequest(dossier_id=dossier.dossier_id, cause="piece")
        out.append(messages.completeness_request(request, f"piece-{upload.version_id}"))
        self.publisher.publish(out)
        return IntakeOutcome(outcome="accepted" if record.accepted else "refused", dossier_id=dossier.dossier_id,
                             reason_code=record.reason_code)

    def _convention(self, upload: Upload, d: Dossier, conventions: Conventions) -> IntakeOutcome:
        """The signed convention: examined as a PDF piece, its verdict handed to the lifecycle."""
        done = next((v for v in d.suivi.conventions_deposees if v.version_id == upload.version_id), None)
        if done is not None:  # announced again after its verdict was recorded (a refused file: quarantined, again)
            if not done.accepted and self.deposits.uploader(upload.key, upload.version_id) is not None:
                self.deposits.quarantine(upload.key, upload.version_id, done.reason_code or "refusee")
            return IntakeOutcome(outcome="accepted" if done.accepted else "refused", dossier_id=d.dossier_id,
                                 reason_code=done.reason_code)
        actor = self.deposits.uploader(upload.key, upload.version_id)
        if actor is None:  # already moved to quarantine by an earlier delivery
            return IntakeOutcome(outcome="quarantined", dossier_id=d.dossier_id, reason_code="deja_traite")
        for refusal in (UNSIGNED if not actor.startswith(f"bailleur:{d.siren}:") else None,
                        OUT_OF_STEP if d.status != DossierStatus.CONVENTION_ENVOYEE else None):
            if refusal is not None:
                self.deposits.quarantine(upload.key, upload.version_id, refusal.code)
                return IntakeOutcome(outcome="quarantined", dossier_id=d.dossier_id, reason_code=refusal.code)
        from ami.domain.pieces import examine

        limit = dispositif(d.dispositif).pieces["dossier_presentation"].max_bytes
        read = self.deposits.read(upload.key, upload.version_id, limit)
        if read is None:
            return IntakeOutcome(outcome="quarantined", dossier_id=d.dossier_id, reason_code="deja_traite")
        data, size = read
        try:
            report = examine(data, "dossier_presentation", declared_size=max(size, upload.size),
                             name="la convention signée")
            blocking = next((c for c in report.checks if c.severity == "bloquant"), None)
            if blocking is not None:
                raise PieceRefused(blocking.code, blocking.message_fr)
            verdict = VerdictConvention(version_id=upload.version_id, received_at=upload.event_time,
                                        checked_at=self.clock(), size=report.size, accepted=True,
                                        sha256=report.sha256, pages=report.pages)
        except PieceRefused as refused:
            verdict = VerdictConvention(version_id=upload.version_id, received_at=upload.event_time,
                                        checked_at=self.clock(), size=max(size, upload.size), accepted=False,
                                        reason_code=refused.code, message=refused.message)
        try:
            conventions.convention_examined(d.dossier_id, actor, verdict, data if verdict.accepted else None)
        except Conflict as exc:
            if exc.code != "transition_impossible":
                raise  # the dossier changed meanwhile: SQS delivers again, and it is read again
            self.deposits.quarantine(upload.key, upload.version_id, OUT_OF_STEP.code)
            return IntakeOutcome(outcome="quarantined", dossier_id=d.dossier_id, reason_code=OUT_OF_STEP.code)
        if not verdict.accepted:
            self.deposits.quarantine(upload.key, upload.version_id, verdict.reason_code or "refusee")
        return IntakeOutcome(outcome="accepted" if verdict.accepted else "refused", dossier_id=d.dossier_id,
                             reason_code=verdict.reason_code)
