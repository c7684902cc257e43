"""Helpers and constants shared by tests: import them from here, never from `conftest` (there are two)."""

from __future__ import annotations

import os
from typing import Any

from ami.adapters.aws import default_aws
from ami.settings import Settings

# The environment before any test touched it (tests/conftest.py imports this module first): what a fresh
# shell would pass to a subprocess.
PRISTINE_ENV = dict(os.environ)
PASSWORD = "Essai-AMI-garantie-2026!"


def empty_tables(s: Settings) -> None:
    """Delete every item of the dossiers, counters and audit tables (a fresh start for one test)."""
    for name in (s.dossiers_table, s.counters_table, s.audit_table):
        tbl = default_aws().table(name)
        kwargs: dict[str, Any] = {"ProjectionExpression": "pk, sk"}
        keys: list[dict[str, Any]] = []
        while True:
            page = tbl.scan(**kwargs)
            keys += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        with tbl.batch_writer() as batch:
            for k in keys:
                batch.delete_item(Key=k)



class Stopwatch:
    """A sleep and a monotonic clock for the outbox relay's waits: sleeping moves the clock, nobody waits."""

    def __init__(self) -> None:
        self.t = 0.0

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    def monotonic(self) -> float:
        return self.t
