"""The composition root: the one place where adapters are made and handed to the use cases.

Lambda handlers, the API, the local runtime, the CLI and the tests all call `build`; tests pass
in-memory fakes through the keyword overrides. Everything is made on first use, so a function
only pays (at cold start) for the adapters its use case touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ami.adapters.aws import Aws, default_aws
from ami.domain.dispositif import dispositif
from ami.domain.messages import Queue
from ami.domain.models import utcnow
from ami.services.idempotency import Idempotency
from ami.services.ports import (
    Accounts,
    AuditLog,
    Clock,
    DeadLetters,
    Deposits,
    DepositSequence,
    Dossiers,
    Mailer,
    Publisher,
    Referentiels,
    Registrations,
    Sessions,
    Sirene,
    Store,
    WorkList,
)
from ami.settings import Settings

if TYPE_CHECKING:
    from ami.services.ports import OcrEngine


@dataclass
class Container:
    settings: Settings
    aws: Aws = field(default_factory=default_aws)
    clock: Clock = utcnow
    overrides: dict[str, Any] = field(default_factory=dict)

    def _given(self, name: str) -> Any:
        return self.overrides.get(name)

    # ---------------------------------------------------------------- adapters

    @cached_property
    def store(self) -> Store:
        """The tables behind the dossiers, sequence, outbox and audit ports: one object, because one
        transaction often spans them (an envoi, a numbering)."""
        from ami.adapters.dynamodb import Store as DynamoStore

        return self._given("store") or DynamoStore(self.settings, self.aws)

    @property
    def dossiers(self) -> Dossiers:
        return self.store

    @property
    def sequence(self) -> DepositSequence:
        return self.store

    @property
    def audit_log(self) -> AuditLog:
        return self.store

    @property
    def work_list(self) -> WorkList:
        return self.store

    @cached_property
    def deposits(self) -> Deposits:
        from ami.adapters.s3 import Deposits as S3Deposits

        return self._given("deposits") or S3Deposits(self.settings, self.aws)

    @cached_property
    def publisher(self) -> Publisher:
        return self._given("publisher") or sqs_publisher(self.settings, self.aws)

    @cached_property
    def scoring_dead_letters(self) -> DeadLetters:
        from ami.adapters.sqs import SqsDeadLetters

        given: DeadLetters | None = self._given("scoring_dead_letters")
        return given or SqsDeadLetters(self.aws.client("sqs"), self.settings.scoring_dlq_url)

    @cached_property
    def instruction_dead_letters(self) -> DeadLetters:
        from ami.adapters.sqs import SqsDeadLetters

        given: DeadLetters | None = self._given("instruction_dead_letters")
        return given or SqsDeadLetters(self.aws.client("sqs"), self.settings.instruction_dlq_url)

    @cached_property
    def mailer(self) -> Mailer:
        from ami.adapters.ses import SesMailer

        return self._given("mailer") or SesMailer(self.settings.sender_email, self.aws)

    @cached_property
    def accounts(self) -> Accounts:
        from ami.adapters.cognito import CognitoAccounts

        return self._given("accounts") or CognitoAccounts(self.settings.user_pool_id, self.aws)

    @cached_property
    def sessions(self) -> Sessions:
        from ami.adapters.cognito_sessions import CognitoSessions

        return self._given("sessions") or CognitoSessions(
            self.settings.user_pool_id, self.settings.user_pool_client_ids, self.aws
        )

    @cached_property
    def sirene(self) -> Sirene:
        from ami.adapters.sirene import InseeSirene

        return self._given("sirene") or InseeSirene(self.settings.sirene_secret_arn, self.aws)

    @cached_property
    def registrations(self) -> Registrations:
        from ami.adapters.dynamodb.inscriptions import DynamoRegistrations

        return self._given("registrations") or DynamoRegistrations(self.settings, self.aws)

    @cached_property
    def referentiels(self) -> Referentiels:
        from ami.adapters.referentiels import ReferentielStore

        return self._given("referentiels") or ReferentielStore(self.settings, self.aws)

    @cached_property
    def ocr(self) -> OcrEngine | None:
        """The OCR engine for scanned lettres d'offre; an override of None means none."""
        if "ocr" in self.overrides:
            ocr: OcrEngine | None = self.overrides["ocr"]
            return ocr
        from ami.adapters.ocr import ocr_engine

        s = self.settings
        return ocr_engine(s.ocr, in_lambda=bool(s.lambda_function_name), aws=self.aws)

    @cached_property
    def idempotency(self) -> Idempotency:
        if self._given("idempotency"):
            return self._given("idempotency")
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        client = self.aws.client("dynamodb")
        table = self.settings.idempotency_table
        return Idempotency(lambda: DynamoDBPersistenceLayer(table_name=table, boto3_client=client))

    # ---------------------------------------------------------------- use cases

    @cached_property
    def intake(self) -> Any:
        from ami.services.intake import Intake

        # The signed convention's verdict is a step of the lifecycle, made on the first convention only.
        return Intake(self.deposits, self.store, self.publisher, self.idempotency, self.clock, self.ocr,
                      conventions=_Lazy(lambda: self.lifecycle))

    @cached_property
    def inscriptions(self) -> Any:
        from ami.services.accounts import Inscriptions

        return Inscriptions(self.dossiers, self.accounts, self.sirene, self.registrations, self.mailer, self.clock)

    @cached_property
    def invitations(self) -> Any:
        from ami.services.accounts import Invitations

        return Invitations(self.dossiers, self.accounts, self.registrations, self.mailer, self.clock)

    @cached_property
    def rgpd(self) -> Any:
        from ami.services.rgpd import Rgpd

        return Rgpd(self.store, self.accounts, self.registrations, self.clock)

    @cached_property
    def sequencer(self) -> Any:
        from ami.services.sequencing import Sequencer, SequencingRules

        rules = SequencingRules.of(dispositif())
        return Sequencer(self.store, rules, self.publisher, clock=self.clock, relay=self.relay,
                         deposits=_Lazy(lambda: self.deposits))

    @cached_property
    def relay(self) -> Any:
        from ami.services.outbox import OutboxRelay

        return OutboxRelay(self.store, self.publisher)

    @cached_property
    def after_numbering(self) -> Any:
        from ami.services.after_numbering import AfterNumbering

        return AfterNumbering(self.store, self.relay, self.referentiels, self.idempotency, self.clock)

    @cached_property
    def instruction(self) -> Any:
        from ami.services.instruction import Instruction

        return Instruction(self.work_list, self.dossiers, self.instruction_dead_letters, self.clock)

    @cached_property
    def delivery(self) -> Any:
        from ami.services.delivery import Delivery

        return Delivery(self.store, self.mailer, self.idempotency, documents=lambda: self.deposits,
                        plateforme_url=self.settings.plateforme_url)

    @cached_property
    def lifecycle(self) -> Any:
        from decimal import Decimal

        from ami.services.lifecycle import Lifecycle

        return Lifecycle(self.store, _Lazy(lambda: self.deposits), self.clock, Decimal(dispositif().enveloppe),
                         bdt_email=self.settings.bdt_email)


class _Lazy:
    """An adapter or use case made on first use (the deposits bucket: the scheduled expiry never touches it; the
    lifecycle: intake needs it for the signed convention only)."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def __getattr__(self, name: str) -> Any:
        return getattr(self._make(), name)


def build(settings: Settings, *, aws: Aws | None = None, clock: Clock = utcnow, **overrides: Any) -> Container:
    """Wire the service for `settings`; `overrides` replace adapters by name (store, deposits,
    publisher, mailer, accounts, sessions, sirene, registrations, referentiels, idempotency, ocr,
    scoring_dead_letters, instruction_dead_letters)."""
    return Container(settings, aws or default_aws(), clock, overrides)


def sqs_publisher(settings: Settings, aws: Aws | None = None) -> Publisher:
    """The SQS publisher for these settings' queues (what `Container.publisher` makes)."""
    from ami.adapters.sqs import SqsPublisher

    urls: dict[Queue, str] = {
        "completeness": settings.completeness_queue_url,
        "scoring": settings.scoring_queue_url,
        "notifications": settings.notifications_queue_url,
        "instruction": settings.instruction_queue_url,
    }
    # Only the queues this function was given (ami.settings): a message for another one fails loudly.
    return SqsPublisher((aws or default_aws()).client("sqs"), {q: url for q, url in urls.items() if url})
