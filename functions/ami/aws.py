"""boto3 clients, made once per process. The endpoint (AWS or the local emulation) comes from the
standard AWS_ENDPOINT_URL / AWS_CONFIG_FILE variables, so no code path differs locally.

Each client still gets its own boto3 session (sessions are not thread-safe), but all sessions share
the first session's botocore data loader: the endpoint rules and service models (large JSON files)
are parsed once per process instead of once per client, which was most of a handler's cold start.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

_CONFIG = Config(signature_version="s3v4", retries={"mode": "standard", "max_attempts": 5})
_LOADER: list[Any] = []  # the shared botocore Loader, once the first session has made it
_LOCK = threading.Lock()


def _session() -> boto3.session.Session:
    """A new session (credentials and config resolved as before) that reuses the parsed data files."""
    core = botocore.session.get_session()
    with _LOCK:
        if _LOADER:
            core.register_component("data_loader", _LOADER[0])
        else:
            _LOADER.append(core.get_component("data_loader"))
        session = boto3.session.Session(botocore_session=core)
        paths = _LOADER[0].search_paths  # boto3 appends its data path for each session: keep one
        paths[:] = list(dict.fromkeys(paths))
    return session


@cache
def client(service: str) -> Any:
    return _session().client(service, config=_CONFIG)  # type: ignore[call-overload]


@cache
def table(name: str) -> Any:
    return _session().resource("dynamodb", config=_CONFIG).Table(name)
