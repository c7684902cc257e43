"""The `DeadLetters` port: the in-memory fake and the SQS adapter on the emulation agree: a message
that can never succeed lands once in the dead-letter queue (the same message id twice is one message),
with its body and the reason it was set aside."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from ami.adapters.aws import default_aws
from ami.adapters.sqs import SqsDeadLetters
from ami.services.ports import DeadLetters
from fakes import InMemoryDeadLetters

Landed = Callable[[], list[tuple[str, str]]]  # (body, reason) of what reached the queue


@pytest.fixture(params=["memoire", "sqs"])
def dead_letters(request: pytest.FixtureRequest) -> tuple[DeadLetters, Landed]:
    if request.param == "memoire":
        fake = InMemoryDeadLetters()
        return fake, lambda: [(body, reason) for body, _, _, reason in fake.sent]
    env = request.getfixturevalue("emulation")
    sqs = default_aws().client("sqs")

    def landed() -> list[tuple[str, str]]:
        out = []
        while msgs := sqs.receive_message(QueueUrl=env.scoring_dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                          MessageAttributeNames=["motif"]).get("Messages", []):
            for m in msgs:
                out.append((m["Body"], m["MessageAttributes"]["motif"]["StringValue"]))
                sqs.delete_message(QueueUrl=env.scoring_dlq_url, ReceiptHandle=m["ReceiptHandle"])
        return out

    landed()  # what earlier cases left
    return SqsDeadLetters(sqs, env.scoring_dlq_url), landed


def test_a_poison_message_lands_once_with_its_reason(dead_letters: tuple[DeadLetters, Landed]) -> None:
    dlq, landed = dead_letters
    message_id = uuid.uuid4().hex
    dlq.send('{"dossier_id": "x"}', message_id, "dossier-x", "corps illisible : « x »")
    dlq.send('{"dossier_id": "x"}', message_id, "dossier-x", "corps illisible : « x »")
    dlq.send('{"dossier_id": "y"}', uuid.uuid4().hex, "dossier-y", "dossier inconnu")
    assert landed() == [('{"dossier_id": "x"}', "corps illisible : « x »"), ('{"dossier_id": "y"}', "dossier inconnu")]
