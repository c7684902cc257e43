"""moto server, with its DynamoDB requests served one at a time and transactions that cost what they touch.

moto's `TransactWriteItems` copies the tables, applies the transaction and restores the copy if a
condition fails, without a lock; under moto server's concurrent requests a failed transaction can
erase writes that other requests made meanwhile. DynamoDB itself is not like that, so the local
emulation serialises DynamoDB calls (each takes a millisecond or two) and leaves the other services
(SQS long polls above all) concurrent.

Two of moto's costs grow with a table's size where DynamoDB's do not, and would make benchmarks measure
moto: a transaction deep-copies the tables it touches (85 ms at 4,000 items), and a query sorts every
item of the table to find its partition. Here a transaction keeps a copy of the items it touches
instead, and puts them back when it is cancelled (`item_level_rollback`), and a query on a table's
key reads its partition only (`partition_query`). A query of an index that projects a few attributes
fills its 1 MB page with those, as DynamoDB does, not with the whole items (`projected_index_pages`).
A query sorts its partition by the keys' plain values first, so moto's own sort (DynamoType by DynamoType,
90 ms for a thousand pending envois) only checks the order (`_in_key_order`). Two CPU costs of moto's
weigh on the numbering's one-walker path (issue 16): each condition expression is lexed and parsed three
times per transaction item (`conditions_parsed_once` keeps them), and each attribute value of an answer
goes through a model-driven serializer that tries ten type names (`attribute_values_as_they_are` writes
it as it is); together they halved moto's time per numbering batch.
Likewise moto's SQS recounts every message of the queue several times for each message sent (25 ms for a
batch of ten on an empty queue, 830 ms with a thousand waiting): sending skips those counts
(`sends_without_recounting`), and receiving counted them twice for each message received
(`reads_without_recounting`). moto lists a response class's methods once (`action_names_once`), not
at every request. A legal hold on a version that is not there answers NoSuchVersion or
NoSuchKey, as S3 does, where moto failed with an internal error (`legal_holds_on_missing_versions`).

It is served by waitress rather than moto's werkzeug development server, which closed the connection
after every answer: with waitress a client keeps its connections from one call to the next, as with
AWS (see `main`).
"""

from __future__ import annotations

import argparse
import collections
import copy
import functools
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import waitress
from moto.server import DomainDispatcherApplication, create_backend_app


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


class OneServiceModelData:
    """`/moto-api/data.json?service=ses`: moto's model data for one service only.

    moto's `/moto-api/data.json` lists every tracked object of every service, each attribute tried with
    json.dumps: after a 200-dossier run (hundreds of PDFs in S3, thousands of SQS messages) that took more
    than the reader's 10 s on a busy machine, and the fault-injection run failed reading its emails. The
    emails are the SES models alone; the same listing, for the service asked only. Without `service`,
    moto answers as before."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        from urllib.parse import parse_qs

        service = parse_qs(environ.get("QUERY_STRING", "")).get("service", [""])[0]
        if environ.get("PATH_INFO") != "/moto-api/data.json" or not service:
            return self.app(environ, start_response)
        from moto.core.model_instances import model_data

        models = model_data.get(service, {})
        result: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(models):
            result[name] = []
            for instance in list(models[name].instances_tracked):  # type: ignore[attr-defined]
                fields = {}
                for attr in dir(instance):
                    if attr.startswith("_"):
                        continue
                    try:
                        value = getattr(instance, attr)
                        json.dumps(value)
                    except (TypeError, AttributeError, ValueError):
                        continue
                    fields[attr] = value
                result[name].append(fields)
        body = json.dumps({service: result}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


class RawUri:
    """moto reads the request's path as it arrived from `RAW_URI` (S3 keys with encoded characters);
    waitress names it `REQUEST_URI`."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        return self.app(environ, start_response)


def no_continue_for_empty_bodies() -> None:
    """An S3 PutObject of an empty file comes with `Expect: 100-continue` and no body: waitress answered
    « 100 Continue » and botocore then waited for an answer that never came (an empty piece, a case intake
    refuses, hung the emulation's client). There is nothing to wait for: no « 100 Continue » then."""
    from waitress.parser import HTTPRequestParser

    parse_header = HTTPRequestParser.parse_header

    @functools.wraps(parse_header)
    def parse(self: HTTPRequestParser, header_plus: bytes) -> None:
        parse_header(self, header_plus)
        if self.content_length == 0 and not self.chunked:
            self.expect_continue = False

    HTTPRequestParser.parse_header = parse


def modules_listed_once() -> None:
    """moto finds the service of every request among its modules by listing its package folder on
    disk (under a lock held by every request): list it once."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def forget_dynamodb_instances() -> None:
    """moto keeps every model object it ever made, for its dashboard, and a transaction deep-copies
    the tables it touches: without this, memory grows with every transaction (gigabytes in a
    benchmark). The tables themselves stay in the backend; only the dashboard's list is dropped."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    Table.instances_tracked.clear()  # type: ignore[attr-defined]
    Item.instances_tracked.clear()  # type: ignore[attr-defined]


def item_level_rollback() -> None:
    """Make moto's TransactWriteItems undo a cancelled transaction item by item, not by table copies.

    moto applies the operations one after the other and, when one fails, restores deep copies of
    the whole tables it took beforehand. Here the items the transaction names are copied (an update
    changes its item in place), moto's table copies become the tables themselves (so its own restore
    changes nothing), and the items are put back on any failure. Safe because DynamoDB calls are
    served one at a time (SerialDynamoDB).
    """
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    moto_transact = DynamoDBBackend.transact_write_items

    @functools.wraps(moto_transact)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for operation in transact_items:
            op: dict[str, Any] = next(iter(operation.values()), {})
            table = self.tables.get(op.get("TableName", ""))
            key = op.get("Key") or op.get("Item")
            if table is None or not key:
                continue  # moto reports the error itself, before anything is written
            try:
                hash_key, range_key = self.get_keys_value(table, key)
            except Exception:  # a malformed key: moto refuses the transaction itself
                continue
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        try:
            moto_transact(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(saved):
                if item is None:
                    table.delete_item(hash_key, range_key)
                elif range_key is not None:
                    table.items[hash_key][range_key] = item
                else:
                    table.items[hash_key] = item  # type: ignore[assignment]  # moto's own typing
            raise

    Table.__deepcopy__ = lambda self, memo: self  # type: ignore[attr-defined]  # only the transaction copies tables
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def partition_query() -> None:
    """Make moto's Query on a table's own key read that partition, not every item of the table.

    moto's Table.query, for a query on the table's key, sorts all the table's items and keeps those of
    the partition. Here it runs on a shallow copy of the table that holds the queried partition only;
    queries on an index keep moto's own path."""
    from moto.dynamodb.models.table import Table

    moto_query = Table.query

    @functools.wraps(moto_query)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None or not self.range_key_attr:
            return moto_query(self, hash_key, *args, **kwargs)
        partition = copy.copy(self)
        items = self.items.get(hash_key)
        partition.items = {hash_key: _in_key_order(items)} if items else {}  # type: ignore[assignment]
        return moto_query(partition, hash_key, *args, **kwargs)

    Table.query = query  # type: ignore[method-assign]


def _in_key_order(items: dict[Any, Any]) -> dict[Any, Any]:
    """A partition's items ordered by their sort key's plain value (a string, a number), so that moto's own
    sort by DynamoType, which then finds them in order, compares each item once: moto's sort of a partition
    compares DynamoTypes in Python (90 ms for a thousand pending envois, paid by every query of the
    sequence's head). A key of another type (binary) is left to moto's sort."""
    keys = list(items)
    if not keys or any(k.type not in ("S", "N") for k in keys) or len({k.type for k in keys}) > 1:
        return items
    plain = (lambda k: k.value) if keys[0].type == "S" else (lambda k: Decimal(k.value))
    return {k: items[k] for k in sorted(keys, key=plain)}


def conditions_parsed_once() -> None:
    """Make moto parse each condition expression once, not three times per item and anew for every request.

    moto lexes a ConditionExpression character by character with a dozen regular expressions, and in a
    TransactWriteItems parses each item's condition three times (to validate the request, to check the
    condition, once more in the Put, Delete or Update it then calls): two thirds of moto's time for a
    numbering batch of 98 items. Here the lexing of an expression's text is kept (the same few texts come
    back in every request; each use gets fresh nodes, as moto's later passes change them), and so is the
    parse of the last few thousand (text, names, values): a parsed condition holds no state of its own, it
    is evaluated against an item, and the names and values it found are given again to the parser asking."""
    from moto.dynamodb.comparisons import ConditionExpressionParser as Parser

    moto_lex, moto_parse = Parser._lex_condition_expression, Parser.parse
    lexed: dict[str, list[tuple[Any, Any, Any, Any]]] = {}
    parsed: dict[tuple[str, str, str], tuple[Any, list[str], list[str]]] = {}

    @functools.wraps(moto_lex)
    def lex(self: Parser) -> Any:
        text = self.condition_expression or ""
        if text not in lexed:
            lexed[text] = [(n.nonterminal, n.kind, n.text, n.value) for n in moto_lex(self)]
        return collections.deque(
            Parser.Node(nonterminal=n, kind=k, text=t, value=v, children=[]) for n, k, t, v in lexed[text]
        )

    @functools.wraps(moto_parse)
    def parse(self: Parser) -> Any:
        if not self.condition_expression:
            return moto_parse(self)
        key = (
            self.condition_expression,
            json.dumps(self.expression_attribute_names, sort_keys=True),
            json.dumps(self.expression_attribute_values, sort_keys=True),
        )
        if key not in parsed:
            if len(parsed) > 4096:
                parsed.clear()
            op = moto_parse(self)  # raises for an invalid expression: nothing is kept
            parsed[key] = (op, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
            return op
        op, names, values = parsed[key]
        self.expr_attr_names_found.extend(names)
        self.expr_attr_values_found.extend(values)
        return op

    Parser._lex_condition_expression = lex  # type: ignore[method-assign]
    Parser.parse = parse  # type: ignore[method-assign]


_WIRE_TYPES = frozenset(("S", "N", "BOOL", "NULL", "L", "M", "SS", "NS"))


def _on_the_wire(value: Any) -> bool:
    """An AttributeValue already as DynamoDB's JSON writes it: no binary (moto encodes those) at any depth."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind not in _WIRE_TYPES:
        return False
    if kind == "L":
        return isinstance(inner, list) and all(_on_the_wire(v) for v in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(_on_the_wire(v) for v in inner.values())
    return True


def attribute_values_as_they_are() -> None:
    """Make moto write DynamoDB's items into its JSON answers as they are, not attribute by attribute.

    moto keeps items as DynamoDB's JSON ({"S": "…"}), then writes every answer through a serializer that
    walks the answer's model: for each attribute value it tries each of the ten type names in turn. A
    BatchGetItem of 32 dossiers spends a third of moto's time there. An attribute value without binary
    (which moto encodes in base64 while writing) is already what the serializer would write: it is
    written as it is."""
    from moto.core.serialize import BaseJSONSerializer

    moto_structure = BaseJSONSerializer._serialize_type_structure

    @functools.wraps(moto_structure)
    def structure(self: BaseJSONSerializer, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and _on_the_wire(value):
            self._default_serialize(serialized, value, shape, key)
            return
        moto_structure(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = structure  # type: ignore[method-assign]


def sends_without_recounting() -> None:
    """Make moto's SendMessage(Batch) read a queue's settings without counting its messages.

    While sending, moto reads `Queue.attributes` six times per message for one setting
    (ContentBasedDeduplication), and each read counts the queue's messages three times. Inside a send
    (this thread only) the attributes are those settings alone, falling back to the full attributes
    for any other name; GetQueueAttributes still counts."""
    from moto.sqs.models import Queue, SQSBackend

    sending = threading.local()
    full = vars(Queue)["attributes"].fget

    class QueueSettings(dict[str, Any]):
        def __init__(self, queue: Queue) -> None:
            super().__init__()
            if queue.fifo_queue:  # moto lists the setting for FIFO queues only
                value = getattr(queue, "content_based_deduplication", False)
                self["ContentBasedDeduplication"] = str(value).lower() if isinstance(value, bool) else value
            self.queue = queue

        def __missing__(self, name: str) -> Any:
            return full(self.queue)[name]

        def get(self, name: str, default: Any = None) -> Any:
            return super().get(name, default) if name in self else full(self.queue).get(name, default)

    def attributes(self: Queue) -> dict[str, Any]:
        return QueueSettings(self) if getattr(sending, "depth", 0) else full(self)

    def counting_less(send: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(send)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sending.depth = getattr(sending, "depth", 0) + 1
            try:
                return send(*args, **kwargs)
            finally:
                sending.depth -= 1

        return wrapper

    Queue.attributes = property(attributes)  # type: ignore[assignment,method-assign]
    SQSBackend.send_message = counting_less(SQSBackend.send_message)  # type: ignore[method-assign]
    SQSBackend.send_message_batch = counting_less(SQSBackend.send_message_batch)  # type: ignore[method-assign]


def projected_index_pages() -> None:
    """Make moto fill a query's 1 MB page with an index's items as the index holds them.

    DynamoDB reads an index's own items, which hold the projected attributes only, so a query's 1 MB page
    counts those. moto counts the whole table item: a query of an index that projects a few attributes (the
    instructors' list reads 300-byte summaries of 6 kB dossiers) came back in twenty times as many pages,
    each of which walks and sorts the whole table again. Here, while an index that does not project every
    attribute is queried, an item's size is that of its projected attributes and keys."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.models.utilities import bytesize

    moto_query, moto_size = Table.query, Item.size
    projected = threading.local()

    @functools.wraps(moto_size)
    def size(self: Item) -> int:
        keep = getattr(projected, "attributes", None)
        if keep is None:
            return moto_size(self)
        return sum(bytesize(key) + value.size() for key, value in self.attrs.items() if key in keep)

    @functools.wraps(moto_query)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        index = {i.name: i for i in self.all_indexes()}.get(index_name) if index_name else None
        kind = (index.projection or {}).get("ProjectionType", "ALL") if index is not None else "ALL"
        if kind == "ALL":
            return moto_query(self, hash_key, *args, **kwargs)
        projection = index.projection or {}  # type: ignore[union-attr]
        projected.attributes = {
            *projection.get("NonKeyAttributes", []),
            *(k["AttributeName"] for k in index.schema),  # type: ignore[union-attr]
            *(k for k in (self.hash_key_attr, self.range_key_attr) if k),
        }
        try:
            return moto_query(self, hash_key, *args, **kwargs)
        finally:
            projected.attributes = None

    Item.size = size  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


def legal_holds_on_missing_versions() -> None:
    """Make moto's PutObjectLegalHold on a version that is not there answer as S3 does (NoSuchVersion,
    or NoSuchKey when the key has no version at all) instead of failing with an internal error: the
    numbering holds deposited versions, and tells a version lost from a bucket refusing."""
    from moto.s3.exceptions import MissingKey, MissingVersion
    from moto.s3.models import S3Backend

    moto_hold = S3Backend.put_object_legal_hold

    @functools.wraps(moto_hold)
    def put_object_legal_hold(self: S3Backend, bucket_name: str, key_name: str, version_id: str | None,
                              legal_hold_status: dict[str, Any]) -> None:
        if self.get_object(bucket_name, key_name, version_id=version_id) is None:
            if version_id is not None and self.get_object(bucket_name, key_name) is not None:
                raise MissingVersion(key=key_name, version_id=version_id)
            raise MissingKey(key=key_name)
        moto_hold(self, bucket_name, key_name, version_id, legal_hold_status)

    S3Backend.put_object_legal_hold = put_object_legal_hold  # type: ignore[method-assign]


def action_names_once() -> None:
    """Make moto list a response class's methods once, not at every request.

    moto finds the method of an action among the names `inspect.getmembers` lists, for every request
    (7 % of the DynamoDB calls' time, which are served one at a time); the classes do not change once
    the server runs (every patch here is applied before), so the list is kept per class."""
    import moto.core.responses
    from moto.core.utils import method_names_from_class

    moto.core.responses.method_names_from_class = functools.cache(method_names_from_class)


def retained(queue: Any, message: Any, now: float) -> bool:
    """Whether `message` is still within its queue's retention period at `now` (epoch seconds), as moto decides."""
    return bool(int(queue.message_retention_period) + message.sent_timestamp / 1000 > now)


def reads_without_recounting() -> None:
    """Make moto's ReceiveMessage and GetQueueAttributes count a queue's messages at most once per call.

    For each message it receives, moto checks the queue's retention period through GetQueueAttributes,
    which builds the full attributes twice (each build counts the queue's messages three times): with
    500 envois waiting in the completeness queue, receiving ten cost 30,000 message visits, more of
    the emulation's time in a rush than all the DynamoDB calls. Here the retention check reads the
    queue's `message_retention_period` (the value the attributes give), and within one
    GetQueueAttributes call (this thread only) the full attributes are built once; the counts are
    those of that moment, as before."""
    from moto.core.utils import unix_time
    from moto.sqs.models import Message, Queue, SQSBackend

    reading = threading.local()
    attributes = vars(Queue)["attributes"].fget  # as patched by sends_without_recounting, if it was

    def memo_attributes(self: Queue) -> dict[str, Any]:
        memo: dict[int, dict[str, Any]] | None = getattr(reading, "memo", None)
        if memo is None:
            return attributes(self)
        if id(self) not in memo:
            memo[id(self)] = attributes(self)
        return memo[id(self)]

    moto_get = SQSBackend.get_queue_attributes

    @functools.wraps(moto_get)
    def get_queue_attributes(self: SQSBackend, *args: Any, **kwargs: Any) -> Any:
        reading.memo = {}
        try:
            return moto_get(self, *args, **kwargs)
        finally:
            reading.memo = None

    def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Message) -> bool:
        return retained(self.get_queue(queue_name), message, unix_time())

    Queue.attributes = property(memo_attributes)  # type: ignore[assignment,method-assign]
    SQSBackend.get_queue_attributes = get_queue_attributes  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port, printed on the first line")
    args = parser.parse_args()
    item_level_rollback()
    partition_query()
    conditions_parsed_once()
    attribute_values_as_they_are()
    projected_index_pages()
    sends_without_recounting()
    reads_without_recounting()
    action_names_once()
    modules_listed_once()
    no_continue_for_empty_bodies()
    legal_holds_on_missing_versions()
    app = OneServiceModelData(RawUri(SerialDynamoDB(DomainDispatcherApplication(create_backend_app))))
    # Served by waitress, not moto's werkzeug development server, which closes every connection after
    # one answer: each AWS call paid a new connection and moto a new thread (about a sixth of the
    # emulation's time in a rush of envois), and it logged every request under a contended lock.
    # Threads: the SQS long polls of the dispatcher and of the tests each hold one while they wait.
    # (waitress drops request headers whose name holds "_", as AWS's front ends do; moto's werkzeug
    # handler kept them for S3 metadata, which this project does not send in headers.)
    server: Any = waitress.create_server(
        app, host=args.host, port=args.port, threads=64, connection_limit=1000, channel_timeout=300,
        asyncore_use_poll=True, ident="moto",
    )
    # The port is chosen by binding, never guessed beforehand: two emulations cannot share a server.
    print(server.effective_port, flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nobody reads the pipe any more
    server.run()


if __name__ == "__main__":
    main()
