"""boto3 clients, made once per process. The endpoint (AWS or the local emulation) comes from the
standard AWS_ENDPOINT_URL / AWS_CONFIG_FILE variables, so no code path differs locally."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(signature_version="s3v4", retries={"mode": "standard", "max_attempts": 5})


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


@cache
def table(name: str) -> Any:
    return boto3.session.Session().resource("dynamodb", config=_CONFIG).Table(name)
