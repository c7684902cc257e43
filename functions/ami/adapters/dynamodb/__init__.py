"""The DynamoDB adapters, one module per concern:

- `dossiers`  bailleurs, dossiers, pieces, scores (the `Dossiers` port)
- `sequence`  reservations, pending envois, lease, counter, conclusions (`DepositSequence`)
- `outbox`    what committed transactions must send (`Outbox`)
- `worklist`  the instructors' work list: entries claimed with a lease, in number order (`WorkList`)
- `lifecycle` the steps after instruction, each with its audit entry, emails and envelope release
- `audit`     the hash-chained audit log: one chain per dossier and the numbering's chain, each
              entry written in the same transaction as its change

A change that spans them (an envoi: dossier + pending envoi + audit entry; a numbering: counter +
dossiers + audit entries + outbox) is one transaction, so `Store` is the tables seen through every
port at once; each port's adapter is also usable alone.
"""

from ami.adapters.dynamodb.audit import AuditChain
from ami.adapters.dynamodb.dossiers import DynamoDossiers
from ami.adapters.dynamodb.lifecycle import DynamoLifecycle
from ami.adapters.dynamodb.outbox import DynamoOutbox, OutboxItem
from ami.adapters.dynamodb.sequence import DynamoDepositSequence
from ami.adapters.dynamodb.worklist import DynamoWorkList


class Store(DynamoDepositSequence, DynamoWorkList, DynamoLifecycle):
    """Dossiers, deposit sequence, outbox, audit chain, work list and lifecycle of one stack."""


__all__ = [
    "AuditChain",
    "DynamoDepositSequence",
    "DynamoDossiers",
    "DynamoLifecycle",
    "DynamoOutbox",
    "DynamoWorkList",
    "OutboxItem",
    "Store",
]
