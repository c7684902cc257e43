"""rgpd: once a day, the accounts of inscriptions never confirmed are deleted (docs/rgpd.md).

DynamoDB's TTL removes an inscription's waiting item some time after its code expired, but not the Cognito
user it made (address and password hash): without this function they would stay until someone ran
`ami rgpd purger` or the same address registered again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ami import bootstrap, tracing
from ami.settings import PurgeSettings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(service="rgpd")
metrics = Metrics(service="rgpd")
tracer = tracing.tracer("rgpd")


def make_handler(app: bootstrap.Container) -> Callable[[dict[str, Any], LambdaContext], dict[str, int]]:
    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
        purged = app.rgpd.purge_unconfirmed()
        # A count, never an address: no personal data in the logs.
        logger.info("unconfirmed inscriptions purged", extra={"purged": purged})
        metrics.add_metric(name="InscriptionsPurgees", unit=MetricUnit.Count, value=purged)
        return {"purged": purged}

    return handler


lambda_handler = make_handler(bootstrap.build(PurgeSettings.from_env()))
