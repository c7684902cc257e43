"""The sample events in events/ are what the handlers accept: each parses with the handler's model."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
FAKE_ENV = {
    "DOSSIERS_TABLE": "d",
    "COUNTERS_TABLE": "c",
    "AUDIT_TABLE": "a",
    "IDEMPOTENCY_TABLE": "i",
    "DEPOSITS_BUCKET": "b",
    "QUARANTINE_BUCKET": "q",
    "COMPLETENESS_QUEUE_URL": "https://sqs/c.fifo",
    "SCORING_QUEUE_URL": "https://sqs/s.fifo",
    "NOTIFICATIONS_QUEUE_URL": "https://sqs/n",
    "INSTRUCTION_QUEUE_URL": "https://sqs/i.fifo",
    "SENDER_EMAIL": "x@example.org",
    "PLATEFORME_URL": "https://ami.example.org",
    "USER_POOL_ID": "eu-west-3_x",
    "USER_POOL_CLIENT_IDS": "client",
    "SCORING_DLQ_URL": "https://sqs/s-dlq.fifo",
    "SIRENE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-3:000000000000:secret:sirene",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "POWERTOOLS_METRICS_NAMESPACE": "test",
}


@pytest.fixture
def handler_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ModuleType]]:
    for k, v in FAKE_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.syspath_prepend(str(ROOT / "functions"))


    def load(name: str) -> ModuleType:
        # Handlers read their settings at import: the first import happens under this environment (a module
        # another test imported already is the same code: only its record models are used here).
        return importlib.import_module(name)

    yield load


def records(name: str) -> list[dict[str, Any]]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))["Records"]


def test_intake_events_parse(handler_module: Callable[[str], ModuleType]) -> None:
    app = handler_module("intake.app")
    upload = app.UploadRecord.model_validate(records("intake_s3_upload.json")[0])
    obj = upload.body.Records[0].s3.object
    assert obj.versionId and obj.key.startswith("bailleurs/")
    test_event = app.UploadRecord.model_validate(records("intake_s3_test_event.json")[0])
    assert isinstance(test_event.body, app.S3TestEvent)


def test_queue_events_parse_into_domain_messages(handler_module: Callable[[str], ModuleType]) -> None:
    completeness = handler_module("completeness.app").CompletenessRecord.model_validate(
        records("completeness_fifo.json")[0]
    )
    assert completeness.body.cause == "envoi"
    assert completeness.attributes.MessageGroupId == completeness.body.dossier_id
    scoring = handler_module("scoring.app").DepositRecord.model_validate(records("scoring_fifo.json")[0])
    assert scoring.body.deposit_number == 1 and scoring.attributes.MessageGroupId == "depots"
    notify = handler_module("notify.app").NotificationRecord.model_validate(records("notify_sqs.json")[0])
    assert notify.body.kind == "accuse_reception"


def test_the_api_event_names_a_route_of_the_app(handler_module: Callable[[str], ModuleType]) -> None:
    app = handler_module("api.app").app
    event = json.loads((EVENTS / "api_envoi.json").read_text(encoding="utf-8"))
    assert event["requestContext"]["resourcePath"] in app.routes
    assert event["httpMethod"] in app.routes[event["requestContext"]["resourcePath"]]
