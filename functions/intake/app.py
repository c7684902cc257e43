"""intake: S3 notifications (through SQS) of uploaded pieces → checked, recorded or quarantined."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import unquote_plus

from ami import bootstrap, tracing
from ami.batch import sqs_batch_handler
from ami.domain.base import Model
from ami.services.intake import Upload
from ami.settings import IntakeSettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import S3Model, SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

logger = Logger(service="intake")
metrics = Metrics(service="intake")
tracer = tracing.tracer("intake")
Handler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


class S3TestEvent(Model):
    """Sent once by S3 when the bucket notification is configured."""

    Event: Literal["s3:TestEvent"]


class UploadRecord(SqsRecordModel):
    body: Json[S3Model | S3TestEvent]


def make_handler(app: bootstrap.Container) -> Handler:
    processor = BatchProcessor(event_type=EventType.SQS, model=UploadRecord)

    def record_handler(record: UploadRecord) -> None:
        if isinstance(record.body, S3TestEvent):
            return
        for s3_record in record.body.Records:
            obj = s3_record.s3.object
            assert obj is not None, "an ObjectCreated notification names its object"
            upload = Upload(
                bucket=s3_record.s3.bucket.name,
                key=unquote_plus(obj.key),
                version_id=obj.versionId or "null",
                size=obj.size or 0,
                event_time=s3_record.eventTime,
            )
            outcome = app.intake.process(upload)
            if outcome.dossier_id:
                logger.set_correlation_id(outcome.dossier_id)
            logger.info("piece examined", extra={"outcome": outcome.outcome, "reason_code": outcome.reason_code})
            metrics.add_metric(name=f"Pieces_{outcome.outcome}", unit=MetricUnit.Count, value=1)

    return sqs_batch_handler(app, processor, record_handler, logger, metrics, tracer)


lambda_handler = make_handler(bootstrap.build(IntakeSettings.from_env()))
