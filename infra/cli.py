"""The `ami` command line: run the stack locally, play the demo, read the mailbox, take work items."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Literal

import typer
from ami.domain.wording import compte
from rich.panel import Panel
from rich.table import Table

from infra.cli_audit import audit_app
from infra.cli_ccn import enveloppe, referentiel_app, registre, score_app
from infra.cli_common import STATE, console, progress, read_state
from infra.cli_dlq import dlq_app
from infra.cli_instruction import instruction_app
from infra.cli_piece import piece_app
from infra.cli_rgpd import rgpd_app

# A crash prints where it happened, not the local variables (names, addresses, amounts of the dossiers).
app = typer.Typer(help="AMI garantie : dépôt et instruction des demandes de garantie LLI.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
local_app = typer.Typer(help="La pile complète sur ce poste (émulation AWS embarquée).", no_args_is_help=True)
app.add_typer(local_app, name="local")
app.add_typer(instruction_app, name="instruction")
app.add_typer(audit_app, name="audit")
app.add_typer(piece_app, name="piece")
app.add_typer(dlq_app, name="dlq")
app.add_typer(rgpd_app, name="rgpd")


def _start_runtime(quiet: bool, web_port: int = 0) -> Any:
    from infra.local import LocalRuntime

    log: Callable[[str], None] = (lambda _: None) if quiet else (lambda m: console.print(f"[dim]{m}[/dim]"))
    runtime = LocalRuntime(log=log, log_level="WARNING" if quiet else "INFO", web_port=web_port)
    _CHILDREN.append(runtime)
    with console.status("Démarrage de l'émulation AWS et provisionnement depuis template.yaml…"):
        try:
            runtime.start()
        except BaseException:
            runtime.emulation.stop()
            raise
    _write_state(runtime)
    return runtime


def _write_state(runtime: Any) -> None:
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps({
        "endpoint": runtime.emulation.endpoint, "api_url": runtime.api_url, "web_url": runtime.web_url,
        "pid": os.getpid(),
        "physical": runtime.stack.physical, "user_pool_client_id": runtime.stack.user_pool_client_id,
        "env": runtime.stack.env,
    }, indent=2), encoding="utf-8")


class Stopped(Exception):
    """SIGTERM or Ctrl-C: stop the stack."""


def _stop_on_signals() -> None:
    """SIGTERM stops the stack as Ctrl-C does, at any moment, startup included. A second signal while it
    stops kills the emulator and leaves at once."""

    def first(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, again)
        signal.signal(signal.SIGTERM, again)
        raise Stopped

    def again(signum: int, frame: Any) -> None:
        _kill_children()
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, first)
    signal.signal(signal.SIGTERM, first)


_CHILDREN: list[Any] = []  # the emulators this process started (killed on a second signal)


def _kill_children() -> None:
    for runtime in _CHILDREN:
        process = runtime.emulation.process
        if process is not None and process.poll() is None:
            process.kill()


def _wait_for_ctrl_c() -> None:
    """Until SIGTERM or Ctrl-C (`Stopped`, raised by the handlers of `_stop_on_signals`)."""
    forever = threading.Event()
    while not forever.wait(1):  # wakes up regularly: the signal handler runs between two waits
        pass


@local_app.command("up")
def local_up(
    port: int = typer.Option(8000, "--port", help="Port de la plateforme sur 127.0.0.1 (0 : un port libre)."),
) -> None:
    """Démarre l'émulation, provisionne template.yaml, sert la plateforme et l'API, livre les événements,
    jusqu'à Ctrl-C."""
    _stop_on_signals()  # from the start: a signal during startup stops what was started, too
    runtime = None
    try:
        runtime = _start_runtime(quiet=False, web_port=port)
        table = Table(title="Pile locale AMI garantie", show_header=False)
        table.add_row("Plateforme (navigateur)", runtime.web_url)
        table.add_row("API (Chalice)", runtime.api_url)
        table.add_row("Émulation AWS (moto)", runtime.emulation.endpoint)
        table.add_row("User pool Cognito", runtime.stack.user_pool_id)
        table.add_row("Client Cognito", runtime.stack.user_pool_client_id)
        table.add_row("Bucket des dépôts", runtime.stack.physical["DepositsBucket"])
        table.add_row("Fonctions", ", ".join(sorted(runtime.stack.functions)))
        console.print(table)
        console.print(f"Ouvrez {runtime.web_url}/ dans un navigateur pour inscrire un organisme et déposer un dossier.")
        console.print("Dans un autre terminal : `ami mailbox`, `ami instruction next`. Ctrl-C pour arrêter.")
        _wait_for_ctrl_c()
    except Stopped:
        pass
    finally:
        if runtime is not None:
            runtime.stop()
        _kill_children()
        STATE.unlink(missing_ok=True)
    console.print("Pile locale arrêtée.")


@app.command()
def demo(keep: bool = typer.Option(False, "--keep", help="Laisser la pile tourner après la démonstration.")) -> None:
    """Le parcours complet : inscriptions, dossiers, pièces, envois, numérotation, courriels, file d'instruction."""
    from infra.demo import run

    runtime = _start_runtime(quiet=True)
    try:
        result = run(runtime, lambda m: console.print(f"[bold]▸ {m}[/bold]"), progress)
        _print_demo(result)
        console.print(f"Plateforme : {runtime.web_url}/ (ouverte tant que la pile tourne : `ami demo --keep`).")
        if keep:
            console.print("La pile reste active : `ami mailbox`, `ami instruction next`. Ctrl-C pour arrêter.")
            with contextlib.suppress(Stopped):
                _stop_on_signals()
                _wait_for_ctrl_c()
    finally:
        runtime.stop()
        STATE.unlink(missing_ok=True)
    if result.problems:
        console.print(Panel("\n".join(f"✗ {p}" for p in result.problems), title="Incohérences", style="red"))
        raise typer.Exit(1)
    console.print(Panel("Aucun dossier perdu, numérotation continue et dans l'ordre de dépôt, programmations DROM "
                        "conclues sans numéro et clôture respectée, chaque courriel envoyé une fois, journal d'audit "
                        "intègre.", title="Démonstration réussie",
                        style="green"))


def _print_scores(dossiers: list[dict[str, Any]]) -> None:
    """Priority 2 of the numbered dossiers: every criterion evaluated, or why not and who provides it."""
    table = Table(title="Priorité 2 (instructeurs seulement)")
    for col in ("N°", "Score /100", "Non évalué", "Constats d'éligibilité", "Référentiels"):
        table.add_column(col, justify="right" if col in ("N°", "Score /100", "Non évalué") else "left")
    for d in dossiers:
        s = d.get("scoring") or {}
        findings = [c["message"] for c in s.get("constats", []) if c["gravite"] == "eligibilite"]
        missing = [f"{c['code']} (à fournir par : {c['a_fournir_par']})" for c in s.get("criteres", [])
                   if c["statut"] != "evalue"]
        table.add_row(str(d["deposit_number"]), str(s.get("total_retenu", "—")).replace(".", ","),
                      "\n".join(missing) or "0", "\n".join(findings) or "—",
                      ", ".join(sorted(set(s.get("referentiels", {}).values()))))
    console.print(table)


def _print_demo(result: Any) -> None:
    from ami.domain.notifications import format_euros

    console.print(f"Inscription d'une SCI refusée : [yellow]{result.refused_registration}[/yellow]")
    numbered = Table(title="Dossiers complets, dans l'ordre de dépôt")
    for col in ("N°", "Déposé le (Paris)", "Bailleur", "Commune", "Zone", "Lgts", "Prêts"):
        right = col in ("N°", "Lgts", "Prêts")
        wraps = col == "Bailleur"
        justify: Literal["right", "left"] = "right" if right else "left"
        numbered.add_column(col, justify=justify, no_wrap=not wraps, min_width=14 if wraps else None)
    from datetime import datetime
    from decimal import Decimal

    from ami.domain.rules import commune

    for r in result.numbered:
        c = commune(r.get("commune_insee") or "")
        numbered.add_row(str(r["deposit_number"]), _paris(datetime.fromisoformat(r["deposited_at"])),
                         r["raison_sociale"], c.nom if c else "?", c.zone if c else "?", str(r.get("logements", "")),
                         format_euros(Decimal(r["loan_total_eur"])))
    console.print(numbered)
    _print_scores(result.scored)
    incomplete = Table(title="Dossiers incomplets")
    incomplete.add_column("Opération")
    incomplete.add_column("Commune")
    incomplete.add_column("Motifs")
    for r in result.incomplete:
        incomplete.add_row(r["nom"], r["commune"], "\n".join(r["reasons"]))
    console.print(incomplete)
    quarantine = Table(title="Fichiers en quarantaine")
    quarantine.add_column("Objet")
    quarantine.add_column("Motif")
    for q in result.quarantined:
        quarantine.add_row(q["key"], q["motif"])
    console.print(quarantine)
    _print_mailbox(result.emails)
    work = Table(title="File d'instruction (FIFO)")
    work.add_column("N°", justify="right")
    work.add_column("Bailleur")
    work.add_column("SIREN")
    for w in result.work_items:
        work.add_row(str(w["deposit_number"]), w["raison_sociale"], w["siren"])
    console.print(work)
    from ami.domain.models import DEPARTEMENTS_DROM

    drom = Table(title="Programmations DROM 2024 (sans numéro : instruites par la délégation du département)")
    for col in ("Département", "Statut", "Motifs"):
        drom.add_column(col)
    for p in result.programmations:
        status = "envoi refusé après la clôture (brouillon)" if p["status"] == "brouillon" else p["status"]
        drom.add_row(f"{p['departement']} {DEPARTEMENTS_DROM[p['departement']]}", status, "\n".join(p["reasons"]))
    console.print(drom)


def _paris(at: Any) -> str:
    """Compact Paris time to the millisecond: deposits a few ms apart must read apart."""
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo("Europe/Paris"))
    return local.strftime("%d/%m %H:%M:%S,") + f"{local.microsecond // 1000:03d}"


def _print_mailbox(emails: list[Any]) -> None:
    table = Table(title=f"Boîte aux lettres (SES émulé) : {compte(len(emails), 'courriel')}")
    table.add_column("#", justify="right")
    table.add_column("Destinataire")
    table.add_column("Objet")
    for i, e in enumerate(emails, start=1):
        table.add_row(str(i), ", ".join(e.to), e.subject)
    console.print(table)


@app.command()
def mailbox(show: int = typer.Option(0, "--show", help="Afficher le courriel n° N en entier.")) -> None:
    """Les courriels que SES (émulé) a envoyés."""
    from infra.mailbox import captured_emails

    state = read_state()
    emails = captured_emails(state["endpoint"])
    if not show:
        _print_mailbox(emails)
        return
    if not 1 <= show <= len(emails):
        console.print(f"[red]Il n'y a pas de courriel n° {show}[/red] ({len(emails)} en tout).")
        raise typer.Exit(2)
    e = emails[show - 1]
    console.print(Panel(e.text, title=f"{e.subject}\nÀ : {', '.join(e.to)} — De : {e.source}"))


app.add_typer(referentiel_app, name="referentiel")
app.add_typer(score_app, name="score")
app.command("enveloppe")(enveloppe)
app.command("registre")(registre)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(app())
