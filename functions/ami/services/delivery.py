"""Send the emails of one notification, once, even when its message is delivered twice."""

from __future__ import annotations

from ami.adapters.dynamodb import Store
from ami.domain.models import Notification
from ami.domain.notifications import Mailer, compose
from ami.services.idempotency import once


class Delivery:
    def __init__(self, store: Store, mailer: Mailer) -> None:
        self.store = store
        self.mailer = mailer

    def process(self, notification: Notification) -> dict[str, list[str]]:
        return _deliver_once(delivery=self, notification=notification)

    def run(self, n: Notification) -> dict[str, list[str]]:
        dossier = self.store.get_dossier(n.dossier_id)
        if dossier is None:
            raise RuntimeError(f"notification {n.notification_id} names an unknown dossier")
        bailleur = self.store.get_bailleur(dossier.siren)
        if bailleur is None:
            raise RuntimeError(f"dossier {dossier.dossier_id} has no registered bailleur")
        return {"message_ids": [self.mailer.send(email) for email in compose(n, dossier, bailleur)]}


@once(data_keyword_argument="notification", event_key_jmespath="notification_id")
def _deliver_once(*, delivery: Delivery, notification: Notification) -> dict[str, list[str]]:
    return delivery.run(notification)
