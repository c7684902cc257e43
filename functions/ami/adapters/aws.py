"""boto3 clients, made once per process. The endpoint (AWS or the local emulation) comes from the
standard AWS_ENDPOINT_URL / AWS_CONFIG_FILE variables, so no code path differs locally.

One session serves every client: its botocore loader parses the endpoint rules and service models
(large JSON files) once, which is most of a handler's cold start. Sessions are not thread-safe, so
clients are made under a lock; the clients themselves are.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(signature_version="s3v4", retries={"mode": "standard", "max_attempts": 5})
_LOCK = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    with _LOCK:
        return _session().client(service, config=_CONFIG)  # type: ignore[call-overload]


@cache
def _dynamodb() -> Any:
    # One resource serves every table. Its client is not shared with `client("dynamodb")`: the
    # resource registers handlers on it that would serialise already typed values a second time.
    with _LOCK:
        return _session().resource("dynamodb", config=_CONFIG)


@cache
def table(name: str) -> Any:
    return _dynamodb().Table(name)


def reset() -> None:
    """Forget the session and its clients (a process that now points at another endpoint)."""
    client.cache_clear()
    table.cache_clear()
    _dynamodb.cache_clear()
    _session.cache_clear()
