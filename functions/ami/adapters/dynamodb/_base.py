"""What every DynamoDB adapter shares: the three tables, typed items, paginated reads."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from ami.adapters.aws import Aws, default_aws
from ami.settings import Settings

_ser = TypeSerializer()
_de = TypeDeserializer()


def typed(item: dict[str, Any]) -> dict[str, Any]:
    """`item` in DynamoDB's typed JSON (what the low-level client's transactions take)."""
    return {k: _ser.serialize(v) for k, v in item.items()}


class Tables:
    """The dossiers, counters and audit tables of one stack, each opened when first used: a function
    is given only the tables it uses (ami.settings)."""

    def __init__(self, settings: Settings, aws: Aws | None = None) -> None:
        self.s = settings
        self._aws = aws or default_aws()
        self.ddb = self._aws.client("dynamodb")

    @cached_property
    def dossiers(self) -> Any:
        return self._aws.table(self.s.dossiers_table)

    @cached_property
    def counters(self) -> Any:
        return self._aws.table(self.s.counters_table)

    @cached_property
    def audit(self) -> Any:
        return self._aws.table(self.s.audit_table)

    def _batch_get(self, table_name: str, keys: list[dict[str, Any]], projection: str) -> Iterator[dict[str, Any]]:
        """The `projection` of the items of `keys` that exist, read consistently, a hundred keys per
        BatchGetItem (reading only the attributes needed halves moto's time for a batch)."""
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                table_name: {
                    "Keys": [typed(k) for k in keys[start : start + 100]],
                    "ProjectionExpression": projection,
                    "ConsistentRead": True,
                }
            }
            while request:
                page = self.ddb.batch_get_item(RequestItems=request)
                for item in page["Responses"].get(table_name, []):
                    yield {k: _de.deserialize(v) for k, v in item.items()}
                request = page.get("UnprocessedKeys") or {}

    @staticmethod
    def _scan(tbl: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = tbl.scan(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    @staticmethod
    def _query(tbl: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = tbl.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
