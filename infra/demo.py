"""`ami demo`: the whole deposit flow on the local stack, as bailleurs and instructors would live it.

Four bailleurs of different legal forms register; twelve operations across every zone of the ABC
zoning are entered; realistic French PDFs are generated and uploaded through the presigned POSTs;
some dossiers are incomplete, some files are bad; every dossier is sent; the pipeline runs; and the
outcome is checked against what must hold. The exit code is non-zero if anything is lost or
inconsistent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ami.domain.models import Loan, LoanKind, Logements, Operation

PASSWORD = "Demo-AMI-garantie-2026!"
INSTRUCTOR = ("instruction@actionlogement.fr", "Instructeur-AMI-2026!")


def luhn_siren(prefix: str) -> str:
    """Complete an 8-digit prefix into a SIREN whose Luhn key is right."""
    from ami.domain.rules import luhn_ok

    return next(prefix + str(d) for d in range(10) if luhn_ok(prefix + str(d)))


@dataclass(frozen=True)
class DemoBailleur:
    raison_sociale: str
    forme_juridique: str
    siren: str
    email: str
    adresse: str


BAILLEURS = [
    DemoBailleur(
        "Habitat Rhône Intermédiaire",
        "filiale_lli_sa_hlm",
        luhn_siren("41203579"),
        "garanties@habitat-rhone.example",
        "12 quai Perrache, 69002 Lyon",
    ),
    DemoBailleur(
        "Office Métropolitain de l'Habitat",
        "oph",
        luhn_siren("27750015"),
        "financements@omh.example",
        "21 bis rue Claude-Bernard, 75005 Paris",
    ),
    DemoBailleur(
        "SEM Habitat Bourgogne",
        "sem",
        luhn_siren("38640421"),
        "direction.financiere@sem-bourgogne.example",
        "4 place Darcy, 21000 Dijon",
    ),
    DemoBailleur(
        "Coopérative Logis Atlantique",
        "sa_cooperative_hlm",
        luhn_siren("57880124"),
        "contact@logis-atlantique.example",
        "3 allée Baco, 44000 Nantes",
    ),
]


@dataclass
class DemoDossier:
    """One operation of the scenario, and what must become of it."""

    bailleur: int
    nom: str
    insee: str
    commune: str
    logements: Logements
    surface_habitable: int
    loyer_m2: Decimal
    loans: list[tuple[LoanKind, int, int]]  # (kind, amount €, months)
    expect: str = "complet"
    missing_piece: str | None = None
    bad_upload: tuple[str, str] | None = None  # (piece, kind of bad file) uploaded first
    fix_after_bad: bool = False
    drop_field: str | None = None
    dossier_id: str = ""
    sent_at: str = ""
    notes: list[str] = field(default_factory=list)

    def operation(self) -> Operation:
        su = Decimal(self.surface_habitable) * Decimal("1.06")
        op = Operation(
            nom=self.nom,
            commune_insee=self.insee,
            adresse=f"Îlot {self.nom.split()[-1]}, {self.commune}",
            logements=self.logements,
            surface_habitable_m2=Decimal(self.surface_habitable),
            surface_utile_m2=su.quantize(Decimal("0.01")),
            loyer_mensuel_total_eur=(su * self.loyer_m2).quantize(Decimal("0.01")),
            date_debut_travaux=date(2027, 3, 1),
        )
        if self.drop_field:
            return op.model_copy(update={self.drop_field: None})
        return priority2_form(op, self)  # issue 17: dwellings line by line, transport, services, DPE

    def prets(self) -> list[Loan]:
        return [
            Loan(kind=k, produit="PLI", montant_eur=Decimal(a), duree_mois=m, marge_pct=Decimal("0.60"))
            for k, a, m in self.loans
        ]


def scenario() -> list[DemoDossier]:
    L = Logements
    return [
        DemoDossier(
            1,
            "Résidence Buffon",
            "75056",
            "Paris",
            L(t1=6, t2=14, t3=10, t4=4),
            2150,
            Decimal("18.20"),
            [("foncier", 3_200_000, 720), ("bati", 9_850_000, 480)],
        ),
        DemoDossier(
            0,
            "Les Terrasses de Gerland",
            "69123",
            "Lyon",
            L(t2=18, t3=16, t4=6),
            2600,
            Decimal("13.40"),
            [("foncier", 1_450_000, 600), ("bati", 7_300_000, 480)],
        ),
        DemoDossier(
            2,
            "Clos des Ducs",
            "21231",
            "Dijon",
            L(t2=8, t3=10, t4=4),
            1480,
            Decimal("10.90"),
            [("bati", 3_950_000, 480)],
        ),
        DemoDossier(
            2,
            "Domaine des Hospices",
            "21054",
            "Beaune",
            L(t2=6, t3=6),
            780,
            Decimal("9.50"),
            [("bati", 1_900_000, 420)],
            expect="incomplet",
            missing_piece="dossier_presentation",
        ),
        DemoDossier(
            2,
            "Résidence de la Creuse",
            "23096",
            "Guéret",
            L(t2=4, t3=6, t4=2),
            820,
            Decimal("8.70"),
            [("bati", 1_350_000, 420)],
        ),
        DemoDossier(
            3,
            "Quai des Chartrons",
            "33063",
            "Bordeaux",
            L(t1=4, t2=12, t3=8),
            1590,
            Decimal("12.80"),
            [("foncier", 1_100_000, 600), ("bati", 5_200_000, 480)],
            expect="incomplet",
            bad_upload=("lettre_offre", "chiffre"),
        ),
        DemoDossier(
            3,
            "Île de Nantes — Prairie",
            "44109",
            "Nantes",
            L(t2=10, t3=12, t4=4),
            1850,
            Decimal("11.90"),
            [("bati", 5_600_000, 480)],
            bad_upload=("dossier_presentation", "pas_un_pdf"),
            fix_after_bad=True,
        ),
        DemoDossier(
            1,
            "Euralille Horizon",
            "59350",
            "Lille",
            L(t1=8, t2=16, t3=8),
            2050,
            Decimal("12.10"),
            [("foncier", 2_050_000, 600), ("bati", 6_900_000, 480)],
        ),
        DemoDossier(
            0,
            "Belle de Mai",
            "13055",
            "Marseille",
            L(t2=12, t3=10, t5=2),
            1700,
            Decimal("12.60"),
            [("bati", 5_100_000, 480)],
            expect="incomplet",
            drop_field="surface_utile_m2",
        ),
        DemoDossier(
            0,
            "Montaudran Aerospace",
            "31555",
            "Toulouse",
            L(t2=14, t3=12, t4=6),
            2300,
            Decimal("11.40"),
            [("foncier", 1_700_000, 600), ("bati", 6_400_000, 480)],
        ),
        DemoDossier(
            1,
            "Ravine Blanche",
            "97411",
            "Saint-Denis (La Réunion)",
            L(t2=10, t3=10, t4=4),
            1760,
            Decimal("11.20"),
            [("bati", 4_800_000, 480)],
        ),
        DemoDossier(
            3,
            "Les Balcons du Lac",
            "74010",
            "Annecy",
            L(t2=8, t3=8, t4=4, t6_plus=1),
            1600,
            Decimal("13.80"),
            [("foncier", 1_900_000, 600), ("bati", 4_700_000, 480)],
        ),
    ]


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


def run(runtime: Any, say: Callable[[str], None], progress: Callable[[str, int], Any]) -> DemoResult:
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
            sent = clients[d.bailleur].call("POST", f"/dossiers/{d.dossier_id}/envoi")
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
    problems += check_audit_and_dlqs(runtime)
    scores = [instructor.call("GET", f"/instruction/dossiers/{r['dossier_id']}")["dossier"] for r in numbered]
    problems += check_scores(scores)
    return DemoResult(numbered, incomplete, quarantined, emails, items, problems, refused, scores)


def register_bailleurs(runtime: Any) -> list[Any]:
    """Register the demo's bailleurs through the API; their logged-in clients, in BAILLEURS order."""
    from infra.client import AmiClient, login

    public, clients = AmiClient(runtime.api_url), []
    for b in BAILLEURS:
        public.call(
            "POST",
            "/inscription",
            {
                "raison_sociale": b.raison_sociale,
                "siren": b.siren,
                "forme_juridique": b.forme_juridique,
                "adresse": b.adresse,
                "email_contact": b.email,
                "mot_de_passe": PASSWORD,
            },
        )
        token = login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, b.email, PASSWORD)
        clients.append(AmiClient(runtime.api_url, token))
    return clients


def login_instructor(runtime: Any) -> str:
    from infra.client import login
    from infra.ops import add_instructor

    add_instructor(runtime.stack, *INSTRUCTOR)
    return login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, *INSTRUCTOR)


def check_numbering(numbered: list[dict[str, Any]], dossiers: list[DemoDossier]) -> list[str]:
    problems = []
    numbers = [r["deposit_number"] for r in numbered]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"numéros non consécutifs : {numbers}")
    expected = [d.dossier_id for d in sorted(dossiers, key=lambda d: d.sent_at) if d.expect == "complet"]
    if [r["dossier_id"] for r in numbered] != expected:
        problems.append("les numéros ne suivent pas l'ordre de dépôt")
    return problems


def check_emails(emails: list[Any], numbered: list[dict[str, Any]], dossiers: list[DemoDossier]) -> list[str]:
    from ami.domain.dispositif import dispositif

    problems = []
    mailbox = [e for e in emails if dispositif().mailbox in e.to]
    if len(mailbox) != len(numbered):
        problems.append(f"{len(mailbox)} courriels à la boîte ami.garantie, {len(numbered)} attendus")
    receipts = [e for e in emails if "accusé" in e.subject.lower() or "accuse" in e.subject.lower()]
    if len(receipts) != len(numbered):
        problems.append(f"{len(receipts)} accusés de réception, {len(numbered)} attendus")
    incomplete = [e for e in emails if "incomplet" in e.subject.lower()]
    expected = sum(1 for d in dossiers if d.expect == "incomplet")
    if len(incomplete) != expected:
        problems.append(f"{len(incomplete)} courriels « incomplet », {expected} attendus")
    return problems


def quarantine_listing(runtime: Any) -> list[dict[str, str]]:
    import boto3

    s3 = boto3.session.Session().client("s3", endpoint_url=runtime.emulation.endpoint)
    bucket = runtime.stack.physical["QuarantineBucket"]
    out = []
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=obj["Key"])["TagSet"]}
        out.append({"key": obj["Key"], "motif": tags.get("motif", "?"), "size": str(obj["Size"])})
    return out


def peek_work_items(runtime: Any) -> list[dict[str, Any]]:
    """Read the instruction queue without consuming it (visibility is given back at once)."""
    import json

    import boto3

    sqs = boto3.session.Session().client("sqs", endpoint_url=runtime.emulation.endpoint)
    url = runtime.stack.physical["InstructionQueue"]
    seen: list[dict[str, Any]] = []
    handles = []
    for _ in range(20):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            break
        for m in messages:
            seen.append(json.loads(m["Body"]))
            handles.append(m["ReceiptHandle"])
    for h in handles:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=0)
    return seen


def check_audit_and_dlqs(runtime: Any) -> list[str]:
    import boto3
    from ami.domain.audit import verify_chain

    store = runtime.functions.app.store
    problems = [f"journal d'audit : {p}" for p in verify_chain(store.audit_entries())]
    sqs = boto3.session.Session().client("sqs", endpoint_url=runtime.emulation.endpoint)
    for name, url in runtime.stack.physical.items():
        if name.endswith("DLQ"):
            count = int(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                    "ApproximateNumberOfMessages"
                ]
            )
            if count:
                problems.append(f"{count} message(s) dans la file d'erreurs {name}")
    pending = store.pending_envois()
    if pending:
        problems.append(f"{len(pending)} envoi(s) encore en attente de conclusion")
    return problems


def wait(seconds: float) -> None:
    time.sleep(seconds)


# ---------------------------------------------------------------- priority 2 (issue 17)

# Typical surface habitable of one dwelling of each typology: the operation's surface is shared in proportion.
TYPICAL_M2 = {"t1": 25, "t1_bis": 30, "t2": 45, "t3": 62, "t4": 79, "t5": 96, "t6_plus": 110}
SAMPLE_REFERENTIALS = ("dynamisme_economique", "saturation_demande_li")


def priority2_form(op: Operation, d: DemoDossier) -> Operation:
    """The form's detail the priority-2 score reads: one line per typology (surfaces and rent of one dwelling,
    the totals derived from them), the nearest stop (or the page of the presentation), services, DPE class."""
    counts = {t: n for t, n in d.logements.model_dump().items() if n}
    typical_total = sum(TYPICAL_M2[t] * n for t, n in counts.items())
    lines = []
    for t, n in counts.items():
        sh = (Decimal(d.surface_habitable) * TYPICAL_M2[t] / typical_total).quantize(Decimal("0.01"))
        su = (sh * Decimal("1.06")).quantize(Decimal("0.01"))
        lines.append({"typologie": t, "nombre": n, "surface_habitable_m2": sh, "surface_utile_m2": su,
                      "loyer_mensuel_eur": (su * d.loyer_m2).quantize(Decimal("0.01"))})
    transport = {"voir_page": 2} if d.bailleur == 2 else {"distance_m": 150}  # the presentation: bus at 150 m
    return Operation.model_validate({
        **op.model_dump(exclude={"logements", "surface_habitable_m2", "surface_utile_m2", "loyer_mensuel_total_eur"},
                        exclude_none=True),
        "lignes": lines, "transport": transport, "qualite_construction": {"classe_dpe": "A"},
        "services_proximite": {"rayon_m": 900, "services": ["commerces", "ecoles", "creches"]},
    })


def import_sample_referentials(runtime: Any) -> None:
    """The project's sample tables (fictitious values, recorded as such), so that every criterion is fed."""
    from pathlib import Path

    from ami.domain.referentiel import SAMPLE_PREFIX, SAMPLE_SOURCE

    folder = Path(__file__).resolve().parent / "referentiels"
    for nom in SAMPLE_REFERENTIALS:
        path = folder / f"{SAMPLE_PREFIX}{nom}.csv"
        runtime.functions.app.referentiels.import_file(nom, path.read_bytes(), "ops:demo",
                                                       source=f"{SAMPLE_SOURCE} ({path.name})", fichier=path.name)


def check_scores(dossiers: list[dict[str, Any]]) -> list[str]:
    """Every criterion of every numbered dossier is evaluated; the only exception allowed is one the grid
    itself cannot feed (the overseas rent ceilings, not entered), and it must say who provides it."""
    problems = []
    for d in dossiers:
        s = d.get("scoring")
        if not s:
            problems.append(f"dossier n° {d['deposit_number']} : pas de score de priorité 2")
            continue
        for c in s["criteres"]:
            if c["statut"] == "evalue":
                continue
            if c["a_fournir_par"] != "exploitation" or c["code"] != "niveau_loyer":
                problems.append(f"dossier n° {d['deposit_number']} : critère {c['code']} non évalué "
                                f"({c['explication']})")
    return problems
