"""scoring: numbered dossiers, in number order → score, emails, instruction work item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ami import bootstrap
from ami.domain.models import DepositNumbered
from ami.settings import ScoringSettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

logger = Logger(service="scoring")
metrics = Metrics(service="scoring")


class DepositRecord(SqsRecordModel):
    body: Json[DepositNumbered]


def make_handler(app: bootstrap.Container) -> Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]:
    processor = SqsFifoPartialProcessor(model=DepositRecord)

    def record_handler(record: DepositRecord) -> None:
        logger.set_correlation_id(record.body.dossier_id)
        app.after_numbering.process(record.body)
        logger.info("work item queued", extra={"deposit_number": record.body.deposit_number})
        metrics.add_metric(name="WorkItemsQueued", unit=MetricUnit.Count, value=1)

    @logger.inject_lambda_context
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        app.idempotency.register_lambda_context(context)
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    return handler


lambda_handler = make_handler(bootstrap.build(ScoringSettings.from_env()))
