"""notify: French emails through SES, each sent once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ami import bootstrap, tracing
from ami.batch import sqs_batch_handler
from ami.domain.models import Notification
from ami.settings import NotifySettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

logger = Logger(service="notify")
metrics = Metrics(service="notify")
tracer = tracing.tracer("notify")


class NotificationRecord(SqsRecordModel):
    body: Json[Notification]


def make_handler(app: bootstrap.Container) -> Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]:
    processor = BatchProcessor(event_type=EventType.SQS, model=NotificationRecord)

    def record_handler(record: NotificationRecord) -> None:
        logger.set_correlation_id(record.body.dossier_id)
        app.delivery.process(record.body)
        logger.info("notification sent", extra={"kind": record.body.kind})
        metrics.add_metric(name=f"Emails_{record.body.kind}", unit=MetricUnit.Count, value=1)

    return sqs_batch_handler(app, processor, record_handler, logger, metrics, tracer)


lambda_handler = make_handler(bootstrap.build(NotifySettings.from_env()))
