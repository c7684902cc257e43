"""Powertools idempotency for the use cases whose side effects must happen once.

The composition root hands each use case an `Idempotency` made over a persistence-layer factory:
DynamoDB (the table named in template.yaml) in Lambda and locally, memory in the unit tests. Each
decorated function gets its own persistence layer, as Powertools configures one per function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.serialization.base import BaseIdempotencySerializer

from ami.domain.conservation import conservation

F = TypeVar("F", bound=Callable[..., Any])



class Idempotency:
    def __init__(self, persistence: Callable[[], BasePersistenceLayer]) -> None:
        self._persistence = persistence
        self._configs: list[IdempotencyConfig] = []
        self._context: Any = None

    def once(
        self,
        fn: F,
        *,
        data_keyword_argument: str,
        key: str,
        output_serializer: BaseIdempotencySerializer | None = None,
    ) -> F:
        """`fn` run at most once per `key` (a JMESPath into the data argument); a repeat returns the
        first result. `fn` takes keyword arguments only."""
        # Remembered long enough to cover SQS redelivery (DLQ after 5 receives) and S3's duplicate notifications
        # (conservation.toml); Powertools writes it as the record's TTL attribute, `expiration`.
        config = IdempotencyConfig(
            event_key_jmespath=key, expires_after_seconds=int(conservation().idempotence.total_seconds()),
            raise_on_no_idempotency_key=True,
        )
        if self._context is not None:
            config.register_lambda_context(self._context)
        self._configs.append(config)
        wrapped = idempotent_function(
            fn,
            data_keyword_argument=data_keyword_argument,
            persistence_store=self._persistence(),
            config=config,
            output_serializer=output_serializer,
        )
        return wrapped

    def register_lambda_context(self, context: Any) -> None:
        """Let Powertools bound an in-progress record by the invocation's remaining time."""
        self._context = context
        for config in self._configs:
            config.register_lambda_context(context)
