"""boto3 clients for one AWS endpoint. The endpoint (AWS or the local emulation) comes from the
standard AWS_ENDPOINT_URL / AWS_CONFIG_FILE variables, so no code path differs locally.

One session serves every client of an `Aws`: its botocore loader parses the endpoint rules and
service models (large JSON files) once, which is most of a handler's cold start. Clients are made
on first use (a function that never sends an email never loads SES's model). Sessions are not
thread-safe, so clients are made under a lock; the clients themselves are.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Connections kept per client: more than the local API server's threads (`infra.localapi.API_THREADS`), so
# that none waits for one; in Lambda a container serves one request at a time.
_CONFIG = Config(
    signature_version="s3v4", retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32
)


class Aws:
    def __init__(self, endpoint: str = "") -> None:
        # The endpoint is fixed when the `Aws` is made: a client made later goes to the same place even if
        # the process's environment changed in between (a test or a local stack started and stopped another).
        self.endpoint = endpoint or None
        self._session_made: Any = None
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._resource: Any = None

    @property
    def _session(self) -> Any:
        """Made with the first client (under the lock), not at cold start: the first event pays for it."""
        if self._session_made is None:
            self._session_made = boto3.session.Session()
        return self._session_made

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(
                    service, config=_CONFIG, endpoint_url=self.endpoint
                )
            return self._clients[service]

    def table(self, name: str) -> Any:
        # One resource serves every table. Its client is not shared with `client("dynamodb")`: the
        # resource registers handlers on it that would serialise already typed values a second time.
        with self._lock:
            if self._resource is None:
                self._resource = self._session.resource("dynamodb", config=_CONFIG, endpoint_url=self.endpoint)
            return self._resource.Table(name)


def default_aws() -> Aws:
    """The clients of the endpoint this process points at now (one `Aws` per endpoint)."""
    return aws_for(os.environ.get("AWS_ENDPOINT_URL", ""))


@cache
def aws_for(endpoint: str) -> Aws:
    """The clients of `endpoint` ("": AWS's), one `Aws` per endpoint in the process."""
    return Aws(endpoint)
