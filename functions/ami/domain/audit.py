"""The append-only audit log: entries hash-chained so that the deposit order can be proven later.

Algorithm (documented for third parties in docs/audit.md):
    hash(entry) = SHA-256 of the UTF-8 canonical JSON of the entry without its "hash" field,
    keys sorted, separators "," and ":", non-ASCII kept; entry["prev_hash"] is the hash of the
    entry with seq - 1, and GENESIS for seq 1.
"""

from __future__ import annotations

import hashlib
import itertools
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


def verify_chain(entries: list[AuditEntry], anchor: str = GENESIS) -> list[str]:
    """Every break in the chain, in French; an empty list means the log is intact.

    `anchor` is the hash before the first entry: GENESIS for the whole log, or the `prev_hash` of
    the first entry of an exported period (whose own integrity the previous export proves).
    """
    problems: list[str] = []
    prev = anchor
    first_seq = entries[0].seq if entries and anchor != GENESIS else 1
    for expected_seq, entry in enumerate(entries, start=first_seq):
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


def verify_numbering(entries: list[AuditEntry], whole_log: bool = True) -> list[str]:
    """Recompute the deposit numbering from the log alone.

    Every number 1..N is given exactly once, to an envoi the log recorded before, and numbers follow
    the deposit order: (server time of envoi, envoi id), the documented tie-break. For an exported
    period (`whole_log=False`) the envois and first numbers may lie before it: numbers must then be
    contiguous from the period's first one.
    """
    problems: list[str] = []
    envois = {e.details.get("envoi_id"): e for e in entries if e.action == "envoi"}
    numbered = [e for e in entries if e.action == "numerotation"]
    seen: dict[int, AuditEntry] = {}
    for e in numbered:
        number = e.details.get("deposit_number")
        if not isinstance(number, int):
            problems.append(f"Entrée {e.seq} : numérotation sans numéro.")
            continue
        if number in seen:
            problems.append(f"Numéro {number} donné deux fois (entrées {seen[number].seq} et {e.seq}).")
        seen[number] = e
        envoi = envois.get(e.details.get("envoi_id"))
        if envoi is None and not whole_log:
            continue
        if envoi is None or envoi.seq > e.seq:
            problems.append(f"Numéro {number} : aucun envoi enregistré avant lui dans le journal.")
        elif envoi.details.get("sent_at") != e.details.get("sent_at") or envoi.dossier_id != e.dossier_id:
            problems.append(f"Numéro {number} : l'heure ou le dossier diffère de l'envoi enregistré.")
    if seen:
        first = 1 if whole_log else min(seen)
        missing = sorted(set(range(first, max(seen) + 1)) - set(seen))
        if missing:
            problems.append(f"Numéros manquants : {', '.join(map(str, missing))}.")
    ordered = [seen[n] for n in sorted(seen)]
    for earlier, later in itertools.pairwise(ordered):
        key = (earlier.details.get("sent_at", ""), earlier.details.get("envoi_id", ""))
        next_key = (later.details.get("sent_at", ""), later.details.get("envoi_id", ""))
        if key > next_key:
            problems.append(
                f"Numéro {later.details['deposit_number']} déposé avant le numéro {earlier.details['deposit_number']} "
                "(ordre de dépôt non respecté)."
            )
        if earlier.seq > later.seq:
            problems.append(f"Numéro {later.details['deposit_number']} inscrit au journal avant le numéro précédent.")
    return problems


def verify_log(entries: list[AuditEntry], anchor: str = GENESIS) -> list[str]:
    """The whole check of `ami audit verify`: the chain, then the numbering."""
    return verify_chain(entries, anchor) + verify_numbering(entries, whole_log=anchor == GENESIS)
