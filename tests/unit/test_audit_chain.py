"""The audit log proves the deposit order: every kind of tampering is caught from the log alone.

The log is one chain per dossier and the numbering's chain (issue 16): these tests build both the
way the store writes them, then tamper with them.
"""

from __future__ import annotations

from typing import Any

from ami.domain.audit import (
    GENESIS,
    NUMBERING_CHAIN,
    AuditEntry,
    ChainHead,
    dossier_chain,
    heads,
    heads_digest,
    verify_chain,
    verify_log,
    verify_numbering,
)


def entry(chain: str, head: ChainHead, dossier: str, action: str, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        at=f"2026-05-01T10:00:{head.seq:02d}.000000+00:00",
        dossier_id=dossier,
        actor="test",
        action=action,
        details=details,
        prev_hash=head.hash,
    ).sealed()


def deposits(order: list[tuple[str, str, int]]) -> list[AuditEntry]:
    """(dossier, sent_at, number) per dossier: its chain (creation, envoi), then the numbering chain."""
    entries: list[AuditEntry] = []
    envois: dict[str, AuditEntry] = {}
    for dossier, sent_at, _ in order:
        created = entry(dossier_chain(dossier), ChainHead(), dossier, "creation", {})
        details = {"envoi_id": f"e-{dossier}", "sent_at": sent_at}
        sent = entry(dossier_chain(dossier), created.head, dossier, "envoi", details)
        entries += [created, sent]
        envois[dossier] = sent
    head = ChainHead()
    for dossier, sent_at, number in sorted(order, key=lambda o: o[2]):
        envoi = envois[dossier]
        details = {
            "deposit_number": number,
            "envoi_id": f"e-{dossier}",
            "sent_at": sent_at,
            "envoi_entry": {"seq": envoi.seq, "hash": envoi.hash},
        }
        numbered = entry(NUMBERING_CHAIN, head, dossier, "numerotation", details)
        entries.append(numbered)
        head = numbered.head
    return entries


GOOD = [
    ("a", "2026-05-01T10:00:00.000001+00:00", 1),
    ("b", "2026-05-01T10:00:00.000002+00:00", 2),
    ("c", "2026-05-01T10:00:00.000002+00:00", 3),
]  # b and c tie: envoi id "e-b" < "e-c"


def test_an_intact_log_verifies_whatever_the_order_of_its_lines() -> None:
    entries = deposits(GOOD)
    assert verify_log(entries) == []
    assert verify_log(list(reversed(entries))) == []


def test_an_edited_entry_is_detected() -> None:
    entries = deposits(GOOD)
    entries[1] = entries[1].model_copy(update={"actor": "quelqu'un d'autre"})
    assert any("modifiée" in p for p in verify_chain(entries))


def test_a_missing_entry_is_detected() -> None:
    entries = deposits(GOOD)
    del entries[0]  # the creation of dossier a
    assert any("manquante" in p or "rompue" in p for p in verify_chain(entries))
    numbering = deposits(GOOD)
    del numbering[-2]  # number 2
    assert verify_chain(numbering) and any("manquants" in p for p in verify_numbering(numbering))


def test_reordered_entries_are_detected() -> None:
    """Swapping two entries' places (their seq) breaks their hashes."""
    entries = deposits(GOOD)
    first, second = entries[-3], entries[-2]
    entries[-3] = first.model_copy(update={"seq": second.seq})
    entries[-2] = second.model_copy(update={"seq": first.seq})
    assert verify_chain(entries)


def test_a_resealed_forgery_still_breaks_the_chain() -> None:
    """Editing an entry and recomputing its own hash is not enough: the next entry names the old one."""
    entries = deposits(GOOD)
    entries[1] = entries[1].model_copy(update={"details": {"envoi_id": "e-a", "sent_at": "2026-01-01"}}).sealed()
    problems = verify_log(entries)
    assert any("envoi qu'il désigne" in p for p in problems)


def test_an_entry_moved_to_another_chain_is_detected() -> None:
    entries = deposits(GOOD)
    entries[0] = entries[0].model_copy(update={"chain": dossier_chain("z")})
    assert any("modifiée" in p for p in verify_chain(entries))


def test_numbering_gaps_duplicates_and_order_errors_are_reported() -> None:
    gap = [("a", "2026-05-01T10:00:00+00:00", 1), ("b", "2026-05-01T10:00:01+00:00", 3)]
    assert any("manquants" in p or "inscrit" in p for p in verify_numbering(deposits(gap)))
    overtaken = [("a", "2026-05-01T10:00:05+00:00", 1), ("b", "2026-05-01T10:00:01+00:00", 2)]
    assert any("ordre de dépôt" in p for p in verify_numbering(deposits(overtaken)))
    tie_broken_wrongly = [("c", "2026-05-01T10:00:00+00:00", 1), ("b", "2026-05-01T10:00:00+00:00", 2)]
    assert any("ordre de dépôt" in p for p in verify_numbering(deposits(tie_broken_wrongly)))


def test_a_number_given_twice_is_reported() -> None:
    entries = deposits(GOOD)
    last = entries[-1]
    forged = last.model_copy(update={"details": {**last.details, "deposit_number": 2}}).sealed()
    assert any("deux fois" in p for p in verify_numbering([*entries[:-1], forged]))


def test_a_number_without_a_recorded_envoi_is_reported() -> None:
    details = {"deposit_number": 1, "envoi_id": "x", "sent_at": "t", "envoi_entry": {"seq": 2, "hash": "f" * 64}}
    entries = [entry(NUMBERING_CHAIN, ChainHead(), "a", "numerotation", details)]
    assert any("aucun envoi" in p for p in verify_numbering(entries))


def test_an_exported_period_verifies_from_its_anchors() -> None:
    entries = deposits(GOOD)
    period = [e for e in entries if e.chain == NUMBERING_CHAIN and e.seq >= 2]
    anchors = {NUMBERING_CHAIN: period[0].prev_hash}
    assert verify_log(period, anchors) == []
    assert verify_chain(period) != []  # without its anchor, a period is not the start of the log


def test_the_heads_digest_fixes_every_chain() -> None:
    entries = deposits(GOOD)
    digest = heads_digest(heads(entries))
    assert heads_digest(heads(entries[:-1])) != digest  # the last number removed
    assert heads_digest(heads([e for e in entries if e.dossier_id != "a" or e.action != "envoi"])) != digest
    assert GENESIS not in heads(entries).values()
