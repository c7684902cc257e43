"""The `Publisher` port: the in-memory fake and the SQS adapter on the emulation agree on what reaches
each queue, in what order, with which FIFO group; and a FIFO message without its deduplication id is
refused by both before anything is sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ami.bootstrap import sqs_publisher
from ami.domain.messages import Message, Queue
from ami.services.ports import Publisher
from fakes import InMemoryPublisher

Received = Callable[[Queue], list[tuple[str, str | None]]]


@pytest.fixture(params=["memoire", "sqs"])
def publisher(request: pytest.FixtureRequest) -> tuple[Publisher, Received]:
    if request.param == "memoire":
        fake = InMemoryPublisher()
        return fake, lambda q: [(m.body, m.group_id) for m in fake.on(q)]
    env = request.getfixturevalue("emulation")
    from ami.adapters.aws import default_aws

    sqs = default_aws().client("sqs")
    urls: dict[Queue, str] = {"completeness": env.completeness_queue_url, "scoring": env.scoring_queue_url,
            "notifications": env.notifications_queue_url, "instruction": env.instruction_queue_url}
    def received(queue: Queue) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        while True:
            page = sqs.receive_message(QueueUrl=urls[queue], MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       AttributeNames=["MessageGroupId"])
            msgs = page.get("Messages", [])
            if not msgs:
                return out
            for m in msgs:
                out.append((m["Body"], m.get("Attributes", {}).get("MessageGroupId")))
                sqs.delete_message(QueueUrl=urls[queue], ReceiptHandle=m["ReceiptHandle"])

    for queue in urls:
        received(queue)  # what an earlier test left (PurgeQueue is allowed once a minute)
    return sqs_publisher(env), received


def test_messages_reach_their_queue_in_order(publisher: tuple[Publisher, Received]) -> None:
    pub, received = publisher
    scoring = [Message("scoring", f"n{n}", group_id="numeros", dedup_id=f"d{n}") for n in range(1, 13)]
    pub.publish([Message("notifications", "avis", group_id="dossier-1", dedup_id="avis-1"), *scoring])
    assert received("scoring") == [(f"n{n}", "numeros") for n in range(1, 13)]  # more than one batch of ten
    assert received("notifications") == [("avis", "dossier-1")]
    assert received("instruction") == []


def test_a_fifo_message_without_dedup_id_is_refused(publisher: tuple[Publisher, Received]) -> None:
    pub, received = publisher
    with pytest.raises(AssertionError):
        pub.publish([Message("scoring", "sans-dedup", group_id="numeros")])
    assert received("scoring") == []
