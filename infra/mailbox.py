"""The emails that the emulated SES captured (moto keeps them at /moto-api/data.json)."""

from __future__ import annotations

import ast
import html
import json
import re
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class CapturedEmail:
    message_id: str
    source: str
    to: tuple[str, ...]
    subject: str
    body: str  # moto keeps the HTML part when there is one

    @property
    def text(self) -> str:
        """The HTML body as readable text, for the terminal."""
        body = re.sub(r"(?is)<(script|style|head).*?</\1>", "", self.body)
        body = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|h[1-6]|li|table)>", "\n", body)
        body = html.unescape(re.sub(r"<[^>]+>", "", body))
        return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", body)).strip()


def captured_emails(endpoint: str) -> list[CapturedEmail]:
    # SES's models only (infra/moto_server.py): moto's whole listing grows with every object of the run.
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json?service=ses", timeout=10) as response:
        data = json.load(response)
    out = []
    for m in data.get("ses", {}).get("Message", []):
        destinations = m.get("destinations") or {}
        if isinstance(destinations, str):  # moto serialises the dict with repr()
            destinations = ast.literal_eval(destinations)
        out.append(
            CapturedEmail(
                message_id=m.get("id", ""),
                source=m.get("source", ""),
                to=tuple(destinations.get("ToAddresses", [])),
                subject=m.get("subject", ""),
                body=m.get("body", ""),
            )
        )
    return out


def confirmation_code(endpoint: str, address: str) -> str:
    """The latest confirmation code the emulated SES sent to `address` (what a registrant reads)."""
    for email in reversed(captured_emails(endpoint)):
        if address in email.to and "code de confirmation" in email.subject:
            found = re.search(r"code de confirmation : (\d{6})", email.text)
            if found:
                return found.group(1)
    raise LookupError("aucun code de confirmation envoyé à cette adresse")
