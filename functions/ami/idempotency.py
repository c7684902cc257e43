"""Powertools idempotency, wired once per process to the table named in template.yaml."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_configs: list[Any] = []  # every IdempotencyConfig made here, to hand them the Lambda context
_context: list[Any] = []

# Long enough to cover SQS redelivery (DLQ after 5 receives) and S3's duplicate notifications.
EXPIRES_AFTER_SECONDS = 7 * 24 * 3600


def once(data_keyword_argument: str, event_key_jmespath: str) -> Callable[[F], F]:
    """Run the decorated function at most once per key; a repeat returns the first result.

    The persistence layer is made on first call, not at import, so that pure tests need no table.
    """

    def decorate(fn: F) -> F:
        wrapped: Callable[..., Any] | None = None

        @functools.wraps(fn)
        def call(**kwargs: Any) -> Any:
            nonlocal wrapped
            if wrapped is None:
                from aws_lambda_powertools.utilities.idempotency import (
                    DynamoDBPersistenceLayer,
                    IdempotencyConfig,
                    idempotent_function,
                )

                from ami.settings import settings

                config = IdempotencyConfig(
                    event_key_jmespath=event_key_jmespath,
                    expires_after_seconds=EXPIRES_AFTER_SECONDS,
                    raise_on_no_idempotency_key=True,
                )
                if _context:
                    config.register_lambda_context(_context[0])
                _configs.append(config)
                wrapped = idempotent_function(
                    fn,
                    data_keyword_argument=data_keyword_argument,
                    persistence_store=DynamoDBPersistenceLayer(table_name=settings().idempotency_table),
                    config=config,
                )
            return wrapped(**kwargs)

        return call  # type: ignore[return-value]

    return decorate


def register_lambda_context(context: Any) -> None:
    """Let Powertools bound an in-progress record by the invocation's remaining time."""
    _context[:] = [context]
    for config in _configs:
        config.register_lambda_context(context)
