"""`ami dlq`: the dead-letter queues of the local stack, what waits in them, and sending it back
(docs/runbook.md). The pairs (dead-letter queue → the queue it serves) come from template.yaml."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import typer
from rich.table import Table

from infra.cli_common import console, read_state

dlq_app = typer.Typer(help="Les files de messages en échec : consulter, renvoyer.", no_args_is_help=True)


@functools.cache
def dead_letter_pairs() -> dict[str, str]:
    """Logical id of each dead-letter queue → logical id of the queue that sends to it."""
    from infra.template import load_sam

    pairs: dict[str, str] = {}
    for name, resource in load_sam()["Resources"].items():
        policy = (resource.get("Properties") or {}).get("RedrivePolicy") or {}
        target = policy.get("deadLetterTargetArn")
        if resource.get("Type") == "AWS::SQS::Queue" and target is not None:
            pairs[str(_logical(target))] = name
    return pairs


def _logical(arn: Any) -> str:
    """`!GetAtt X.Arn` as the template loader gives it."""
    value = getattr(arn, "value", arn)
    if isinstance(value, dict):
        value = value.get("Fn::GetAtt", value)
    if isinstance(value, list):
        return str(value[0])
    return str(value).split(".", 1)[0]


def _sqs(state: dict[str, Any]) -> Any:
    import boto3

    from infra.provision import REGION

    return boto3.session.Session().client("sqs", endpoint_url=state["endpoint"], region_name=REGION)


def _queue(name: str) -> str:
    for dlq in dead_letter_pairs():
        if name.lower() in (dlq.lower(), dlq.lower().removesuffix("dlq")):
            return dlq
    known = ", ".join(sorted(dead_letter_pairs()))
    console.print(f"[red]File inconnue « {name} ».[/red] Files en échec : {known}.")
    raise typer.Exit(2)


@dlq_app.command("list")
def list_dlqs(show: int = typer.Option(3, "--show", help="Messages montrés par file (sans les retirer).")) -> None:
    """Le nombre de messages de chaque file en échec, et les premiers avec leur motif."""
    state = read_state()
    sqs = _sqs(state)
    table = Table(title="Files de messages en échec")
    for col in ("File", "Sert", "Messages", "Premiers messages (motif)"):
        table.add_column(col)
    for dlq, source in sorted(dead_letter_pairs().items()):
        url = state["physical"][dlq]
        count = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                    ["Attributes"]["ApproximateNumberOfMessages"])
        shown: list[str] = []
        if count and show:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(show, 10), VisibilityTimeout=0,
                                         MessageAttributeNames=["All"]).get("Messages", []):
                motif = m.get("MessageAttributes", {}).get("motif", {}).get("StringValue", "")
                shown.append(f"{m['MessageId'][:8]} {m['Body'][:60]}" + (f" ({motif[:60]})" if motif else ""))
        table.add_row(dlq, source, str(count), "\n".join(shown))
    console.print(table)


@dlq_app.command("redrive")
def redrive(
    name: str = typer.Argument(..., help="La file en échec (ScoringDLQ, ou scoring)."),
    limit: int = typer.Option(0, "--max", help="Au plus ce nombre de messages (0 : tous)."),
) -> None:
    """Renvoie les messages d'une file en échec vers la file qu'elle sert, dans leur ordre, puis les retire."""
    state = read_state()
    sqs = _sqs(state)
    dlq = _queue(name)
    source_url, dlq_url = state["physical"][dead_letter_pairs()[dlq]], state["physical"][dlq]
    moved = 0
    while not limit or moved < limit:
        batch = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            break
        for m in batch[: limit - moved if limit else None]:
            entry: dict[str, Any] = {"QueueUrl": source_url, "MessageBody": m["Body"]}
            group = m.get("Attributes", {}).get("MessageGroupId")
            if source_url.endswith(".fifo"):
                entry |= {"MessageGroupId": group or "redrive", "MessageDeduplicationId": uuid.uuid4().hex}
            sqs.send_message(**entry)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
            moved += 1
    plural = "s" if moved > 1 else ""
    console.print(f"{moved} message{plural} renvoyé{plural} de {dlq} vers {dead_letter_pairs()[dlq]}.")
