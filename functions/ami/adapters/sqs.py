"""SQS publisher: sends the service's messages, built by `ami.domain.messages`, to their queues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ami.domain.messages import Message, Queue


def _entry(entry_id: str, m: Message) -> dict[str, Any]:
    entry = {"Id": entry_id, "MessageBody": m.body}
    if m.group_id:
        assert m.dedup_id, "a message to a FIFO queue carries its deduplication id"
        entry |= {"MessageGroupId": m.group_id, "MessageDeduplicationId": m.dedup_id}
    return entry


class SqsPublisher:
    def __init__(self, sqs: Any, queue_urls: Mapping[Queue, str]) -> None:
        self.sqs = sqs
        self.queue_urls = dict(queue_urls)

    def publish(self, messages: Sequence[Message]) -> None:
        """Send in order, ten per SendMessageBatch per queue; raise if SQS refuses any (nothing is
        retried here: the caller's outbox item or message stays and is sent again)."""
        by_queue: dict[Queue, list[Message]] = {}
        for m in messages:
            by_queue.setdefault(m.queue, []).append(m)
        for queue, queued in by_queue.items():
            url = self.queue_urls.get(queue)
            if url is None:
                raise RuntimeError(f"no URL for the {queue} queue in this function's settings (template.yaml)")
            for start in range(0, len(queued), 10):
                entries = [_entry(str(i), m) for i, m in enumerate(queued[start : start + 10])]
                failed = self.sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
                if failed:
                    raise RuntimeError(f"SQS refused {len(failed)} message(s) for {queue}: {failed}")


class SqsDeadLetters:
    """A dead-letter queue the service writes to itself: a message that can never succeed goes there at
    once (with why), instead of blocking its FIFO group through every redelivery."""

    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs = sqs
        self.url = url

    def send(self, body: str, message_id: str, group_id: str | None, reason: str) -> None:
        if not self.url:
            raise RuntimeError("no dead-letter queue configured")
        entry: dict[str, Any] = {
            "QueueUrl": self.url,
            "MessageBody": body,
            "MessageAttributes": {"motif": {"DataType": "String", "StringValue": reason[:1000]}},
        }
        if self.url.endswith(".fifo"):
            entry |= {"MessageGroupId": group_id or "poison", "MessageDeduplicationId": message_id}
        self.sqs.send_message(**entry)
