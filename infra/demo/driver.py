"""Plays the scenario on a started `LocalRuntime` as bailleurs and instructors would: registrations
(and one refused), dossiers entered through the API, realistic PDFs and bad files uploaded through
the presigned POSTs, every dossier sent, the pipeline run; then gathers what happened for `checks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from infra.demo.checks import (
    check_audit_and_dlqs,
    check_emails,
    check_numbering,
    check_scores,
    peek_work_items,
    quarantine_listing,
)
from infra.demo.scenario import BAILLEURS, INSTRUCTOR, PASSWORD, luhn_siren, scenario

if TYPE_CHECKING:
    from infra.client import AmiClient
    from infra.local import LocalRuntime


def bad_file(kind: str) -> tuple[bytes, str]:
    from infra import pdfgen

    if kind == "chiffre":
        return pdfgen.encrypted_pdf(), "lettre-offre-protegee.pdf"
    return pdfgen.not_a_pdf(), "dossier-presentation.docx"


@dataclass
class DemoResult:
    numbered: list[dict[str, Any]]
    incomplete: list[dict[str, Any]]
    quarantined: list[dict[str, str]]
    emails: list[Any]
    work_items: list[dict[str, Any]]
    problems: list[str]
    refused_registration: str
    scored: list[dict[str, Any]] = field(default_factory=list)  # the numbered dossiers as instructors see them
    programmations: list[dict[str, Any]] = field(default_factory=list)  # the DROM's, each with its outcome


def run(runtime: LocalRuntime, say: Callable[[str], None], progress: Callable[[str, int], Any]) -> DemoResult:
    """Play the scenario against a started LocalRuntime; return what happened and what went wrong."""
    from infra import pdfgen
    from infra.client import AmiClient, ApiError

    endpoint = runtime.emulation.endpoint
    public = AmiClient(runtime.api_url)
    problems: list[str] = []

    say("Inscription des bailleurs (formulaire d'identification)")
    clients = register_bailleurs(runtime)
    try:
        public.call(
            "POST",
            "/inscription",
            {
                "raison_sociale": "SCI Les Tilleuls",
                "siren": luhn_siren("81234567"),
                "forme_juridique": "sci",
                "adresse": "1 rue des Tilleuls, 33000 Bordeaux",
                "email_contact": "sci@tilleuls.example",
                "mot_de_passe": PASSWORD,
            },
        )
        problems.append("une SCI (forme non éligible) a pu s'inscrire")
        refused = ""
    except ApiError as exc:
        details = exc.payload.get("details") or []
        refused = " ".join([exc.payload["message"], *(d["message"] for d in details if isinstance(d, dict))])

    dossiers = scenario()
    say("Saisie des opérations et dépôt des pièces par formulaire présigné")
    with progress("Pièces déposées", sum(2 for _ in dossiers)) as advance:
        for i, d in enumerate(dossiers):
            b, api = BAILLEURS[d.bailleur], clients[d.bailleur]
            op = d.operation()
            created = api.call(
                "POST",
                "/dossiers",
                {
                    "operation": op.model_dump(mode="json", exclude_none=True),
                    "prets": [p.model_dump(mode="json") for p in d.prets()],
                },
            )
            d.dossier_id = created["dossier_id"]
            if d.bad_upload:
                data, name = bad_file(d.bad_upload[1])
                api.upload(d.dossier_id, d.bad_upload[0], data, name)
            letter_date = date(2026, 10, 1) + timedelta(days=3 * i)
            if d.bad_upload is None or d.bad_upload[0] != "lettre_offre":
                api.upload(
                    d.dossier_id,
                    "lettre_offre",
                    pdfgen.lettre_offre(
                        raison_sociale=b.raison_sociale,
                        siren=b.siren,
                        operation=d.nom,
                        commune=d.commune,
                        loans=d.prets(),
                        reference=f"BDT-LLI-2026-{1040 + i:05d}",
                        date_lettre=letter_date,
                    ),
                )
            advance()
            if d.bad_upload and d.bad_upload[0] == "dossier_presentation":
                runtime.dispatcher.drain()  # the bad file is refused first, then replaced
            if d.missing_piece != "dossier_presentation" and (
                d.bad_upload is None or d.fix_after_bad or d.bad_upload[0] != "dossier_presentation"
            ):
                from ami.domain.rules import commune

                where = commune(d.insee)
                zone = where.zone if where else "?"
                api.upload(
                    d.dossier_id,
                    "dossier_presentation",
                    pdfgen.dossier_presentation(
                        operation=op, commune_nom=d.commune, zone=zone, raison_sociale=b.raison_sociale, pages=4
                    ),
                )
            advance()
    runtime.dispatcher.drain()

    say("Import des référentiels territoriaux d'exemple (valeurs fictives)")
    import_sample_referentials(runtime)
    say("Envoi des dossiers (le dépôt est définitif)")
    with progress("Dossiers envoyés", len(dossiers)) as advance:
        for d in dossiers:
            sent = clients[d.bailleur].send(d.dossier_id)
            d.sent_at = sent["envoi"]["sent_at"]
            advance()
    say("Contrôle de complétude, numérotation, notifications…")
    runtime.dispatcher.drain()

    instructor = AmiClient(runtime.api_url, login_instructor(runtime))
    rows = instructor.call("GET", "/instruction/dossiers")
    numbered = sorted(rows, key=lambda r: r["deposit_number"])
    incomplete = []
    for d in dossiers:
        got = clients[d.bailleur].call("GET", f"/dossiers/{d.dossier_id}")
        status = got["dossier"]["status"] if "dossier" in got else got["status"]
        reasons = (got.get("dossier") or got).get("incomplete_reasons", [])
        if status != d.expect:
            problems.append(f"« {d.nom} » : statut {status}, attendu {d.expect}")
        if status == "incomplet":
            incomplete.append({"nom": d.nom, "commune": d.commune, "reasons": [r["message"] for r in reasons]})

    problems += check_numbering(numbered, dossiers)
    quarantined = quarantine_listing(runtime)
    expected_bad = sum(1 for d in dossiers if d.bad_upload)
    if len(quarantined) != expected_bad:
        problems.append(f"{len(quarantined)} fichiers en quarantaine, {expected_bad} attendus")

    from infra.mailbox import captured_emails

    emails = captured_emails(endpoint)
    problems += check_emails(emails, numbered, dossiers)
    items = peek_work_items(runtime)
    if [i["deposit_number"] for i in items] != [r["deposit_number"] for r in numbered]:
        problems.append("la file d'instruction ne suit pas l'ordre des numéros")
    scores = [instructor.call("GET", f"/instruction/dossiers/{r['dossier_id']}")["dossier"] for r in numbered]
    problems += check_scores(scores)

    from infra.demo.drom import check_drom_emails, run_drom

    outcomes, found = run_drom(runtime, clients, instructor, say)
    problems += found
    drom_emails = captured_emails(endpoint)[len(emails):]
    problems += check_drom_emails(drom_emails, outcomes)
    problems += check_audit_and_dlqs(runtime)
    return DemoResult(numbered, incomplete, quarantined, emails, items, problems, refused, scores, outcomes)


def register_bailleurs(runtime: LocalRuntime) -> list[AmiClient]:
    """Register the demo's bailleurs through the API (form, then the code received by email); their
    logged-in clients, in BAILLEURS order."""
    from infra.client import AmiClient, login, register

    clients = []
    for b in BAILLEURS:
        register(runtime.api_url, runtime.emulation.endpoint, {
            "raison_sociale": b.raison_sociale,
            "siren": b.siren,
            "forme_juridique": b.forme_juridique,
            "adresse": b.adresse,
            "email_contact": b.email,
            "mot_de_passe": PASSWORD,
        })
        token = login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, b.email, PASSWORD)
        clients.append(AmiClient(runtime.api_url, token))
    return clients


def login_instructor(runtime: LocalRuntime) -> str:
    from infra.client import login
    from infra.ops import add_instructor

    secret = add_instructor(runtime.stack, *INSTRUCTOR)
    return login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, *INSTRUCTOR, totp_secret=secret)


SAMPLE_REFERENTIALS = ("dynamisme_economique", "saturation_demande_li")


def import_sample_referentials(runtime: LocalRuntime) -> None:
    """The project's sample tables (fictitious values, recorded as such), so that every criterion is fed."""
    from pathlib import Path

    from ami.adapters.referentiels import ReferentielStore
    from ami.domain.referentiel import SAMPLE_PREFIX, SAMPLE_SOURCE

    app = runtime.functions.app
    store = ReferentielStore(app.settings, app.aws)  # what `ami referentiel import` writes with
    folder = Path(__file__).resolve().parents[1] / "referentiels"
    for nom in SAMPLE_REFERENTIALS:
        path = folder / f"{SAMPLE_PREFIX}{nom}.csv"
        store.import_file(nom, path.read_bytes(), "ops:demo", source=f"{SAMPLE_SOURCE} ({path.name})",
                          fichier=path.name)
