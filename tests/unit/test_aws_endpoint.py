"""An `Aws` keeps the endpoint it was made for: a client it makes later goes there even if the process's
environment changed in between (a local stack's functions kept talking to an emulation another test had
started and stopped, and their sweep failed on an endpoint nobody listened on)."""

from __future__ import annotations

import pytest
from ami.adapters.aws import default_aws


def test_clients_go_to_the_endpoint_the_aws_was_made_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4001")
    first = default_aws()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4002")
    assert first.client("sqs").meta.endpoint_url == "http://127.0.0.1:4001"
    assert first.table("dossiers").meta.client.meta.endpoint_url == "http://127.0.0.1:4001"
    assert default_aws().client("sqs").meta.endpoint_url == "http://127.0.0.1:4002"
