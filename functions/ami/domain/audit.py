"""The append-only audit log: hash chains that prove the deposit order later (docs/audit.md).

The log is a set of chains, none of which every write shares:
- one chain per dossier (`dossier/<id>`): its creation, edits, envoi, incompleteness, instruction,
  score overrides, each entry written in the same transaction as the change, chained to the
  previous entry of the same dossier (the dossier item holds the chain's head);
- the numbering chain (`numerotation`): entry n gives deposit number n, chained to entry n - 1,
  written by the numbering transaction that moves the deposit counter (which holds its head); it
  names the dossier chain's envoi entry (seq and hash) it numbers.

Algorithm (documented for third parties in docs/audit.md):
    hash(entry) = SHA-256 of the UTF-8 canonical JSON of the entry without its "hash" field,
    keys sorted, separators "," and ":", non-ASCII kept; entry["prev_hash"] is the hash of the
    entry of the same chain with seq - 1, and GENESIS for seq 1.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from ami.domain.base import Model

GENESIS = "0" * 64
NUMBERING_CHAIN = "numerotation"


def dossier_chain(dossier_id: str) -> str:
    return f"dossier/{dossier_id}"


def bailleur_chain(siren: str) -> str:
    """What is done to a bailleur's account itself, not to a dossier (the erasure of its personal data)."""
    return f"bailleur/{siren}"


@dataclass(frozen=True)
class ChainHead:
    """The last entry of one chain (seq 0 and GENESIS before the first)."""

    seq: int = 0
    hash: str = GENESIS


class AuditEntry(Model):
    chain: str
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

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.seq, self.hash)


def chains(entries: Iterable[AuditEntry]) -> dict[str, list[AuditEntry]]:
    """The entries of each chain, in seq order (the order of the lines of an export does not matter:
    an entry's place is its seq, which its hash seals)."""
    by_chain: dict[str, list[AuditEntry]] = defaultdict(list)
    for e in entries:
        by_chain[e.chain].append(e)
    return {name: sorted(found, key=lambda e: e.seq) for name, found in sorted(by_chain.items())}


def heads(entries: Iterable[AuditEntry]) -> dict[str, str]:
    """The hash of the last entry of each chain."""
    return {name: found[-1].hash for name, found in chains(entries).items() if found}


def heads_digest(chain_heads: Mapping[str, str]) -> str:
    """One hash for all the chains' heads: publishing it fixes every chain at once."""
    canonical = json.dumps(dict(sorted(chain_heads.items())), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify_chain(entries: list[AuditEntry], anchors: Mapping[str, str] | None = None) -> list[str]:
    """Every break in the chains, in French; an empty list means the log is intact.

    `anchors` gives, for an exported period, the hash before the first exported entry of each chain
    that started before the period (its own integrity the previous export proves); any other chain
    must start at seq 1 from GENESIS.
    """
    anchors = anchors or {}
    problems: list[str] = []
    for name, found in chains(entries).items():
        label = _label(name)
        prev = anchors.get(name, GENESIS)
        first_seq = found[0].seq if name in anchors else 1
        for expected_seq, entry in enumerate(found, start=first_seq):
            if entry.seq != expected_seq:
                problems.append(
                    f"{label}, entrée {expected_seq} : numéro de séquence {entry.seq} inattendu "
                    "(entrée manquante ou déplacée)."
                )
            if entry.prev_hash != prev:
                problems.append(
                    f"{label}, entrée {entry.seq} : le hachage précédent ne correspond pas (chaîne rompue)."
                )
            if entry.sealed().hash != entry.hash:
                problems.append(
                    f"{label}, entrée {entry.seq} : le contenu ne correspond pas à son hachage (entrée modifiée)."
                )
            prev = entry.hash
    return problems


def _label(chain: str) -> str:
    if chain == NUMBERING_CHAIN:
        return "Chaîne de numérotation"
    if chain.startswith("bailleur/"):
        return f"Bailleur {chain.removeprefix('bailleur/')}"
    return f"Dossier {chain.removeprefix('dossier/')}"


def verify_numbering(entries: list[AuditEntry], whole_log: bool = True) -> list[str]:
    """Recompute the deposit numbering from the log alone.

    Entry n of the numbering chain gives number n, exactly once, to an envoi recorded in its
    dossier's chain (the very entry it names, by seq and hash, with the same envoi id and deposit
    time), and numbers follow the deposit order: (server time of envoi, envoi id), the documented
    tie-break. For an exported period (`whole_log=False`) the envois and first numbers may lie
    before it: numbers must then be contiguous from the period's first one.
    """
    problems: list[str] = []
    by_chain = chains(entries)
    seen: dict[int, AuditEntry] = {}
    for e in by_chain.get(NUMBERING_CHAIN, []):
        number = e.details.get("deposit_number")
        if not isinstance(number, int) or e.action != "numerotation":
            problems.append(f"Chaîne de numérotation, entrée {e.seq} : numérotation sans numéro.")
            continue
        if number in seen:
            problems.append(f"Numéro {number} donné deux fois (entrées {seen[number].seq} et {e.seq}).")
        elif number != e.seq:
            problems.append(f"Numéro {number} inscrit à l'entrée {e.seq} de la chaîne de numérotation.")
        seen[number] = e
        problems += _check_envoi(e, number, by_chain.get(dossier_chain(e.dossier_id), []), whole_log)
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
    return problems


def _check_envoi(numbering: AuditEntry, number: int, dossier: list[AuditEntry], whole_log: bool) -> list[str]:
    """The envoi that numbering entry names is in its dossier's chain, as named."""
    ref = numbering.details.get("envoi_entry") or {}
    envoi = next((x for x in dossier if x.seq == ref.get("seq")), None)
    if envoi is None:
        if not whole_log:
            return []  # recorded before the exported period
        return [f"Numéro {number} : aucun envoi enregistré avant lui dans le journal."]
    if envoi.hash != ref.get("hash") or envoi.action != "envoi":
        return [f"Numéro {number} : l'entrée d'envoi qu'il désigne ne correspond pas au journal du dossier."]
    if (
        envoi.details.get("sent_at") != numbering.details.get("sent_at")
        or envoi.details.get("envoi_id") != numbering.details.get("envoi_id")
    ):
        return [f"Numéro {number} : l'heure ou l'envoi diffère de l'envoi enregistré."]
    return []


def verify_log(entries: list[AuditEntry], anchors: Mapping[str, str] | None = None) -> list[str]:
    """The whole check of `ami audit verify`: the chains, then the numbering."""
    return verify_chain(entries, anchors) + verify_numbering(entries, whole_log=not anchors)
