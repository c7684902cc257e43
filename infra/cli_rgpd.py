"""`ami rgpd`: what the service holds about a bailleur's users (export), and the erasure of their
personal data where no legal obligation keeps it (docs/rgpd.md)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import typer
from ami.domain.wording import compte

from infra.cli_common import console, services

rgpd_app = typer.Typer(help="Données personnelles des utilisateurs d'un bailleur (RGPD) : export, effacement.",
                       no_args_is_help=True)
SIREN = typer.Option(..., "--siren", help="SIREN du bailleur (9 chiffres).")


def _siren(value: str) -> str:
    if not re.fullmatch(r"[0-9]{9}", value):
        console.print("[red]Le SIREN doit compter 9 chiffres.[/red]")
        raise typer.Exit(2)
    return value


@rgpd_app.command("export")
def export(
    siren: str = SIREN,
    output: Path | None = typer.Option(None, "-o", "--output", help="Fichier JSON (sinon la sortie standard)."),
) -> None:
    """Tout ce que le service conserve sur le bailleur et ses utilisateurs, en JSON."""
    data = services().rgpd.export(_siren(siren))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        sys.stdout.write(text + "\n")
        return
    output.write_text(text + "\n", encoding="utf-8")
    console.print(f"Export écrit dans {output} : {compte(len(data['comptes']), 'compte')}, "
                  f"{compte(len(data['dossiers']), 'dossier')}.")


@rgpd_app.command("effacer")
def effacer(
    siren: str = SIREN,
    demande: str = typer.Option(..., "--demande", help="Référence de la demande (n° de ticket du DPO), sans nom ni "
                                                      "adresse : elle est inscrite au journal d'audit."),
    oui: bool = typer.Option(False, "--oui", help="Ne pas demander de confirmation."),
) -> None:
    """Efface l'adresse de contact et les comptes des utilisateurs du bailleur ; les dossiers, les pièces déposées
    et le journal d'audit sont conservés (preuve du dépôt)."""
    siren = _siren(siren)
    if not re.fullmatch(r"[A-Za-z0-9._/-]{1,64}", demande) or "@" in demande:
        console.print("[red]La référence de la demande : lettres, chiffres, « . _ / - », 64 caractères au plus.[/red]")
        raise typer.Exit(2)
    if not oui:
        typer.confirm(f"Effacer les données personnelles des utilisateurs du bailleur {siren} ?", abort=True)
    done = services().rgpd.erase(siren, demande)
    if done.entree_journal is None:
        console.print(f"Bailleur {siren} : rien à effacer.")
    else:
        inscriptions = compte(done.inscriptions_supprimees, "inscription en attente supprimée",
                              "inscriptions en attente supprimées")
        console.print(
            f"Bailleur {siren} : {compte(done.comptes_supprimes, 'compte supprimé', 'comptes supprimés')}, "
            f"{inscriptions}, adresse de contact {'effacée' if done.contact_efface else 'déjà effacée'} ; "
            f"entrée n° {done.entree_journal} de la chaîne bailleur/{siren} du journal d'audit."
        )
    if done.entrees_nominatives:
        n = done.entrees_nominatives
        said = (f"{compte(n, 'entrée')} du journal {'antérieure' if n < 2 else 'antérieures'} à la pseudonymisation "
                f"{'nomme' if n < 2 else 'nomment'} encore une adresse : "
                f"{'conservée' if n < 2 else 'conservées'}, la réécrire romprait la chaîne (docs/rgpd.md).")
        console.print(f"[yellow]{said}[/yellow]")
    for note in done.notes:
        console.print(f"[red]{note}[/red]")
    if done.notes:
        raise typer.Exit(1)
