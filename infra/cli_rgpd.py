"""`ami rgpd`: what the service holds about a bailleur's users (export), and the erasure of their
personal data where no legal obligation keeps it (docs/rgpd.md)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from ami.domain.wording import compte

if TYPE_CHECKING:
    from ami.services.rgpd import Erasure

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
    siren: str | None = typer.Option(None, "--siren", help="SIREN du bailleur : tous ses utilisateurs."),
    email: str | None = typer.Option(None, "--email", help="Adresse d'une personne : elle seule (son compte, son "
                                                          "inscription en attente, l'adresse de contact si c'est la "
                                                          "sienne)."),
    demande: str = typer.Option(..., "--demande", help="Référence de la demande (n° de ticket du DPO), sans nom ni "
                                                      "adresse : elle est inscrite au journal d'audit."),
    oui: bool = typer.Option(False, "--oui", help="Ne pas demander de confirmation."),
) -> None:
    """Efface les données personnelles des utilisateurs d'un bailleur (--siren) ou d'une personne (--email) ; les
    dossiers, les pièces déposées et le journal d'audit sont conservés (preuve du dépôt)."""
    if (siren is None) == (email is None):
        console.print("[red]Indiquez soit --siren (un bailleur), soit --email (une personne).[/red]")
        raise typer.Exit(2)
    if not re.fullmatch(r"[A-Za-z0-9._/-]{1,64}", demande) or "@" in demande:
        console.print("[red]La référence de la demande : lettres, chiffres, « . _ / - », 64 caractères au plus.[/red]")
        raise typer.Exit(2)
    if email is not None:
        _effacer_personne(email, demande, oui)
        return
    siren = _siren(str(siren))
    if not oui:
        typer.confirm(f"Effacer les données personnelles des utilisateurs du bailleur {siren} ?", abort=True)
    _report(services().rgpd.erase(siren, demande))


@rgpd_app.command("purger")
def purger() -> None:
    """Supprime les comptes des inscriptions jamais confirmées dont le code a expiré (adresse et mot de passe) :
    le TTL de la table supprime l'inscription en attente, pas le compte Cognito qu'elle a créé."""
    n = services().rgpd.purge_unconfirmed()
    console.print(f"{compte(n, 'compte non confirmé supprimé', 'comptes non confirmés supprimés')}.")


def _effacer_personne(email: str, demande: str, oui: bool) -> None:
    from ami.services.rgpd import StaffAccount

    if not re.fullmatch(r"[^@\s\"\\]+@[^@\s\"\\]+", email.strip()):
        console.print("[red]L'adresse électronique n'est pas valide.[/red]")
        raise typer.Exit(2)
    if not oui:
        typer.confirm("Effacer les données personnelles liées à cette adresse ?", abort=True)
    try:
        done = services().rgpd.erase_person(email, demande)
    except StaffAccount as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    if not done.siren:  # nobody: no account, no inscription
        console.print(done.notes[0])
        return
    _report(done, personne=True)


def _report(done: Erasure, personne: bool = False) -> None:
    """What one erasure did, counts only (no address: the output may be kept with the request)."""
    siren = done.siren
    untouched = "non concernée" if personne else "déjà effacée"
    if done.entree_journal is None:
        console.print(f"Bailleur {siren} : rien à effacer.")
    else:
        inscriptions = compte(done.inscriptions_supprimees, "inscription en attente supprimée",
                              "inscriptions en attente supprimées")
        console.print(
            f"Bailleur {siren} : {compte(done.comptes_supprimes, 'compte supprimé', 'comptes supprimés')}, "
            f"{inscriptions}, adresse de contact {'effacée' if done.contact_efface else untouched} ; "
            f"entrée n° {done.entree_journal} de la chaîne bailleur/{siren} du journal d'audit."
        )
    if done.entrees_nominatives:
        n = done.entrees_nominatives
        said = (f"{compte(n, 'entrée')} du journal {'antérieure' if n < 2 else 'antérieures'} à la pseudonymisation "
                f"{'nomme' if n < 2 else 'nomment'} encore une adresse : "
                f"{'conservée' if n < 2 else 'conservées'}, la réécrire romprait la chaîne (docs/rgpd.md).")
        console.print(f"[yellow]{said}[/yellow]")
    errors = [n for n in done.notes if n != "Rien à effacer."]
    for note in errors:
        console.print(f"[red]{note}[/red]")
    if errors:
        raise typer.Exit(1)
