"""The local emulation's changes to moto (infra/moto_server.py) keep DynamoDB's and SQS's behaviour:
transactions all or nothing, queries in key order page by page, FIFO deduplication and queue counts;
and its server keeps connections open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local import Emulation
from infra.provision import REGION

TABLE = "transactions"


@pytest.fixture(scope="module")
def emulation() -> Iterator[Emulation]:
    emulation = Emulation()
    emulation.start()
    try:
        yield emulation
    finally:
        emulation.stop()


def connect(emulation: Emulation, service: str) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=emulation.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def ddb(emulation: Emulation) -> Any:
    client = connect(emulation, "dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def key(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "P"}, "sk": {"S": sk}}


def items(ddb: Any) -> dict[str, dict[str, Any]]:
    found = ddb.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "P"}}
    )["Items"]
    return {i["sk"]["S"]: i for i in found}


def test_a_cancelled_transaction_leaves_every_item_as_it_was(ddb: Any) -> None:
    ddb.put_item(TableName=TABLE, Item={**key("updated"), "n": {"N": "1"}, "tags": {"L": [{"S": "a"}]}})
    ddb.put_item(TableName=TABLE, Item={**key("deleted"), "n": {"N": "2"}})
    ddb.put_item(TableName=TABLE, Item={**key("replaced"), "n": {"N": "3"}})
    before = items(ddb)

    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                # applied by moto before the failing condition is reached: each must be undone
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key("updated"),
                        "UpdateExpression": "SET n = n + :one, tags = list_append(tags, :b)",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":b": {"L": [{"S": "b"}]}},
                    }
                },
                {"Delete": {"TableName": TABLE, "Key": key("deleted")}},
                {"Put": {"TableName": TABLE, "Item": {**key("replaced"), "n": {"N": "30"}}}},
                {"Put": {"TableName": TABLE, "Item": {**key("created"), "n": {"N": "4"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": key("absent"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )

    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    codes = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert codes == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert items(ddb) == before


def test_a_transaction_that_succeeds_writes_everything(ddb: Any) -> None:
    ddb.put_item(TableName=TABLE, Item={**key("counter"), "n": {"N": "7"}})
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": key("counter"),
                    "UpdateExpression": "SET n = :eight",
                    "ConditionExpression": "n = :seven",
                    "ExpressionAttributeValues": {":seven": {"N": "7"}, ":eight": {"N": "8"}},
                }
            },
            {"Put": {"TableName": TABLE, "Item": {**key("number-8"), "n": {"N": "8"}}}},
        ]
    )
    after = items(ddb)
    assert after["counter"]["n"] == {"N": "8"}
    assert after["number-8"]["n"] == {"N": "8"}



def test_a_query_reads_its_partition_in_key_order_page_by_page(ddb: Any) -> None:
    for pk in ("A", "Q", "Z"):
        ddb.batch_write_item(
            RequestItems={
                TABLE: [
                    {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": f"{k:03d}"}, "n": {"N": str(k)}}}}
                    for k in (5, 1, 9, 3, 7)
                ]
            }
        )
    pages, start = [], {}
    while True:
        page = ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p AND sk >= :from",
            ExpressionAttributeValues={":p": {"S": "Q"}, ":from": {"S": "003"}},
            Limit=2,
            **start,
        )
        pages.append([i["sk"]["S"] for i in page["Items"]])
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert [sk for page in pages for sk in page] == ["003", "005", "007", "009"]
    assert pages[0] == ["003", "005"]
    empty = ddb.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "absent"}}
    )
    assert empty["Items"] == []


def test_a_query_on_a_numeric_sort_key_reads_in_number_order(emulation: Emulation) -> None:
    """The partition is put in key order by the plain value before moto's sort: numbers compare as numbers
    (10 after 9), not as text, and a descending query reverses them."""
    client = connect(emulation, "dynamodb")
    client.create_table(
        TableName="numbers",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in ("10", "9", "-2", "100", "2.5", "0"):
        client.put_item(TableName="numbers", Item={"pk": {"S": "P"}, "n": {"N": n}})

    def read(forward: bool, limit: int = 10) -> list[str]:
        page = client.query(TableName="numbers", KeyConditionExpression="pk = :p", Limit=limit,
                            ExpressionAttributeValues={":p": {"S": "P"}}, ScanIndexForward=forward)
        return [i["n"]["N"] for i in page["Items"]]

    assert read(True) == ["-2", "0", "2.5", "9", "10", "100"]
    assert read(False) == ["100", "10", "9", "2.5", "0", "-2"]
    assert read(True, limit=2) == ["-2", "0"]


def test_a_condition_text_used_again_is_checked_against_its_own_values(ddb: Any) -> None:
    """Parsed conditions are kept by text, names and values: the same text with other values (or other
    names) is another condition, and a condition that failed fails again."""
    ddb.put_item(TableName=TABLE, Item={**key("versioned"), "v": {"N": "1"}, "w": {"N": "5"}})

    def bump(expected: str, name: str = "v") -> None:
        ddb.transact_write_items(TransactItems=[{
            "Update": {
                "TableName": TABLE,
                "Key": key("versioned"),
                "UpdateExpression": "SET #a = #a + :one",
                "ConditionExpression": "#a = :expected",
                "ExpressionAttributeNames": {"#a": name},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":expected": {"N": expected}},
            }
        }])

    bump("1")
    for stale in ("1", "1"):  # the very same request as the one that succeeded: now stale, each time
        with pytest.raises(ClientError) as refused:
            bump(stale)
        assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    bump("2")
    bump("5", name="w")  # same text and values' names, another attribute
    with pytest.raises(ClientError):
        bump("5", name="w")
    after = items(ddb)["versioned"]
    assert (after["v"], after["w"]) == ({"N": "3"}, {"N": "6"})
    with pytest.raises(ClientError) as refused:  # a plain conditional put with a condition already seen
        ddb.put_item(TableName=TABLE, Item={**key("versioned"), "v": {"N": "0"}},
                     ConditionExpression="#a = :expected", ExpressionAttributeNames={"#a": "v"},
                     ExpressionAttributeValues={":expected": {"N": "2"}})
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_items_come_back_as_they_were_written_whatever_their_types(ddb: Any) -> None:
    """Attribute values are written into answers as they are (binary ones still through moto's serializer):
    every type, nested, comes back unchanged by GetItem, BatchGetItem and Query."""
    values = {
        "s": {"S": "é « x »"},
        "n": {"N": "-12.50"},
        "t": {"BOOL": False},
        "z": {"NULL": True},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "l": {"L": [{"S": "x"}, {"M": {"k": {"N": "1"}, "e": {"L": []}}}, {"BOOL": True}]},
        "m": {"M": {"inner": {"M": {}}, "s": {"S": ""}}},
    }
    binary = {"b": {"B": b"\x00\xffbytes"}, "nested": {"L": [{"B": b"\x01"}, {"S": "y"}]}}
    ddb.put_item(TableName=TABLE, Item={**key("types"), **values})
    ddb.put_item(TableName=TABLE, Item={**key("binary"), **binary})

    got = ddb.get_item(TableName=TABLE, Key=key("types"), ConsistentRead=True)["Item"]
    assert got == {**key("types"), **values}
    batch = ddb.batch_get_item(RequestItems={TABLE: {"Keys": [key("types"), key("binary")]}})["Responses"][TABLE]
    assert sorted(batch, key=lambda i: i["sk"]["S"]) == [{**key("binary"), **binary}, {**key("types"), **values}]
    assert items(ddb)["types"] == {**key("types"), **values}


def test_sends_still_deduplicate_and_the_counts_stay_right(emulation: Emulation) -> None:
    sqs = connect(emulation, "sqs")
    fifo = sqs.create_queue(QueueName="sends.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    by_content = sqs.create_queue(
        QueueName="content.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    standard = sqs.create_queue(QueueName="standard")["QueueUrl"]

    def entry(k: int, body: str, dedup: str | None = None) -> dict[str, str]:
        e = {"Id": str(k), "MessageBody": body, "MessageGroupId": "g"}
        return e | ({"MessageDeduplicationId": dedup} if dedup else {})

    sqs.send_message_batch(QueueUrl=fifo, Entries=[entry(k, f"m{k}", f"d{k % 3}") for k in range(6)])
    sqs.send_message(QueueUrl=fifo, MessageBody="again", MessageGroupId="g", MessageDeduplicationId="d0")
    sqs.send_message_batch(QueueUrl=by_content, Entries=[entry(k, "same body") for k in range(4)])
    sqs.send_message_batch(QueueUrl=standard, Entries=[{"Id": str(k), "MessageBody": "x"} for k in range(4)])
    with pytest.raises(ClientError):  # a FIFO queue without content deduplication needs the id
        sqs.send_message(QueueUrl=fifo, MessageBody="no id", MessageGroupId="g")

    def waiting(url: str) -> int:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"])

    assert [waiting(u) for u in (fifo, by_content, standard)] == [3, 1, 4]
    got = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["m0", "m1", "m2"]
    attrs = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "3"


def test_a_client_keeps_its_connection_from_one_call_to_the_next(emulation: Emulation, ddb: Any) -> None:
    """moto's own development server closed every connection after one answer: each AWS call paid a
    new connection (and moto a new thread). The emulation keeps it open, as AWS does, across services
    and across calls that send a body (PutItem, PutObject) or none (HeadObject)."""
    import logging

    s3 = connect(emulation, "s3")
    s3.create_bucket(Bucket="connexions", CreateBucketConfiguration={"LocationConstraint": REGION})
    opened: list[str] = []

    class Opened(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if "Starting new HTTP" in message or "Resetting dropped connection" in message:
                opened.append(message)

    urllib3_log = logging.getLogger("urllib3.connectionpool")
    handler, level = Opened(), urllib3_log.level
    urllib3_log.addHandler(handler)
    urllib3_log.setLevel(logging.DEBUG)
    try:
        for n in range(5):
            ddb.put_item(TableName=TABLE, Item={"pk": {"S": "connexion"}, "sk": {"S": str(n)}})
            s3.put_object(Bucket="connexions", Key=f"k{n}", Body=b"x" * 1000)
            s3.head_object(Bucket="connexions", Key=f"k{n}")
    finally:
        urllib3_log.removeHandler(handler)
        urllib3_log.setLevel(level)
    assert opened == []  # both clients had their connection from the calls above; none was opened again


def test_an_index_page_holds_the_projected_attributes_only(emulation: Emulation) -> None:
    client = connect(emulation, "dynamodb")
    client.create_table(
        TableName="projections",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in (("pk", "S"), ("g", "S"),
                                                                                   ("n", "N"))],
        GlobalSecondaryIndexes=[
            {"IndexName": name, "Projection": projection,
             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}]}
            for name, projection in (("Small", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["s"]}),
                                     ("Whole", {"ProjectionType": "ALL"}))
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for start in range(0, 300, 25):  # 300 items of 10 kB: 3 MB in the table, 300 small summaries in "Small"
        client.batch_write_item(RequestItems={"projections": [
            {"PutRequest": {"Item": {"pk": {"S": f"p{n}"}, "g": {"S": "G"}, "n": {"N": str(n)},
                                     "s": {"S": f"résumé {n}"}, "doc": {"S": "x" * 10_000}}}}
            for n in range(start, start + 25)]})

    def pages(index: str) -> list[int]:
        sizes, start = [], {}
        while True:
            page = client.query(TableName="projections", IndexName=index, KeyConditionExpression="g = :g",
                                ExpressionAttributeValues={":g": {"S": "G"}}, **start)
            sizes.append(len(page["Items"]))
            if "LastEvaluatedKey" not in page:
                return sizes
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    assert pages("Small") == [300]  # DynamoDB's 1 MB counts the index's items: one page
    whole = pages("Whole")
    assert len(whole) >= 3 and sum(whole) == 300  # the whole items: about 100 a page of 1 MB


def test_a_legal_hold_on_a_version_not_there_answers_as_s3_does(emulation: Emulation) -> None:
    s3 = connect(emulation, "s3")
    bucket = "depots-verrouilles"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION},
                     ObjectLockEnabledForBucket=True)
    version = s3.put_object(Bucket=bucket, Key="piece.pdf", Body=b"%PDF-1.7")["VersionId"]
    s3.put_object_legal_hold(Bucket=bucket, Key="piece.pdf", VersionId=version, LegalHold={"Status": "ON"})
    held = s3.get_object_legal_hold(Bucket=bucket, Key="piece.pdf", VersionId=version)
    assert held["LegalHold"]["Status"] == "ON"
    for key, version_id, code in (("piece.pdf", "v-absente", "NoSuchVersion"), ("absente.pdf", "v-x", "NoSuchKey")):
        with pytest.raises(ClientError) as refused:
            s3.put_object_legal_hold(Bucket=bucket, Key=key, VersionId=version_id, LegalHold={"Status": "ON"})
        assert refused.value.response["Error"]["Code"] == code


def test_receives_and_attribute_reads_count_once_and_stay_right(emulation: Emulation) -> None:
    """`reads_without_recounting`: the retention check reads the queue's period, GetQueueAttributes builds
    the attributes once per call; what a client receives and the counts it reads are unchanged."""
    sqs = connect(emulation, "sqs")
    url = sqs.create_queue(QueueName="receives.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "MessageRetentionPeriod": "60"})["QueueUrl"]
    for g in range(3):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(k), "MessageBody": f"g{g}-m{k}", "MessageGroupId": f"g{g}"} for k in range(10)])
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "MessageRetentionPeriod"]
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert before == {"ApproximateNumberOfMessages": "30", "ApproximateNumberOfMessagesNotVisible": "0",
                      "MessageRetentionPeriod": "60"}
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == [f"g0-m{k}" for k in range(10)]  # one group at a time, in order
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert (after["ApproximateNumberOfMessages"], after["ApproximateNumberOfMessagesNotVisible"]) == ("20", "10")
    assert int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
        "ApproximateNumberOfMessages"]) == 20


def test_a_message_past_its_queue_retention_is_not_kept() -> None:
    from types import SimpleNamespace

    from infra.moto_server import retained

    queue, message = SimpleNamespace(message_retention_period=60), SimpleNamespace(sent_timestamp=1_000_000)
    assert retained(queue, message, 1_000 + 59.9)
    assert not retained(queue, message, 1_000 + 60)


def test_the_emails_are_read_without_listing_every_other_service(emulation: Emulation) -> None:
    """`/moto-api/data.json?service=ses` lists SES's models alone (the captured emails), whatever else the
    emulation holds; without `service`, moto's own listing of every service."""
    from infra.mailbox import captured_emails

    ses, s3 = connect(emulation, "ses"), connect(emulation, "s3")
    s3.create_bucket(Bucket="lourd", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="lourd", Key="piece.pdf", Body=b"%PDF" + b"x" * 100_000)
    ses.verify_email_identity(EmailAddress="ami@example.org")
    ses.send_email(Source="ami@example.org", Destination={"ToAddresses": ["b@example.org"]},
                   Message={"Subject": {"Data": "Accusé n° 7"}, "Body": {"Text": {"Data": "corps"}}})

    import json
    import urllib.request

    with urllib.request.urlopen(f"{emulation.endpoint}/moto-api/data.json?service=ses", timeout=10) as r:
        only = json.load(r)
    assert list(only) == ["ses"]
    assert [e.subject for e in captured_emails(emulation.endpoint)] == ["Accusé n° 7"]
    assert [e.to for e in captured_emails(emulation.endpoint)] == [("b@example.org",)]
    with urllib.request.urlopen(f"{emulation.endpoint}/moto-api/data.json", timeout=10) as r:
        everything = json.load(r)
    assert {"ses", "s3"} <= set(everything)
