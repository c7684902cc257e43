"""Serve the plateforme's pages locally (the `web` Chalice app, as WebFunction runs it in Lambda).

The server binds its port first, so that the stack can be provisioned with the plateforme's origin
(the deposits bucket's CORS rule lets that origin upload, as `AllowedOrigin` does in AWS); then it
starts, wired to the WebFunction's own settings.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

from infra.localapi import FUNCTIONS, QUIET


class _Handler(ChaliceRequestHandler):
    """Chalice's request handler, quiet when the runtime is."""

    def log_message(self, format: str, *args: Any) -> None:
        if not QUIET.is_set():
            super().log_message(format, *args)


class WebServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if FUNCTIONS not in sys.path:
            sys.path.insert(0, FUNCTIONS)
        from web.app import app

        if not isinstance(app, LocalChalice):
            # As chalice.local.create_local_server does: a thread-local current_request for a threaded server.
            CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
            app.__class__ = CustomLocalChalice
        config = Config.create(chalice_stage="dev", app_name="ami-garantie-plateforme", lambda_timeout=30,
                               lambda_memory_size=512)
        self.server = LocalDevServer(app, config, host, port, handler_cls=_Handler)
        bound_host, bound_port = self.server.server.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._thread: threading.Thread | None = None
        self._previous: Any = None

    def start(self, services: Any) -> str:
        """Serve, wired to `services` (the WebFunction's `ami.bootstrap.Container`); returns the URL."""
        from web.app import configure

        self._previous = configure(services)
        self._thread = threading.Thread(target=self.server.server.serve_forever, name="ami-local-web", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        from web.app import configure

        configure(self._previous)
        self.server.shutdown()
        self.server.server.server_close()
        if self._thread:
            self._thread.join(timeout=10)
