"""moto server, with its DynamoDB requests served one at a time.

moto's `TransactWriteItems` copies the tables, applies the transaction and restores the copy if a
condition fails, without a lock; under moto server's concurrent requests a failed transaction can
erase writes that other requests made meanwhile. DynamoDB itself is not like that, so the local
emulation serialises DynamoDB calls (each takes a millisecond or two) and leaves the other services
(SQS long polls above all) concurrent.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server


class SerialDynamoDB:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        with self.lock:
            try:
                return list(self.app(environ, start_response))  # the body is produced inside the lock
            finally:
                forget_dynamodb_instances()


def forget_dynamodb_instances() -> None:
    """moto keeps every model object it ever made, for its dashboard, and a transaction deep-copies
    the tables it touches: without this, memory grows with every transaction (gigabytes in a
    benchmark). The tables themselves stay in the backend; only the dashboard's list is dropped."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    Table.instances_tracked.clear()  # type: ignore[attr-defined]
    Item.instances_tracked.clear()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port, printed on the first line")
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, SerialDynamoDB(app), threaded=True, request_handler=MotoRequestHandler)
    # The port is chosen by binding, never guessed beforehand: two emulations cannot share a server.
    print(server.port, flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nobody reads the pipe any more
    server.serve_forever()


if __name__ == "__main__":
    main()
