"""Send the emails of one notification, once, even when its message is delivered twice.

A notification that names `pieces_jointes` (the acte for the Banque des Territoires) gets those documents of
the dossier's lifecycle attached, read from the deposits bucket at sending time."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from ami.domain.models import Dossier, Notification
from ami.domain.notifications import Attachment, Email, compose
from ami.services.idempotency import Idempotency
from ami.services.ports import Dossiers, Mailer


class DocumentReader(Protocol):
    def read_document(self, key: str, version_id: str) -> bytes: ...


class Delivery:
    def __init__(self, dossiers: Dossiers, mailer: Mailer, idempotency: Idempotency,
                 documents: Callable[[], DocumentReader] | None = None, plateforme_url: str = "") -> None:
        self.dossiers = dossiers
        self.plateforme_url = plateforme_url
        self.mailer = mailer
        self.documents = documents
        self._once = idempotency.once(self._deliver, data_keyword_argument="notification", key="notification_id")

    def process(self, notification: Notification) -> dict[str, list[str]]:
        sent: dict[str, list[str]] = self._once(notification=notification)
        return sent

    def _deliver(self, *, notification: Notification) -> dict[str, list[str]]:
        n = notification
        dossier = self.dossiers.get_dossier(n.dossier_id)
        if dossier is None:
            raise RuntimeError(f"notification {n.notification_id} names an unknown dossier")
        bailleur = self.dossiers.get_bailleur(dossier.siren)
        if bailleur is None:
            raise RuntimeError(f"dossier {dossier.dossier_id} has no registered bailleur")
        emails = compose(n, dossier, bailleur, self.plateforme_url)
        attached = self._attachments(n, dossier)
        if attached:  # only the external recipient's email (the Banque des Territoires) carries the files
            destinataire = n.details.get("destinataire")
            emails = [dataclasses.replace(e, attachments=attached) if destinataire in e.to else e for e in emails]
        return {"message_ids": [self.mailer.send(email) for email in emails]}

    def _attachments(self, n: Notification, dossier: Dossier) -> tuple[Attachment, ...]:
        kinds = [k for k in n.details.get("pieces_jointes", "").split(",") if k]
        if not kinds:
            return ()
        if self.documents is None:
            raise RuntimeError("this delivery cannot read documents to attach")
        reader = self.documents()
        out = []
        for kind in kinds:
            ref = dossier.suivi.documents.get(kind)
            if ref is None:
                raise RuntimeError(f"notification {n.notification_id}: document {kind} missing")
            out.append(Attachment(ref.nom, "application/pdf", reader.read_document(ref.key, ref.version_id)))
        return tuple(out)


__all__ = ["Delivery", "Email"]
