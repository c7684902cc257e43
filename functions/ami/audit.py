"""The append-only audit log: entries hash-chained so that the deposit order can be proven later.

Algorithm (documented for third parties in docs/audit.md):
    hash(entry) = SHA-256 of the UTF-8 canonical JSON of the entry without its "hash" field,
    keys sorted, separators "," and ":", non-ASCII kept; entry["prev_hash"] is the hash of the
    entry with seq - 1, and GENESIS for seq 1.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field

GENESIS = "0" * 64


class AuditEntry(BaseModel):
    seq: int
    at: str  # ISO 8601 UTC, microseconds
    dossier_id: str
    actor: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str = ""

    def canonical(self) -> bytes:
        body = self.model_dump(exclude={"hash"})
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def sealed(self) -> AuditEntry:
        return self.model_copy(update={"hash": hashlib.sha256(self.canonical()).hexdigest()})


def verify_chain(entries: list[AuditEntry]) -> list[str]:
    """Every break in the chain, in French; an empty list means the log is intact."""
    problems: list[str] = []
    prev = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            problems.append(
                f"Entrée {expected_seq} : numéro de séquence {entry.seq} inattendu (entrée manquante ou déplacée)."
            )
        if entry.prev_hash != prev:
            problems.append(f"Entrée {entry.seq} : le hachage précédent ne correspond pas (chaîne rompue).")
        if entry.sealed().hash != entry.hash:
            problems.append(f"Entrée {entry.seq} : le contenu ne correspond pas à son hachage (entrée modifiée).")
        prev = entry.hash
    return problems
