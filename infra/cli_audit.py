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
    """Recalcule les chaînes de hachage et la numérotation à partir du journal seul."""
    from ami.domain.audit import heads, heads_digest, verify_log

    anchors: dict[str, str] = {}
    published: dict[str, str] | None = None
    if file is None:
        entries = _live_entries()
    else:
        entries = [AuditEntry.model_validate_json(line) for line in file.read_text("utf-8").splitlines() if line]
        meta_file = file.with_suffix(".head.json")
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.exists() else {}
        anchors, published = meta.get("anchors") or {}, meta.get("heads")
    problems = verify_log(entries, anchors)
    found = heads(entries)
    if published is not None and published != found:
        changed = sorted(set(published) ^ set(found) | {c for c in published if found.get(c) != published[c]})
        problems.append(
            "Les têtes de chaîne publiées ne correspondent pas aux dernières entrées "
            f"({len(changed)} chaîne{'s' if len(changed) > 1 else ''} : {', '.join(changed[:5])})."
        )
    numbers = [int(e.details["deposit_number"]) for e in entries if e.chain == "numerotation"]
    table = Table(title="Vérification du journal d'audit", show_header=False)
    table.add_row("Entrées", str(len(entries)))
    table.add_row("Chaînes", str(len(found)))
    table.add_row("Numéros de dépôt", f"{len(numbers)} (dernier : {max(numbers) if numbers else '—'})")
    table.add_row("Empreinte des têtes", heads_digest(found) if found else "—")
    console.print(table)
    if problems:
        for p in problems:
            console.print(f"[red]✗ {p}[/red]")
        raise typer.Exit(1)
    console.print("[green]✓ Chaînes intègres ; numéros continus, uniques et dans l'ordre de dépôt.[/green]")


@audit_app.command("export")
def export(
    output: Path = typer.Option(..., "-o", "--output", help="Fichier JSON Lines à écrire."),
    du: str | None = typer.Option(None, "--du", help="Premier jour (AAAA-MM-JJ, UTC)."),
    au: str | None = typer.Option(None, "--au", help="Dernier jour inclus (AAAA-MM-JJ, UTC)."),
) -> None:
    """Écrit le journal d'une période en JSON Lines, et à côté les ancres et les têtes de ses chaînes."""
    from ami.domain.audit import chains, heads, heads_digest

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
    chain_heads = heads(chosen)
    meta = {
        "entries": len(chosen),
        # A chain that began before the period: the hash before its first exported entry.
        "anchors": {name: found[0].prev_hash for name, found in chains(chosen).items() if found[0].seq > 1},
        "heads": chain_heads,
        "heads_digest": heads_digest(chain_heads),
        "algorithm": "SHA-256 du JSON canonique de l'entrée sans « hash » (clés triées, séparateurs , et :, UTF-8) ; "
        "prev_hash = hash de l'entrée précédente de la même chaîne ; empreinte des têtes = SHA-256 du JSON "
        "canonique {chaîne: hash de sa dernière entrée} (docs/audit.md)",
    }
    output.with_suffix(".head.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    console.print(f"{compte(len(chosen), 'entrée écrite', 'entrées écrites')} dans {output} ; "
                  f"empreinte des têtes {meta['heads_digest']}")
