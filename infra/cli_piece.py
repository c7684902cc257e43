"""`ami piece check FILE --piece lettre_offre|dossier_presentation [--siren S] [--json]`.

Runs exactly what the intake function runs (`ami.domain.pieces.examine`, a scanned letter read by the OCR
engine `ami.adapters.ocr` finds here), offline, on one file: the verdict, the checks, and every field read
with its page, source text and confidence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from ami.domain.wording import compte
from rich.console import Console
from rich.table import Table

piece_app = typer.Typer(help="Examiner une pièce (lettre d'offre, dossier de présentation) hors ligne.",
                        no_args_is_help=True)
_PIECES = ("lettre_offre", "dossier_presentation")
_SEVERITY_STYLE = {"bloquant": "bold red", "attention": "yellow", "info": "cyan"}


def check_file(data: bytes, piece: str, siren: str | None = None, raison_sociale: str | None = None) -> dict[str, Any]:
    """The JSON verdict for one file: what `--json` prints."""
    from ami.domain.errors import PieceRefused
    from ami.domain.pieces import PieceContext, examine

    try:
        report = examine(data, piece, context=PieceContext(siren=siren, raison_sociale=raison_sociale),  # type: ignore[arg-type]
                         ocr=_ocr())
    except PieceRefused as refused:
        return {"verdict": "refused", "piece": piece, "reason_code": refused.code, "message": refused.message,
                "checks": [], "fields": []}
    return {
        "verdict": "accepted", "piece": piece, "reason_code": None, "message": None,
        "pages": report.pages, "size": report.size, "sha256": report.sha256, "text_layer": report.text_layer,
        "kind": report.kind,
        "checks": [c.model_dump(mode="json") for c in report.checks],
        "fields": [f.model_dump(mode="json") for f in report.fields],
    }


def _ocr() -> Any:
    """The engine intake would use here for a scanned letter (`AMI_OCR`, else Tesseract if installed)."""
    import os
    from typing import cast, get_args

    from ami.adapters.aws import default_aws
    from ami.adapters.ocr import OcrChoice, ocr_engine

    choice = os.environ.get("AMI_OCR", "")
    known = cast(OcrChoice, choice) if choice in get_args(OcrChoice) else ""
    return ocr_engine(known, in_lambda=False, aws=default_aws())


@piece_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Fichier à examiner")],
    piece: Annotated[str, typer.Option("--piece", help="lettre_offre ou dossier_presentation")],
    siren: Annotated[str | None, typer.Option("--siren", help="SIREN attendu du bailleur")] = None,
    raison_sociale: Annotated[str | None, typer.Option("--raison-sociale", help="Raison sociale attendue")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Un objet JSON sur la sortie standard")] = False,
) -> None:
    """Valide un fichier comme l'intake et affiche les constats et les champs lus."""
    if piece not in _PIECES:
        raise typer.BadParameter(f"pièce inconnue : {piece} (attendu : {', '.join(_PIECES)})", param_hint="--piece")
    result = check_file(file.read_bytes(), piece, siren, raison_sociale)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(result, file)
    raise typer.Exit(0 if result["verdict"] == "accepted" else 1)


def _print(result: dict[str, Any], file: Path) -> None:
    console = Console()
    if result["verdict"] == "refused":
        console.print(f"[bold red]REFUSÉ[/] {file.name} ({result['reason_code']})\n{result['message']}")
        return
    console.print(f"[bold green]ACCEPTÉ[/] {file.name} — {compte(result['pages'], 'page')}, {result['size']} octets, "
                  f"couche texte : {'oui' if result['text_layer'] else 'non'}")
    if result["checks"]:
        table = Table(title="Constats", show_lines=False)
        for column in ("Gravité", "Code", "Page", "Message"):
            table.add_column(column)
        for c in result["checks"]:
            style = _SEVERITY_STYLE.get(c["severity"], "")
            table.add_row(f"[{style}]{c['severity']}[/]", c["code"], str(c["page"] or ""), c["message_fr"])
        console.print(table)
    if result["fields"]:
        table = Table(title="Champs lus")
        for column in ("Champ", "Valeur", "Page", "Confiance", "Texte source"):
            table.add_column(column, overflow="fold")
        for f in result["fields"]:
            table.add_row(f["name"], str(f["value"]), str(f["page"] or ""), f"{f['confidence']:.2f}", f["source"])
        console.print(table)
    else:
        console.print("Aucun champ lu.")
