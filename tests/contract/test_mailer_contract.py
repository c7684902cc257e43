"""The `Mailer` port: the in-memory fake and the SES adapter on the emulation agree: each email sent
is delivered once, to its recipients, with its subject as written, and gets a message id of its own."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from ami.adapters.ses import SesMailer
from ami.domain.notifications import Email
from ami.services.ports import Mailer
from fakes import InMemoryMailer

from infra.mailbox import captured_emails

Delivered = Callable[[], list[tuple[str, tuple[str, ...], str]]]  # (message id, to, subject)


@pytest.fixture(params=["memoire", "ses"])
def mailer(request: pytest.FixtureRequest) -> tuple[Mailer, Delivered]:
    if request.param == "memoire":
        fake = InMemoryMailer()
        return fake, lambda: [(i, e.to, e.subject) for i, e in fake.sent]
    env = request.getfixturevalue("emulation")
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    before = {m.message_id for m in captured_emails(endpoint)}

    def delivered() -> list[tuple[str, tuple[str, ...], str]]:
        return [(m.message_id, m.to, m.subject) for m in captured_emails(endpoint) if m.message_id not in before]

    return SesMailer(env.sender_email), delivered


def email(to: str, subject: str) -> Email:
    return Email(to=(to,), subject=subject, text="Bonjour,\n\nTexte.", html="<p>Bonjour,</p><p>Texte.</p>")


def test_each_email_is_delivered_once_with_its_own_id(mailer: tuple[Mailer, Delivered]) -> None:
    m, delivered = mailer
    first = m.send(email("a@example.org", "AMI garantie – premier"))
    second = m.send(email("b@example.org", "AMI garantie – « deuxième » é"))
    assert first and second and first != second
    assert delivered() == [(first, ("a@example.org",), "AMI garantie – premier"),
                           (second, ("b@example.org",), "AMI garantie – « deuxième » é")]
