"""`ami referentiel import`, `ami score recalculer`, `ami enveloppe`, `ami registre`: the ops and CCN side
of the command line.

They run against the local stack when one is up (`ami local up`), else against the AWS account and
table/bucket names of the environment (the variables of template.yaml: DOSSIERS_TABLE, DEPOSITS_BUCKET…).
Heavy imports (openpyxl, boto3, the shared package) stay inside the commands.
"""

from __future__ import annotations

import getpass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import typer
from ami.domain.wording import compte
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table

from infra.cli_common import console, progress, services

referentiel_app = typer.Typer(help="Référentiels territoriaux de la notation de priorité 2 (versionnés).",
                              no_args_is_help=True)
score_app = typer.Typer(help="La notation de priorité 2 des dossiers numérotés.", no_args_is_help=True)

IMPORT_HELP = """Importer un référentiel (nouvelle version) depuis un fichier CSV.

Format : UTF-8 (BOM accepté), séparateur « ; », en-tête `code_insee;valeur` puis, facultative,
`commentaire`. Une ligne par commune (code INSEE du zonage ABC 2024, 2A/2B pour la Corse) ; valeur
décimale, virgule ou point, dans les bornes de la grille de notation. Un fichier comportant la moindre
erreur est refusé en entier (erreurs numérotées par ligne) et rien n'est modifié. Réimporter le même
contenu ne crée pas de nouvelle version.

Référentiels de la grille et sources publiques (voir docs/referentiels.md) : dynamisme_economique
(INSEE, estimations d'emploi localisées, chaque année) ; saturation_demande_li (parc intermédiaire et
logements libérés : RPLS du SDES, chaque année ; demande : donnée d'ALS). Les fichiers
infra/referentiels/exemple-*.csv sont des exemples fictifs pour la démonstration et les tests : ils
sont enregistrés comme tels et les scores qui les utilisent l'indiquent (« exemple »). Après un import,
lancer `ami score recalculer`.
"""


def _store() -> Any:
    return services().store


def _print_errors(exc: Any) -> None:
    lines = "\n".join(f"✗ {e['message']}" for e in (exc.details or []) if isinstance(e, dict))
    console.print(Panel(f"{exc.message}\n{lines}".strip(), title="Référentiel refusé", style="red"))


def _percent(ratio: Any) -> str:
    """2,18 % as a French reader writes it."""
    percent = (Decimal(str(ratio)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{percent}".replace(".", ",") + "\u00a0%"


@referentiel_app.command("import", help=IMPORT_HELP)
def referentiel_import(
    fichier: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Fichier CSV"),
    nom: str = typer.Option("", "--nom", help="Nom du référentiel (par défaut : le nom du fichier sans extension)."),
    source: str = typer.Option("", "--source", help="Provenance des données (producteur, millésime)."),
) -> None:
    from ami.domain.errors import InvalidInput
    from ami.domain.referentiel import SAMPLE_PREFIX, SAMPLE_SOURCE, parse

    sample = fichier.name.startswith(SAMPLE_PREFIX)
    name = nom or fichier.stem.removeprefix(SAMPLE_PREFIX)
    if sample:
        source = f"{SAMPLE_SOURCE} ({fichier.name}){' — ' + source if source else ''}"
    data = fichier.read_bytes()
    try:
        values = parse(name, data)  # refused before any connection: nothing can change
    except InvalidInput as exc:
        _print_errors(exc)
        raise typer.Exit(1) from None
    result = services().referentiels.import_file(name, data, f"ops:{getpass.getuser()}", source=source,
                                                   fichier=fichier.name)
    ref = result.referentiel
    if result.cree:
        console.print(f"[green]Référentiel {ref.label} importé[/green] : {compte(len(values), 'commune')}, "
                      f"SHA-256 {ref.sha256[:12]}…")
    else:
        console.print(f"Contenu identique à {ref.label} : aucune nouvelle version.")
    if sample:
        console.print("[yellow]Données d'exemple fictives : à ne jamais utiliser pour une CCN réelle.[/yellow]")
    console.print("Pour en tenir compte dans les dossiers déjà notés : `ami score recalculer`.")


@score_app.command("recalculer")
def score_recalculer(
    dossiers: list[str] = typer.Option(
        [], "--dossier", help="Identifiant d'un dossier (répétable) ; par défaut tous les dossiers notés."
    ),
) -> None:
    """Noter de nouveau les dossiers déjà notés, avec les référentiels et la grille d'aujourd'hui.

    À lancer après l'import d'un référentiel : les critères qui manquaient de données sont évalués. Les
    surcharges des instructeurs sont conservées ; un dossier dont rien n'a changé (même empreinte) n'est
    pas réécrit ; chaque recalcul est tracé dans le journal d'audit.
    """

    store = _store()
    if dossiers:
        found = store.get_dossiers(dossiers)
        unknown = [i for i in dossiers if i not in found]
        if unknown:
            console.print(f"[red]{'Dossier introuvable' if len(unknown) == 1 else 'Dossiers introuvables'}[/red] : "
                          f"{', '.join(unknown)}")
            raise typer.Exit(2)
        todo = [found[i] for i in dossiers]
    else:
        todo = sorted(store.list_numbered(), key=lambda d: d.deposit_number or 0)
    scored = [d for d in todo if d.scoring]
    step = services().after_numbering
    changed: list[tuple[Any, Any]] = []
    with progress("Recalcul des scores", len(scored)) as advance:
        for d in scored:
            after = step.rescore(d, f"ops:{getpass.getuser()}")
            if after is not None:
                changed.append((d, after))
            advance()
    if changed:
        table = Table(title="Scores recalculés")
        for col in ("N°", "Dossier", "Total retenu", "Points non évalués"):
            table.add_column(col, justify="right" if col != "Dossier" else "left")
        for before, after in changed:
            old, new = before.scoring, after.scoring
            table.add_row(str(before.deposit_number), before.dossier_id,
                          f"{_fr(old and old.total_retenu)} → {_fr(new and new.total_retenu)}",
                          f"{_fr(old and old.points_non_evalues)} → {_fr(new and new.points_non_evalues)}")
        console.print(table)
    unscored = len(todo) - len(scored)
    waiting = f", {compte(unscored, 'dossier pas encore noté', 'dossiers pas encore notés')}" if unscored else ""
    console.print(f"{compte(len(changed), 'score recalculé', 'scores recalculés')}, "
                  f"{compte(len(scored) - len(changed), 'inchangé')}{waiting}.")


def _fr(value: Any) -> str:
    from ami.domain.extraction.french import format_decimal_fr

    return "—" if value is None else format_decimal_fr(Decimal(str(value)))


def print_envelope(env: Any) -> None:
    from ami.domain.notifications import format_euros

    console.print(Panel.fit(
        f"Enveloppe {format_euros(env.montant_eur)}\n"
        f"  réservé    {format_euros(env.reserve_eur)} ({compte(env.dossiers_reserve, 'dossier')}, du numéro au CA)\n"
        f"  engagé     {format_euros(env.engage_eur)} ({compte(env.dossiers_engage, 'dossier')}, CA confirmé)\n"
        f"  garanti    {format_euros(env.garanti_eur)} ({compte(env.dossiers_garanti, 'dossier')}, acte transmis)\n"
        f"  disponible {format_euros(env.disponible_eur)}",
        title="Enveloppe de l'AMI"))
    console.print(ProgressBar(total=float(env.montant_eur), completed=float(min(env.principal_numerotes_eur,
                                                                                  env.montant_eur)), width=60))
    console.line()  # the bar does not end its own line
    console.print(f"Consommation : {_percent(env.taux_consommation)}")
    console.print(f"Avis CCN favorables : {format_euros(env.principal_favorables_eur)} "
                  f"({env.dossiers_favorables} dossiers)")
    if env.dossiers_liberes:
        console.print(f"Libéré (refus, expiration, retrait, sans suite) : {format_euros(env.principal_libere_eur)} "
                      f"({compte(env.dossiers_liberes, 'dossier')})")
    if env.dossiers_liste_attente:
        console.print(f"Liste d'attente : {env.dossiers_liste_attente} dossiers, "
                      f"{format_euros(env.principal_liste_attente_eur)}")
    if env.note:
        console.print(f"[yellow]{env.note}[/yellow]")
    for title, key, lines in (("Par région", "Région", env.par_region), ("Par zone ABC", "Zone", env.par_zone)):
        table = Table(title=title)
        table.add_column(key)
        for col in ("Dossiers", "Principal numéroté", "Favorables", "Part"):
            table.add_column(col, justify="right")
        for line in lines:
            share = line.principal_numerotes_eur / env.montant_eur if env.montant_eur else 0
            table.add_row(line.cle, str(line.dossiers_numerotes), format_euros(line.principal_numerotes_eur),
                          format_euros(line.principal_favorables_eur), _percent(share))
        console.print(table)


def enveloppe() -> None:
    """L'enveloppe : réservé (du numéro au CA), engagé (CA confirmé), garanti (acte transmis), disponible ; liste
    d'attente ; par région et zone."""
    from ami.domain.envelope import envelope

    print_envelope(envelope(_store().list_numbered()))


def registre(
    ccn: str = typer.Option(..., "--ccn", help="Date de la séance de la CCN (AAAA-MM-JJ)."),
    sortie: Path = typer.Option(Path("registre.xlsx"), "-o", "--sortie", help="Fichier Excel à écrire."),
) -> None:
    """Le registre Excel de la CCN : dossiers numérotés déposés jusqu'à la date (incluse), synthèse, grille."""
    try:
        day = date.fromisoformat(ccn)
    except ValueError:
        console.print(f"[red]Date de CCN invalide « {ccn} »[/red] : attendu AAAA-MM-JJ.")
        raise typer.Exit(2) from None
    from ami.domain import registre as reg
    from ami.domain.models import utcnow

    store = _store()
    dossiers = store.list_numbered()
    n = reg.write(str(sortie), dossiers, reg.bailleurs_of(store, dossiers), day, utcnow())
    console.print(f"[green]Registre écrit[/green] : {sortie} "
                  f"({compte(n, 'dossier déposé', 'dossiers déposés')} jusqu'au {day:%d/%m/%Y}).")
