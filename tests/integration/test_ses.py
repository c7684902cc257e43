"""The SES adapter sends a composed email as SES receives it (moto's SES backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from ami.adapters.aws import Aws
from ami.adapters.ses import SesMailer
from ami.domain.notifications import compose
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from unit.test_notifications import MAILBOX, make_bailleur, make_dossier, notification, only

# ---------------------------------------------------------------- SES


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    # Nothing from the developer's AWS setup (profile, local endpoint) may reach the mock.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def test_ses_mailer_sends(ses: None) -> None:
    sender = "AMI garantie <ne-pas-repondre@actionlogement.fr>"
    boto3.client("ses", region_name="eu-west-3").verify_email_identity(
        EmailAddress="ne-pas-repondre@actionlogement.fr"
    )
    email = only(compose(notification("nouveau_dossier"), make_dossier(), make_bailleur()))

    message_id = SesMailer(sender, Aws()).send(email)

    assert message_id
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].sent_messages
    assert len(sent) == 1
    assert sent[0].id == message_id
    assert sent[0].source == sender
    assert sent[0].destinations == {"ToAddresses": [MAILBOX]}
    assert sent[0].subject == email.subject
    assert sent[0].body == email.html
