"""Powertools idempotency, wired once per process to the table named in template.yaml."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# Long enough to cover SQS redelivery (DLQ after 5 receives) and S3's duplicate notifications.
EXPIRES_AFTER_SECONDS = 7 * 24 * 3600

_wrapped: dict[Callable[..., Any], Callable[..., Any]] = {}  # function → its Powertools wrapper
_configs: list[Any] = []  # every IdempotencyConfig made here, to hand them the Lambda context
_context: list[Any] = []


def once(data_keyword_argument: str, event_key_jmespath: str) -> Callable[[F], F]:
    """Run the decorated function at most once per key; a repeat returns the first result.

    The persistence layer is made on first call, not at import, so that pure tests need no table.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def call(**kwargs: Any) -> Any:
            if fn not in _wrapped:
                _wrapped[fn] = _powertools_wrapper(fn, data_keyword_argument, event_key_jmespath)
            return _wrapped[fn](**kwargs)

        return call  # type: ignore[return-value]

    return decorate


def _powertools_wrapper(fn: Callable[..., Any], data_keyword_argument: str, jmespath: str) -> Callable[..., Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from ami.settings import settings

    config = IdempotencyConfig(
        event_key_jmespath=jmespath, expires_after_seconds=EXPIRES_AFTER_SECONDS, raise_on_no_idempotency_key=True
    )
    if _context:
        config.register_lambda_context(_context[0])
    _configs.append(config)
    return idempotent_function(
        fn,
        data_keyword_argument=data_keyword_argument,
        persistence_store=DynamoDBPersistenceLayer(table_name=settings().idempotency_table),
        config=config,
    )


def register_lambda_context(context: Any) -> None:
    """Let Powertools bound an in-progress record by the invocation's remaining time."""
    _context[:] = [context]
    for config in _configs:
        config.register_lambda_context(context)


def reset() -> None:
    """Forget the persistence layers (a local process that points at a new emulation)."""
    _wrapped.clear()
    _configs.clear()
    _context.clear()
