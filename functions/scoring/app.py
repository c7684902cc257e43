"""scoring: numbered dossiers, in number order → score, emails, instruction work item.

The queue is FIFO with one group, so a message that fails holds every later dossier behind it. A
message that can never succeed (its body is not a numbered deposit) goes to the dead-letter queue at
once, with the reason, and raises its alarm; any other failure is retried, in order, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ami import bootstrap, tracing
from ami.batch import sqs_batch_handler
from ami.domain.models import DepositNumbered
from ami.settings import ScoringSettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json, ValidationError

logger = Logger(service="scoring")
metrics = Metrics(service="scoring")
tracer = tracing.tracer("scoring")


class DepositRecord(SqsRecordModel):
    body: Json[DepositNumbered]


def make_handler(app: bootstrap.Container) -> Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]:
    processor = SqsFifoPartialProcessor()

    def record_handler(record: SQSRecord) -> None:
        try:
            deposit = DepositRecord.model_validate(record.raw_event).body
        except ValidationError as exc:  # never valid, however often it is delivered: out of the way now
            reason = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'corps'}: {e['type']}" for e in exc.errors())
            app.scoring_dead_letters.send(record.body, record.message_id, record.attributes.message_group_id,
                                          reason)
            logger.error("poison message moved to the dead-letter queue", extra={"reason": reason})
            metrics.add_metric(name="MessagesEmpoisonnes", unit=MetricUnit.Count, value=1)
            return
        logger.set_correlation_id(deposit.dossier_id)
        app.after_numbering.process(deposit)
        logger.info("work item queued", extra={"deposit_number": deposit.deposit_number})
        metrics.add_metric(name="WorkItemsQueued", unit=MetricUnit.Count, value=1)

    return sqs_batch_handler(app, processor, record_handler, logger, metrics, tracer)


lambda_handler = make_handler(bootstrap.build(ScoringSettings.from_env()))
