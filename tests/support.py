"""Helpers shared by tests that drive the store directly on a provisioned emulation."""

from __future__ import annotations

from typing import Any

from ami.adapters.aws import default_aws
from ami.settings import Settings


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

