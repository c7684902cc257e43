"""SES mailer: sends the composed emails through Amazon SES (or its local emulation); an email with
attachments (the acte for the Banque des Territoires) leaves as a raw MIME message."""

from __future__ import annotations

from ami.adapters.aws import Aws, default_aws
from ami.domain.notifications import Email


class SesMailer:
    def __init__(self, sender: str, aws: Aws | None = None) -> None:
        self.sender = sender
        self._aws = aws or default_aws()

    def send(self, email: Email) -> str:
        if email.attachments:
            return self._send_raw(email)
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

    def _send_raw(self, email: Email) -> str:
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["Subject"] = email.subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(email.to)
        msg.set_content(email.text)
        msg.add_alternative(email.html, subtype="html")
        for a in email.attachments:
            maintype, _, subtype = a.content_type.partition("/")
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
        response = self._aws.client("ses").send_raw_email(
            Source=self.sender, Destinations=list(email.to), RawMessage={"Data": msg.as_bytes()}
        )
        return str(response["MessageId"])
