"""`ami instruction file|next`: the instructors' work list through the API, as the signed-in instructor.

Against the local stack when one is up (`ami local up`), else against a deployed stack: its API URL
and app client id (the stack outputs `ApiUrl` and `UserPoolClientId`, or AMI_API_URL and
AMI_CLIENT_ID), Cognito in AWS_REGION. The actor written in the audit log is the signed-in user,
never a name typed on the command line. The password comes from AMI_MOT_DE_PASSE or a hidden prompt;
the authenticator app's code from a prompt (AMI_TOTP_SECRET, for scripts on a local stack only).
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


def _client(email: str, api_url: str, client_id: str) -> Any:
    from infra.client import AmiClient, login

    endpoint: str | None = None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
    if not api_url and STATE.exists():
        state = read_state()
        api_url, client_id, endpoint = state["api_url"], state["user_pool_client_id"], state["endpoint"]
        from infra.provision import REGION

        region = REGION
    if not api_url or not client_id or not region:
        console.print("[red]Pile inconnue.[/red] Lancez `ami local up`, ou donnez --api-url, --client-id et "
                      "AWS_REGION de la pile déployée (sorties ApiUrl et UserPoolClientId).")
        raise typer.Exit(2)
    password = os.environ.get("AMI_MOT_DE_PASSE") or typer.prompt("Mot de passe", hide_input=True)
    secret = os.environ.get("AMI_TOTP_SECRET") if endpoint else None
    token = login(endpoint, client_id, email, password, secret, region=region,
                  mfa_code=lambda: typer.prompt("Code de l'application d'authentification"))
    return AmiClient(api_url.rstrip("/"), token)


def _fail(exc: Exception) -> None:
    payload = getattr(exc, "payload", {}) or {}
    console.print(f"[red]{payload.get('message') or exc}[/red]")
    raise typer.Exit(1)


@instruction_app.command("file")
def work_list(email: str = EMAIL, api_url: str = API_URL, client_id: str = CLIENT_ID) -> None:
    """La liste de travail : chaque dossier numéroté à mettre en instruction, et qui le tient."""
    from infra.client import ApiError

    api = _client(email, api_url, client_id)
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
) -> None:
    """Prendre le prochain dossier libre (dans l'ordre des numéros), l'afficher, puis le mettre en instruction
    (prise) ou le rendre à la file (rendre)."""
    from ami.domain.notifications import format_euros

    from infra.client import ApiError

    api = _client(email, api_url, client_id)
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


ACTIONS_HELP = ("presenter_ccn (--seance, --date), avis_favorable | avis_defavorable | ajourner (--motif), "
                "proposer_tarification (--qualite), confirmer_ca | refuser_ca (--seance, --date, --motif), "
                "envoyer_convention, appeler_prime, regler_prime (--montant, --regle-le, --reference), "
                "transmettre_acte, classer_sans_suite (--motif)")


def _show_step(out: dict[str, Any]) -> None:
    from ami.domain.notifications import format_euros

    console.print(f"Dossier n° {out['deposit_number']} : {out['message']} Statut : {out['statut']}.")
    p = (out.get("suivi") or {}).get("proposition")
    if p and out["status"] == "tarification_proposée":
        table = Table(title="Proposition de tarification (prime payée d'avance, une fois)")
        for col in ("Prêt", "Montant", "Durée", "Différé", "FIBEN", "Qualité", "Taux annuel", "Prime"):
            table.add_column(col)
        for line in p["lignes"]:
            table.add_row(f"{line['rang']}. {line['kind']} {line['produit']}", format_euros(line["montant_eur"]),
                          f"{line['duree_mois']} mois", f"{line['differe_mois']} mois", line["cote_fiben"],
                          line["qualite"], f"{line['taux_annuel_pct']} %".replace(".", ","),
                          format_euros(line["prime_eur"]))
        console.print(table)
        console.print(f"Prime totale : {format_euros(p['prime_eur'])} ; valable jusqu'au {p['expire_le']} (UTC, "
                      "exclu).")
        if p["grille_provisoire"]:
            console.print("[yellow]Grille tarifaire provisoire : ses chiffres restent à fixer par ALS.[/yellow]")
    if out["actions_possibles"]:
        console.print(f"Étapes possibles maintenant : {', '.join(out['actions_possibles'])}.")


@instruction_app.command("etape", help=f"Faire une étape du cycle de vie d'un dossier. Étapes : {ACTIONS_HELP}.")
def step(
    dossier_id: str = typer.Argument(..., help="Identifiant du dossier."),
    action: str = typer.Argument(..., help="L'étape (voir ci-dessus)."),
    motif: str = typer.Option("", "--motif", help="Motif de la décision (obligatoire pour les avis, le CA, "
                              "le classement sans suite)."),
    seance: str = typer.Option("", "--seance", help="Séance de la CCN ou du CA (libellé)."),
    date_seance: str = typer.Option("", "--date", help="Date de la séance (AAAA-MM-JJ)."),
    qualite: str = typer.Option("", "--qualite", help="Qualité du programme : elevee, standard ou reservee."),
    montant: str = typer.Option("", "--montant", help="Montant réglé (€), pour regler_prime."),
    regle_le: str = typer.Option("", "--regle-le", help="Date du règlement (AAAA-MM-JJ)."),
    reference: str = typer.Option("", "--reference", help="Référence du virement."),
    email: str = EMAIL,
    api_url: str = API_URL,
    client_id: str = CLIENT_ID,
) -> None:
    from infra.client import ApiError

    body: dict[str, Any] = {}
    if motif:
        body["justification"] = motif
    if seance or date_seance:
        body["seance"] = {"libelle": seance, "le": date_seance}
    if qualite:
        body["qualite"] = qualite
    if montant or regle_le or reference:
        body["paiement"] = {"montant_eur": montant.replace(",", ".").replace(" ", ""), "regle_le": regle_le,
                            "reference": reference}
    api = _client(email, api_url, client_id)
    try:
        out = api.call("POST", f"/instruction/dossiers/{dossier_id}/etapes/{action}", body)
    except ApiError as exc:
        _fail(exc)
    _show_step(out)


@instruction_app.command("fiben")
def fiben(
    dossier_id: str = typer.Argument(..., help="Identifiant du dossier."),
    cote: str = typer.Option(..., "--cote", help="Cotation FIBEN (1+, 1, 1-, … 8, P, 0)."),
    date_cotation: str = typer.Option(..., "--date", help="Date de la cotation (AAAA-MM-JJ)."),
    email: str = EMAIL,
    api_url: str = API_URL,
    client_id: str = CLIENT_ID,
) -> None:
    """Enregistrer la cotation FIBEN du bailleur (Banque de France) et sa date : elle fixe le taux de la prime."""
    from infra.client import ApiError

    api = _client(email, api_url, client_id)
    try:
        out = api.call("POST", f"/instruction/dossiers/{dossier_id}/fiben",
                       {"cote": cote, "date_cotation": date_cotation})
    except ApiError as exc:
        _fail(exc)
    _show_step(out)


@instruction_app.command("document")
def document(
    dossier_id: str = typer.Argument(..., help="Identifiant du dossier."),
    kind: str = typer.Argument(..., help="proposition, convention, convention_signee, attestation_prime ou acte."),
    email: str = EMAIL,
    api_url: str = API_URL,
    client_id: str = CLIENT_ID,
) -> None:
    """Un lien de téléchargement (5 minutes) vers un document du dossier, avec son empreinte SHA-256."""
    from infra.client import ApiError

    api = _client(email, api_url, client_id)
    try:
        out = api.call("GET", f"/instruction/dossiers/{dossier_id}/documents/{kind}")
    except ApiError as exc:
        _fail(exc)
    console.print(f"{out['nom']} — SHA-256 {out['sha256']}")
    console.print(out["url"], soft_wrap=True)
