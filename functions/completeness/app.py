"""completeness: decide complet / incomplet and number complete deposits in deposit order; and the two
scheduled jobs on the same tables and queues: the sweep, and the expiry of the propositions de tarification
(ExpiryFunction, ami.services.lifecycle), which releases their envelope and promotes the waiting list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from ami import bootstrap, tracing
from ami.domain.models import CompletenessRequest
from ami.services.sequencing import Conclusion
from ami.settings import CompletenessSettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

logger = Logger(service="completeness")
metrics = Metrics(service="completeness")
tracer = tracing.tracer("completeness")


class CompletenessRecord(SqsRecordModel):
    body: Json[CompletenessRequest]


class ScheduledEvent(EventBridgeModel):
    """The EventBridge schedule's event (its `time` is when the run was due)."""


def _count(conclusions: list[Conclusion]) -> None:
    for c in conclusions:
        logger.set_correlation_id(c.dossier_id)  # one invocation concludes many dossiers: one line each
        logger.info("dossier concluded", extra={"outcome": c.outcome, "deposit_number": c.deposit_number})
    logger.set_correlation_id(None)
    # One value per outcome and invocation: a walk may conclude hundreds of dossiers at once.
    for outcome, count in Counter(c.outcome for c in conclusions).items():
        metrics.add_metric(name=f"Dossiers_{outcome}", unit=MetricUnit.Count, value=count)


def make_handlers(app: bootstrap.Container) -> dict[str, Callable[[dict[str, Any], LambdaContext], Any]]:
    """Both entry points of the function, by the handler names template.yaml gives them."""
    processor = SqsFifoPartialProcessor(model=CompletenessRecord)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        """Parse the batch record by record, then examine the dossiers together: one read for all of
        them, one walk of the sequence. Should the examination fail, the whole batch comes back: in a
        FIFO batch every record after a failure is returned anyway, and examining twice is harmless."""
        requests: list[CompletenessRequest] = []
        response = process_partial_response(
            event=event,
            record_handler=lambda record: requests.append(record.body),
            processor=processor,
            context=context,
        )
        logger.debug("examining", extra={"dossiers": [r.dossier_id for r in requests]})
        _count(app.sequencer.examine(requests))
        return response

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def sweep(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
        """Every minute: walk the sequence, send what a crashed worker left in the outbox, examine again the
        unnumbered dispositifs' envois whose completeness request was lost, and report how
        long an undecided head has held the numbering (the metric is the sweep's heartbeat too: its
        absence raises the alarm that the sweep stopped)."""
        conclusions = app.sequencer.advance() + app.sequencer.sweep_unnumbered()
        _count(conclusions)
        head, seconds = app.sequencer.held_back()
        metrics.add_metric(name="NumerotationRetenueSecondes", unit=MetricUnit.Seconds, value=seconds)
        if head is not None and seconds >= app.sequencer.rules.hold.total_seconds():
            logger.set_correlation_id(head.dossier_id)
            logger.error("numbering held back by a piece check that has not ended", extra={"seconds": int(seconds)})
        return {"concluded": len(conclusions), "held_back_seconds": int(seconds)}

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def expiry(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
        """Every quarter of an hour: expire the propositions whose 10 jours ouvrés ended by the schedule's time
        (the event's `time`: a late or retried invocation decides as of when it was due), release their
        envelope, promote the waiting list, and send the emails that follow."""
        event_time = ScheduledEvent.model_validate(event).time
        expired = app.lifecycle.expire_due(min(event_time, app.clock()))
        for dossier_id in expired:
            logger.set_correlation_id(dossier_id)
            logger.info("proposition expired")
        logger.set_correlation_id(None)
        metrics.add_metric(name="PropositionsExpirees", unit=MetricUnit.Count, value=len(expired))
        sent = app.relay.flush(app.clock())
        return {"expired": len(expired), "sent": sent}

    return {"lambda_handler": handler, "sweep_handler": sweep, "expiry_handler": expiry}


_handlers = make_handlers(bootstrap.build(CompletenessSettings.from_env()))
lambda_handler = _handlers["lambda_handler"]
sweep_handler = _handlers["sweep_handler"]
expiry_handler = _handlers["expiry_handler"]
