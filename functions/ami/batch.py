"""The SQS entry points' common shape: a Powertools batch of records, each handled on its own (a
failing record comes back alone), the invocation's context handed to idempotency, logs, metrics and the
X-Ray trace (the Tracer patches boto3: each AWS call is a subsegment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from ami.bootstrap import Container

Handler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def sqs_batch_handler(
    app: Container, processor: BatchProcessor, record_handler: Callable[[Any], None], logger: Logger, metrics: Metrics,
    tracer: Tracer,
) -> Handler:
    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        app.idempotency.register_lambda_context(context)
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    return handler
