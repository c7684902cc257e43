"""notify against the local stack: each notification is sent once; an unusable one ends in the DLQ."""

from __future__ import annotations

import time
import uuid

from ami.domain.models import Notification


def test_the_same_notification_twice_sends_one_email(ami, register_bailleur, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    note = Notification(notification_id=f"essai-{uuid.uuid4().hex}", kind="piece_refusee", dossier_id=dossier_id,
                        details={"piece": "lettre_offre", "reason_code": "chiffre",
                                 "message": "Le fichier est protégé par un mot de passe."})
    for _ in range(2):  # two messages, one notification id
        ami.send("NotificationsQueue", note.model_dump_json())
    settle()

    emails = ami.emails_to(bailleur.email)
    assert len(emails) == 1
    assert "Pièce refusée" in emails[0].subject


def test_a_notification_about_an_unknown_dossier_ends_in_the_dlq(ami, sqs):
    note = Notification(notification_id=f"essai-{uuid.uuid4().hex}", kind="dossier_incomplet",
                        dossier_id=uuid.uuid4().hex)
    ami.send("NotificationsQueue", note.model_dump_json())
    dlq = ami.physical["NotificationsDLQ"]
    deadline = time.monotonic() + 45  # 5 receives, retried after 1 s each
    found = None
    while found is None and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            if Notification.model_validate_json(m["Body"]).notification_id == note.notification_id:
                found = m
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"])
            else:
                sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    assert found is not None, "the notification did not reach the DLQ in time"
