"""`ami audit`: prove the deposit order from the hash-chained audit log (docs/audit.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from ami.domain.audit import AuditEntry
from ami.domain.wording import compte
from rich.table import Table

from infra.cli_common import console, services

audit_app = typer.Typer(help="Le journal d'audit chaîné : vérification et export.", no_args_is_help=True)


def _live_entries() -> list[AuditEntry]:
    entries: list[AuditEntry] = services().audit_log.audit_entries()
    return entries


@audit_app.command("verify")
def verify(
    file: Path | None = typer.Option(
        None, "--file", help="Un export JSON Lines (sinon : le journal de la pile locale)."
    ),
) -> None:
    """Recalcule la chaîne de hachage et la numérotation à partir du journal seul."""
    from ami.domain.audit import GENESIS, verify_log

    if file is None:
        entries, anchor, head = _live_entries(), GENESIS, None
    else:
        entries = [AuditEntry.model_validate_json(line) for line in file.read_text("utf-8").splitlines() if line]
        meta_file = file.with_suffix(".head.json")
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.exists() else {}
        anchor, head = meta.get("anchor", GENESIS), meta.get("head_hash")
    problems = verify_log(entries, anchor)
    if head is not None and entries and entries[-1].hash != head:
        problems.append("Le hachage de tête publié ne correspond pas à la dernière entrée.")
    numbers = [int(e.details["deposit_number"]) for e in entries if e.action == "numerotation"]
    table = Table(title="Vérification du journal d'audit", show_header=False)
    table.add_row("Entrées", str(len(entries)))
    table.add_row("Numéros de dépôt", f"{len(numbers)} (dernier : {max(numbers) if numbers else '—'})")
    table.add_row("Hachage de tête", entries[-1].hash if entries else "—")
    console.print(table)
    if problems:
        for p in problems:
            console.print(f"[red]✗ {p}[/red]")
        raise typer.Exit(1)
    console.print("[green]✓ Chaîne intègre ; numéros continus, uniques et dans l'ordre de dépôt.[/green]")


@audit_app.command("export")
def export(
    output: Path = typer.Option(..., "-o", "--output", help="Fichier JSON Lines à écrire."),
    du: str | None = typer.Option(None, "--du", help="Premier jour (AAAA-MM-JJ, UTC)."),
    au: str | None = typer.Option(None, "--au", help="Dernier jour inclus (AAAA-MM-JJ, UTC)."),
) -> None:
    """Écrit le journal d'une période en JSON Lines, et à côté son ancre et son hachage de tête."""
    entries = _live_entries()
    start = date.fromisoformat(du) if du else None
    end = date.fromisoformat(au) if au else None
    chosen = [
        e
        for e in entries
        if (start is None or date.fromisoformat(e.at[:10]) >= start)
        and (end is None or date.fromisoformat(e.at[:10]) <= end)
    ]
    output.write_text("".join(e.model_dump_json() + "\n" for e in chosen), encoding="utf-8")
    meta = {
        "entries": len(chosen),
        "first_seq": chosen[0].seq if chosen else None,
        "last_seq": chosen[-1].seq if chosen else None,
        "anchor": chosen[0].prev_hash if chosen else None,
        "head_hash": chosen[-1].hash if chosen else None,
        "algorithm": "SHA-256 du JSON canonique de l'entrée sans « hash » (clés triées, séparateurs , et :, UTF-8) ; "
        "prev_hash = hash de l'entrée précédente (docs/audit.md)",
    }
    output.with_suffix(".head.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    console.print(f"{compte(len(chosen), 'entrée écrite', 'entrées écrites')} dans {output} ; tête {meta['head_hash']}")
