"""Messages that can never succeed (issue 16): a poison message at the head of the scoring FIFO group
goes to the DLQ at once, with its reason, and the dossiers behind it are scored; the local dispatcher
fails only the intake record that is not an S3 notification, as Lambda's event source mapping does."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from ami.domain.messages import DEPOSITS_GROUP
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from infra.local import S3EventCompleter


def _take_from(sqs: Any, url: str, wanted: str, timeout: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                     MessageAttributeNames=["All"]).get("Messages", []):
            if m["Body"] == wanted:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                return m
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return None


def test_a_poison_scoring_message_goes_to_the_dlq_at_once(ami, sqs, register_bailleur, upload_good_pieces, settle):
    poison = json.dumps({"pas": "un dépôt numéroté", "essai": uuid.uuid4().hex})
    ami.send("ScoringQueue", poison, group=DEPOSITS_GROUP)  # the deposits' one group, at its head
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    bailleur.send(dossier_id)
    started = time.monotonic()
    settle()
    found = _take_from(sqs, ami.physical["ScoringDLQ"], poison, timeout=10)
    assert found is not None, "the poison message did not reach the DLQ"
    assert "deposit_number" in found["MessageAttributes"]["motif"]["StringValue"]
    assert time.monotonic() - started < 30  # not after five deliveries
    assert any(w["dossier_id"] == dossier_id for w in ami.take_work_items())  # the next dossier went on


def test_a_poison_scoring_message_is_acknowledged_and_a_transient_failure_is_not(ami, sqs):
    poison = "pas du JSON"
    response = ami.invoke("ScoringFunction", [poison])
    assert response == {"batchItemFailures": []}
    assert _take_from(sqs, ami.physical["ScoringDLQ"], poison, timeout=10) is not None
    unknown = json.dumps({"dossier_id": uuid.uuid4().hex, "deposit_number": 10**9,
                          "deposited_at": "2026-05-01T10:00:00+00:00"})
    with pytest.raises(BatchProcessingError):  # a valid message whose dossier is not there (yet): retried
        ami.invoke("ScoringFunction", [unknown])
    assert _take_from(sqs, ami.physical["ScoringDLQ"], unknown, timeout=2) is None


def test_the_dispatcher_leaves_a_body_that_is_not_a_notification_to_the_handler() -> None:
    complete = S3EventCompleter.__new__(S3EventCompleter)
    for body in ("pas du JSON", "[1, 2]", json.dumps({"Records": [{"autre": 1}]})):
        assert complete(body) == body


def test_one_bad_intake_record_fails_alone(ami, register_bailleur):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    key = ami.key(bailleur, dossier_id, "lettre_offre")
    good = ami.s3_notification(key, "null", 10, "0" * 32)
    response = ami.invoke("IntakeFunction", ["pas du JSON", good])
    failures = response["batchItemFailures"]
    assert len(failures) == 1
