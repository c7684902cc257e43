"""The audit log proves the deposit order: every kind of tampering is caught from the log alone."""

from __future__ import annotations

from typing import Any

from ami.domain.audit import GENESIS, AuditEntry, verify_chain, verify_log, verify_numbering


def chain(specs: list[tuple[str, str, dict[str, Any]]]) -> list[AuditEntry]:
    entries, prev = [], GENESIS
    for seq, (dossier, action, details) in enumerate(specs, start=1):
        e = AuditEntry(
            seq=seq,
            at=f"2026-05-0{1 + seq % 9}T10:00:00.000000+00:00",
            dossier_id=dossier,
            actor="test",
            action=action,
            details=details,
            prev_hash=prev,
        ).sealed()
        entries.append(e)
        prev = e.hash
    return entries


def deposits(order: list[tuple[str, str, int]]) -> list[AuditEntry]:
    """(dossier, sent_at, number) per dossier: an envoi entry, then its numbering entry."""
    specs: list[tuple[str, str, dict[str, Any]]] = []
    for dossier, sent_at, _ in order:
        specs.append((dossier, "envoi", {"envoi_id": f"e-{dossier}", "sent_at": sent_at}))
    for dossier, sent_at, number in sorted(order, key=lambda o: o[2]):
        specs.append(
            (dossier, "numerotation", {"deposit_number": number, "envoi_id": f"e-{dossier}", "sent_at": sent_at})
        )
    return chain(specs)


GOOD = [
    ("a", "2026-05-01T10:00:00.000001+00:00", 1),
    ("b", "2026-05-01T10:00:00.000002+00:00", 2),
    ("c", "2026-05-01T10:00:00.000002+00:00", 3),
]  # b and c tie: envoi id "e-b" < "e-c"


def test_an_intact_log_verifies() -> None:
    assert verify_log(deposits(GOOD)) == []


def test_an_edited_entry_is_detected() -> None:
    entries = deposits(GOOD)
    entries[1] = entries[1].model_copy(update={"actor": "quelqu'un d'autre"})
    assert any("modifiée" in p for p in verify_chain(entries))


def test_a_missing_entry_is_detected() -> None:
    entries = deposits(GOOD)
    del entries[2]
    assert any("manquante" in p or "rompue" in p for p in verify_chain(entries))


def test_reordered_entries_are_detected() -> None:
    entries = deposits(GOOD)
    entries[3], entries[4] = entries[4], entries[3]
    assert verify_chain(entries)


def test_a_resealed_forgery_still_breaks_the_chain() -> None:
    """Editing an entry and recomputing its own hash is not enough: the next entry names the old one."""
    entries = deposits(GOOD)
    entries[1] = entries[1].model_copy(update={"actor": "faussaire"}).sealed()
    assert any("rompue" in p for p in verify_chain(entries))


def test_numbering_gaps_duplicates_and_order_errors_are_reported() -> None:
    gap = [("a", "2026-05-01T10:00:00+00:00", 1), ("b", "2026-05-01T10:00:01+00:00", 3)]
    assert any("manquants" in p for p in verify_numbering(deposits(gap)))
    twice = [("a", "2026-05-01T10:00:00+00:00", 1), ("b", "2026-05-01T10:00:01+00:00", 1)]
    assert any("deux fois" in p for p in verify_numbering(deposits(twice)))
    overtaken = [("a", "2026-05-01T10:00:05+00:00", 1), ("b", "2026-05-01T10:00:01+00:00", 2)]
    assert any("ordre de dépôt" in p for p in verify_numbering(deposits(overtaken)))
    tie_broken_wrongly = [("c", "2026-05-01T10:00:00+00:00", 1), ("b", "2026-05-01T10:00:00+00:00", 2)]
    assert any("ordre de dépôt" in p for p in verify_numbering(deposits(tie_broken_wrongly)))


def test_a_number_without_a_recorded_envoi_is_reported() -> None:
    entries = chain([("a", "numerotation", {"deposit_number": 1, "envoi_id": "x", "sent_at": "t"})])
    assert any("aucun envoi" in p for p in verify_numbering(entries))


def test_an_exported_period_verifies_from_its_anchor() -> None:
    entries = deposits(GOOD)
    period = entries[3:]
    assert verify_log(period, anchor=period[0].prev_hash) == []
    assert verify_chain(period) != []  # without its anchor, a period is not the start of the log
