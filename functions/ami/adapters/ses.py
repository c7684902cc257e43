"""SES mailer: sends the composed emails through Amazon SES (or its local emulation)."""

from __future__ import annotations

from ami.adapters.aws import Aws, default_aws
from ami.domain.notifications import Email


class SesMailer:
    def __init__(self, sender: str, aws: Aws | None = None) -> None:
        self.sender = sender
        self._aws = aws or default_aws()

    def send(self, email: Email) -> str:
        response = self._aws.client("ses").send_email(
            Source=self.sender,
            Destination={"ToAddresses": list(email.to)},
            Message={
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            },
        )
        return str(response["MessageId"])
