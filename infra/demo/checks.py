"""What must hold after the demo: numbers consecutive and in deposit order, one email of each kind
per dossier, the bad files in quarantine, the instruction queue in number order, the audit chain
intact, no message in a dead-letter queue and no envoi left without a conclusion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from ami.domain.audit import verify_log
from ami.domain.dispositif import dispositif
from ami.domain.wording import compte

from infra.demo.scenario import DemoDossier

if TYPE_CHECKING:
    from infra.local import LocalRuntime


def check_numbering(numbered: list[dict[str, Any]], dossiers: list[DemoDossier]) -> list[str]:
    problems = []
    numbers = [r["deposit_number"] for r in numbered]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"numéros non consécutifs : {numbers}")
    expected = [d.dossier_id for d in sorted(dossiers, key=lambda d: d.sent_at) if d.expect == "complet"]
    if [r["dossier_id"] for r in numbered] != expected:
        problems.append("les numéros ne suivent pas l'ordre de dépôt")
    return problems


def check_emails(emails: list[Any], numbered: list[dict[str, Any]], dossiers: list[DemoDossier]) -> list[str]:
    problems = []
    mailbox = [e for e in emails if dispositif().mailbox in e.to]
    if len(mailbox) != len(numbered):
        problems.append(f"{len(mailbox)} courriels à la boîte ami.garantie, {len(numbered)} attendus")
    receipts = [e for e in emails if "accusé" in e.subject.lower() or "accuse" in e.subject.lower()]
    if len(receipts) != len(numbered):
        problems.append(f"{len(receipts)} accusés de réception, {len(numbered)} attendus")
    incomplete = [e for e in emails if "incomplet" in e.subject.lower()]
    expected = sum(1 for d in dossiers if d.expect == "incomplet")
    if len(incomplete) != expected:
        problems.append(f"{len(incomplete)} courriels « incomplet », {expected} attendus")
    return problems


def quarantine_listing(runtime: LocalRuntime) -> list[dict[str, str]]:
    s3 = boto3.session.Session().client("s3", endpoint_url=runtime.emulation.endpoint)
    bucket = runtime.stack.physical["QuarantineBucket"]
    out = []
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=obj["Key"])["TagSet"]}
        out.append({"key": obj["Key"], "motif": tags.get("motif", "?"), "size": str(obj["Size"])})
    return out


def peek_work_items(runtime: LocalRuntime) -> list[dict[str, Any]]:
    """The instructors' work list, in number order, as the instruction queue's consumer filled it."""
    return [e.item.model_dump(mode="json") for e in runtime.functions.app.work_list.work_entries()]


def check_audit_and_dlqs(runtime: LocalRuntime) -> list[str]:
    app = runtime.functions.app
    problems = [f"journal d'audit : {p}" for p in verify_log(app.audit_log.audit_entries())]
    sqs = boto3.session.Session().client("sqs", endpoint_url=runtime.emulation.endpoint)
    for name, url in runtime.stack.physical.items():
        if name.endswith("DLQ"):
            count = int(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                    "ApproximateNumberOfMessages"
                ]
            )
            if count:
                problems.append(f"{compte(count, 'message')} dans la file d'erreurs {name}")
    pending = app.sequence.pending_envois()
    if pending:
        problems.append(f"{compte(len(pending), 'envoi')} encore en attente de conclusion")
    return problems


def check_scores(dossiers: list[dict[str, Any]]) -> list[str]:
    """Every criterion of every numbered dossier is evaluated; the only exception allowed is one the grid
    itself cannot feed (the overseas rent ceilings, not entered), and it must say who provides it."""
    problems = []
    for d in dossiers:
        s = d.get("scoring")
        if not s:
            problems.append(f"dossier n° {d['deposit_number']} : pas de score de priorité 2")
            continue
        for c in s["criteres"]:
            if c["statut"] == "evalue":
                continue
            if c["a_fournir_par"] != "exploitation" or c["code"] != "niveau_loyer":
                problems.append(f"dossier n° {d['deposit_number']} : critère {c['code']} non évalué "
                                f"({c['explication']})")
    return problems
