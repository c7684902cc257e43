"""After numbering: scoring, the bailleur's receipt, the mailbox notice and the instructors' work item.

PLACEHOLDER SCORING: the priority-2 score (housing need of employees) is a later issue. Until then
each numbered dossier is marked `scoring = {"statut": "en_attente", ...}`, which the instructor API
shows as such; nothing pretends to be a score.
"""

from __future__ import annotations

from ami.aws import client
from ami.idempotency import once
from ami.models import DepositNumbered, Notification, WorkItem
from ami.settings import Settings
from ami.store import Store

SCORING_PENDING = {
    "statut": "en_attente",
    "note": "Score de priorité 2 non encore calculé (fonction de notation à venir).",
}


class AfterNumbering:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.s = settings
        self.store = store

    def process(self, event: DepositNumbered) -> dict[str, str]:
        return _process_once(step=self, event=event)

    def run(self, event: DepositNumbered) -> dict[str, str]:
        d = self.store.get_dossier(event.dossier_id)
        if d is None or d.deposit_number != event.deposit_number:
            raise RuntimeError(f"dossier {event.dossier_id} does not carry number {event.deposit_number}")
        if d.scoring is None:
            d = self.store.update_dossier(d.model_copy(update={"scoring": SCORING_PENDING}))
        bailleur = self.store.get_bailleur(d.siren)
        if bailleur is None:
            raise RuntimeError(f"dossier {d.dossier_id} has no registered bailleur")
        sqs = client("sqs")
        for kind in ("accuse_reception", "nouveau_dossier"):
            note = Notification(notification_id=f"{kind}-{d.dossier_id}-{event.deposit_number}", kind=kind,
                                dossier_id=d.dossier_id)
            sqs.send_message(QueueUrl=self.s.notifications_queue_url, MessageBody=note.model_dump_json())
        op = d.form.operation
        item = WorkItem(
            dossier_id=d.dossier_id, deposit_number=event.deposit_number, deposited_at=event.deposited_at,
            siren=d.siren, raison_sociale=bailleur.raison_sociale, commune_insee=op.commune_insee,
            logements=op.logements.total if op.logements else 0, loan_total_eur=d.loan_total,
        )
        # One message group keeps the instructors' queue in deposit-number order.
        sqs.send_message(QueueUrl=self.s.instruction_queue_url, MessageBody=item.model_dump_json(),
                         MessageGroupId="instruction", MessageDeduplicationId=f"{d.dossier_id}-{event.deposit_number}")
        return {"dossier_id": d.dossier_id, "deposit_number": str(event.deposit_number)}


@once(data_keyword_argument="event", event_key_jmespath="[dossier_id, deposit_number]")
def _process_once(*, step: AfterNumbering, event: DepositNumbered) -> dict[str, str]:
    return step.run(event)
