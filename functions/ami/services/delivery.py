"""Send the emails of one notification, once, even when its message is delivered twice."""

from __future__ import annotations

from ami.domain.models import Notification
from ami.domain.notifications import compose
from ami.services.idempotency import Idempotency
from ami.services.ports import Dossiers, Mailer


class Delivery:
    def __init__(self, dossiers: Dossiers, mailer: Mailer, idempotency: Idempotency, plateforme_url: str = "") -> None:
        self.dossiers = dossiers
        self.plateforme_url = plateforme_url
        self.mailer = mailer
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
        return {"message_ids": [self.mailer.send(email) for email in emails]}
