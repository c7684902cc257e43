"""completeness: decide complet / incomplet and number complete deposits in deposit order."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ami.dispositif import dispositif
from ami.models import CompletenessRequest
from ami.sequencing import Conclusion, Sequencer, SequencingRules
from ami.settings import settings
from ami.store import Store
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

logger = Logger(service="completeness")
metrics = Metrics(service="completeness")


class CompletenessRecord(SqsRecordModel):
    body: Json[CompletenessRequest]


processor = SqsFifoPartialProcessor(model=CompletenessRecord)
sequencer = Sequencer(Store(settings()), settings(), SequencingRules.of(dispositif()))


def _count(conclusions: list[Conclusion]) -> None:
    for c in conclusions:
        logger.info(
            "dossier concluded",
            extra={"concluded": c.dossier_id, "outcome": c.outcome, "deposit_number": c.deposit_number},
        )
    # One value per outcome and invocation: a walk may conclude hundreds of dossiers at once.
    for outcome, count in Counter(c.outcome for c in conclusions).items():
        metrics.add_metric(name=f"Dossiers_{outcome}", unit=MetricUnit.Count, value=count)


def record_handler(record: CompletenessRecord) -> None:
    logger.set_correlation_id(record.body.dossier_id)
    _count(sequencer.examine(record.body))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)


@logger.inject_lambda_context
@metrics.log_metrics
def sweep_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Every minute: end holds that timed out and send what a crashed worker left in the outbox."""
    conclusions = sequencer.advance()
    _count(conclusions)
    return {"concluded": len(conclusions)}
