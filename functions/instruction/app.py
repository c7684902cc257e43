"""instruction: each work item of the instruction queue becomes an entry of the instructors' work list.

The queue's groups are per dossier, so an item that fails waits alone; after five receipts SQS moves
it to the dead-letter queue (alarm, `ami dlq redrive`). Taking the entries, in number order, is the
API's business (ami.services.instruction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ami import bootstrap, tracing
from ami.domain.models import WorkItem
from ami.settings import InstructionSettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

logger = Logger(service="instruction")
metrics = Metrics(service="instruction")
tracer = tracing.tracer("instruction")


class WorkItemRecord(SqsRecordModel):
    body: Json[WorkItem]


def make_handler(app: bootstrap.Container) -> Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]:
    processor = SqsFifoPartialProcessor()

    def record_handler(record: SQSRecord) -> None:
        item = WorkItemRecord.model_validate(record.raw_event).body
        logger.set_correlation_id(item.dossier_id)
        added = app.instruction.receive(item)
        logger.info("work item listed" if added else "work item already listed",
                    extra={"deposit_number": item.deposit_number})
        metrics.add_metric(name="WorkItemsListed", unit=MetricUnit.Count, value=int(added))

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    return handler


lambda_handler = make_handler(bootstrap.build(InstructionSettings.from_env()))
