"""`ami instruction file|next`: the instructors' work list through the API, as the signed-in instructor.

Which stack: a deployed one named with `--stack` (its CloudFormation outputs `ApiUrl` and `UserPoolClientId`,
read with `--profile` and `--region` or the usual AWS variables), or given by `--api-url` and `--client-id`
(AMI_API_URL, AMI_CLIENT_ID) with Cognito in `--region`; else the local stack when one is up (`ami local up`,
which also publishes its outputs as the emulation's stack `ami-garantie-local`, read the deployed way). The
actor written in the audit log is the signed-in user, never a name typed on the command line. The password
comes from AMI_MOT_DE_PASSE or a hidden prompt; the authenticator app's code from a prompt (AMI_TOTP_SECRET,
for scripts on the local stack only).
"""

from __future__ import annotations

import os
from typing import Any

import typer
from rich.table import Table

from infra.cli_common import STATE, console, read_state

instruction_app = typer.Typer(help="La file d'instruction, dans l'ordre des numéros de dépôt.", no_args_is_help=True)

EMAIL = typer.Option(..., "--email", envvar="AMI_EMAIL", help="Votre identifiant d'instructeur (adresse).")
API_URL = typer.Option("", "--api-url", envvar="AMI_API_URL", help="URL de l'API (pile déployée).")
CLIENT_ID = typer.Option("", "--client-id", envvar="AMI_CLIENT_ID", help="Client d'application Cognito.")
STACK = typer.Option("", "--stack", envvar="AMI_STACK",
                     help="Pile CloudFormation déployée : l'URL de l'API et le client Cognito sont lus dans ses "
                          "sorties.")
PROFILE = typer.Option("", "--profile",
                       help="Profil AWS pour lire la pile (sinon AWS_PROFILE ou le profil par défaut).")
REGION_OPTION = typer.Option("", "--region", help="Région AWS de la pile (sinon AWS_REGION ou celle du profil).")


def _client(email: str, api_url: str, client_id: str, stack: str = "", profile: str = "", region_name: str = "") -> Any:
    from infra.client import AmiClient, login

    endpoint: str | None = None
    region = region_name or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
    if stack:
        from infra.stack_outputs import StackUnreadable, read

        try:
            outputs, region = read(stack, profile, region_name)
        except StackUnreadable as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        missing = [k for k in ("ApiUrl", "UserPoolClientId") if not outputs.get(k)]
        if missing:
            console.print(f"[red]La pile « {stack} » n'a pas de sortie {' ni '.join(missing)}[/red] : est-ce bien une "
                          "pile de l'AMI garantie (template.yaml) ?")
            raise typer.Exit(2)
        api_url, client_id = outputs["ApiUrl"], outputs["UserPoolClientId"]
    elif not api_url and STATE.exists():
        state = read_state()
        api_url, client_id, endpoint = state["api_url"], state["user_pool_client_id"], state["endpoint"]
        from infra.provision import REGION

        region = REGION
    if not api_url or not client_id or not region:
        console.print("[red]Pile inconnue.[/red] Lancez `ami local up`, ou donnez --stack (pile déployée, avec "
                      "--profile et --region), ou --api-url, --client-id et --region (sorties ApiUrl et "
                      "UserPoolClientId).")
        raise typer.Exit(2)
    password = os.environ.get("AMI_MOT_DE_PASSE") or typer.prompt("Mot de passe", hide_input=True)
    secret = os.environ.get("AMI_TOTP_SECRET") if endpoint else None
    from botocore.exceptions import ClientError

    try:
        token = login(endpoint, client_id, email, password, secret, region=region,
                      mfa_code=lambda: typer.prompt("Code de l'application d'authentification"))
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        refused = {
            "NotAuthorizedException": "Adresse électronique ou mot de passe incorrect.",
            "UserNotFoundException": "Adresse électronique ou mot de passe incorrect.",
            "CodeMismatchException": "Code de l'application d'authentification incorrect : recommencez avec le "
                                     "code affiché en ce moment.",
            "ExpiredCodeException": "Code de l'application d'authentification expiré : recommencez.",
        }.get(code)
        if refused is None:
            raise
        console.print(f"[red]Connexion refusée.[/red] {refused}")
        raise typer.Exit(1) from None
    return AmiClient(api_url.rstrip("/"), token)


def _fail(exc: Exception) -> None:
    payload = getattr(exc, "payload", {}) or {}
    console.print(f"[red]{payload.get('message') or exc}[/red]")
    raise typer.Exit(1)


@instruction_app.command("file")
def work_list(email: str = EMAIL, api_url: str = API_URL, client_id: str = CLIENT_ID, stack: str = STACK,
              profile: str = PROFILE, region: str = REGION_OPTION) -> None:
    """La liste de travail : chaque dossier numéroté à mettre en instruction, et qui le tient."""
    from infra.client import ApiError

    api = _client(email, api_url, client_id, stack, profile, region)
    try:
        entries = api.call("GET", "/instruction/travail")
    except ApiError as exc:
        _fail(exc)
    table = Table(title="Liste de travail des instructeurs")
    for col in ("N°", "Bailleur", "Commune", "État", "Abandons"):
        table.add_column(col)
    for e in entries:
        item = e["element"]
        table.add_row(str(item["deposit_number"]), item["raison_sociale"], item.get("commune_insee") or "",
                      e["etat"], str(e["abandons"]))
    console.print(table if entries else "La liste de travail est vide.")


@instruction_app.command("next")
def instruction_next(
    email: str = EMAIL,
    action: str = typer.Option("", "--action", help="prise (mettre en instruction) ou rendre, sans question."),
    api_url: str = API_URL,
    client_id: str = CLIENT_ID,
    stack: str = STACK,
    profile: str = PROFILE,
    region: str = REGION_OPTION,
) -> None:
    """Prendre le prochain dossier libre (dans l'ordre des numéros), l'afficher, puis le mettre en instruction
    (prise) ou le rendre à la file (rendre)."""
    from ami.domain.notifications import format_euros

    from infra.client import ApiError

    api = _client(email, api_url, client_id, stack, profile, region)
    try:
        taken = api.call("POST", "/instruction/travail/suivant")
    except ApiError as exc:
        _fail(exc)
    item = taken["element"]
    if item is None:
        console.print(taken["message"])
        return
    table = Table(title=f"Dossier n° {item['deposit_number']} — {item['raison_sociale']}", show_header=False)
    table.add_row("Commune (INSEE)", item.get("commune_insee") or "")
    table.add_row("Logements", str(item["logements"]))
    table.add_row("Principal des prêts", format_euros(item["loan_total_eur"]))
    table.add_row("Tenu jusqu'à (UTC)", str(taken["tenu_jusqu_a"]))
    console.print(table)
    choice = action or typer.prompt("prise (mettre en instruction) ou rendre (rendre à la file)", default="rendre")
    path = {"prise": "prise", "rendre": "rendre"}.get(choice)
    if path is None:
        console.print(f"[red]Action inconnue « {choice} »[/red] : le dossier reste à vous jusqu'à l'heure indiquée.")
        raise typer.Exit(2)
    try:
        api.call("POST", f"/instruction/travail/{item['dossier_id']}/{path}")
    except ApiError as exc:
        _fail(exc)
    done = "mis en instruction" if path == "prise" else "rendu à la file, à la place de son numéro"
    console.print(f"Dossier n° {item['deposit_number']} : {done}.")
