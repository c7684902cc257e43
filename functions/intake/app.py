"""intake: S3 notifications (through SQS) of uploaded pieces → checked, recorded or quarantined."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from ami.deposits import Deposits
from ami.idempotency import register_lambda_context
from ami.intake import Intake, Upload
from ami.settings import settings
from ami.store import Store
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import S3Model, SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(service="intake")
metrics = Metrics(service="intake")
processor = BatchProcessor(event_type=EventType.SQS, model=SqsRecordModel)
intake = Intake(settings(), Deposits(settings()), Store(settings()))


def record_handler(record: SqsRecordModel) -> None:
    body = json.loads(record.body)
    if body.get("Event") == "s3:TestEvent":  # sent once when the notification is configured
        return
    for s3_record in S3Model.model_validate(body).Records:
        upload = Upload(
            bucket=s3_record.s3.bucket.name, key=unquote_plus(s3_record.s3.object.key),
            version_id=s3_record.s3.object.versionId or "null", size=s3_record.s3.object.size or 0,
            event_time=s3_record.eventTime,
        )
        outcome = intake.process(upload)
        if outcome.dossier_id:
            logger.set_correlation_id(outcome.dossier_id)
        logger.info("piece examined", extra={"outcome": outcome.outcome, "reason_code": outcome.reason_code})
        metrics.add_metric(name=f"Pieces_{outcome.outcome}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
