"""The test corpus: generated PDFs that differ the way real letters do, each with its ground truth.

Deterministic (seeded): the same documents on every machine, generated at test time, nothing binary
committed. `python tests/corpus/corpus.py OUT_DIR` writes them out to look at them.

Letters vary by layout (loan table, one block per loan, blocks in two columns), amount format (no-break
spaces, plain spaces, dots, no grouping, "EUR"), amounts in words beside the figures, one to six loans,
tables pushed across a page break, offer or intention. Dossiers vary by typology and surfaces. The bad
files cover every refusal code.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ami.domain.models import Loan, Logements, Operation

from infra import pdfgen

SEED = 20250601
BAILLEURS = (
    ("Habitat Forézien SA d'HLM", "732829320"),
    ("Logis Cévenol", "552100554"),
    ("Immobilière Rhône-Alpes", "443061841"),
    ("Foncière Logement Intermédiaire Atlantique", "383474814"),
)
OPERATIONS = (
    ("Les Jardins d'Émile", "Saint-Étienne"),
    ("Résidence du Parc", "Villeurbanne"),
    ("Le Clos des Vignes", "Mâcon"),
    ("Cœur de Ville", "Aix-en-Provence"),
    ("Les Terrasses de l'Erdre", "Nantes"),
)
LAYOUTS = ("table", "blocks", "columns")
STYLES = ("nbsp", "space", "dots", "plain", "eur")


@dataclass
class Document:
    name: str
    piece: str
    data: bytes
    truth: dict[str, Any] = field(default_factory=dict)  # field name -> expected value (JSON form)


def _amount(rng: random.Random) -> Decimal:
    whole = rng.choice([rng.randrange(50_000, 999_999), rng.randrange(1_000_000, 9_999_999)])
    cents = rng.choice([0, 0, rng.randrange(1, 100)])
    return Decimal(whole) + Decimal(cents) / 100


def _loans(rng: random.Random, count: int) -> tuple[list[Loan], list[pdfgen.LoanTerms]]:
    loans, terms = [], []
    for number in range(count):
        kind = "foncier" if number == 0 or rng.random() < 0.3 else "bati"
        fixed = rng.random() < 0.2
        loans.append(Loan(
            kind=kind, produit=rng.choice(["PLI", "PLI", "PLS", "PHB"]), montant_eur=_amount(rng),
            duree_mois=rng.choice([300, 360, 480, 486, 600]),
            index="taux_fixe" if fixed else "livret_a",
            marge_pct=Decimal(rng.choice(["3.20", "2.85"] if fixed else ["0.60", "1.11", "-0.20"])),
        ))
        terms.append(pdfgen.LoanTerms(
            prefinancement_mois=rng.choice([0, 12, 18, 24]), differe_mois=rng.choice([0, 0, 12, 24]),
            profil=rng.choice(["progressif", "constant"]),
            periodicite=rng.choice(["annuelle", "annuelle", "trimestrielle"]),
        ))
    return loans, terms


def _letter_truth(*, kind: str, reference: str, date_lettre: dt.date, validity_months: int, bailleur: tuple[str, str],
                  operation: tuple[str, str], loans: list[Loan], terms: list[pdfgen.LoanTerms],
                  layout: str) -> dict[str, Any]:
    truth: dict[str, Any] = {
        "type_lettre": kind, "reference": reference, "date_lettre": date_lettre.isoformat(),
        "date_validite": pdfgen.add_months(date_lettre, validity_months).isoformat(),
        "emprunteur.raison_sociale": bailleur[0], "emprunteur.siren": bailleur[1],
        "operation.nom": operation[0], "operation.commune": operation[1],
        "prets.nombre": len(loans),
        "montant_total_eur": f"{sum((loan.montant_eur for loan in loans), Decimal(0)):.2f}",
        "garantie.garant": "Action Logement Services", "garantie.quotite_pct": "100",
    }
    for i, (loan, term) in enumerate(zip(loans, terms, strict=True)):
        p = f"prets[{i}]."
        truth |= {
            p + "produit": loan.produit, p + "nature": loan.kind, p + "montant_eur": f"{loan.montant_eur:.2f}",
            p + "duree_amortissement_mois": loan.duree_mois, p + "duree_prefinancement_mois": term.prefinancement_mois,
            p + "periodicite": term.periodicite, p + "index": loan.index, p + "marge_pct": f"{loan.marge_pct:.2f}",
            p + "type_taux": "revisable" if loan.index == "livret_a" else "fixe",
        }
        if layout != "table":
            truth |= {p + "profil_amortissement": term.profil, p + "differe_mois": term.differe_mois,
                      p + "garantie": "Action Logement Services"}
    return truth


def letters(count: int = 30) -> list[Document]:
    rng = random.Random(SEED)
    docs = []
    for number in range(count):
        layout = LAYOUTS[number % len(LAYOUTS)]
        style = STYLES[(number // len(LAYOUTS)) % len(STYLES)]
        loan_count = 1 + number % 6
        bailleur = BAILLEURS[number % len(BAILLEURS)]
        operation = OPERATIONS[number % len(OPERATIONS)]
        loans, terms = _loans(rng, loan_count)
        kind = "intention" if number % 7 == 3 else "offre"
        date_lettre = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
        validity = rng.choice([3, 6])
        reference = f"BDT-{date_lettre.year}-{rng.randrange(10, 99999):05d}"
        preamble = 6 if number % 4 == 1 else 0  # pushes the loans across a page break
        data = pdfgen.lettre_offre(
            raison_sociale=bailleur[0], siren=bailleur[1], operation=operation[0], commune=operation[1],
            loans=loans, reference=reference, date_lettre=date_lettre, layout=layout,  # type: ignore[arg-type]
            amount_style=style, words=layout != "table" and number % 2 == 0, kind=kind,  # type: ignore[arg-type]
            terms=terms, preamble=preamble, validity_months=validity,
        )
        truth = _letter_truth(kind=kind, reference=reference, date_lettre=date_lettre, validity_months=validity,
                              bailleur=bailleur, operation=operation, loans=loans, terms=terms, layout=layout)
        docs.append(Document(f"lettre-{number:02d}-{layout}-{style}-{loan_count}p.pdf", "lettre_offre", data, truth))
    return docs


def dossiers(count: int = 6) -> list[Document]:
    rng = random.Random(SEED + 1)
    docs = []
    for number in range(count):
        logements = Logements(t1=rng.randrange(0, 5), t2=rng.randrange(2, 15), t3=rng.randrange(2, 15),
                              t4=rng.randrange(0, 6), t5=rng.randrange(0, 3))
        surface = Decimal(rng.randrange(800, 4000)) + Decimal(rng.choice([0, 5])) / 10
        utile = surface + Decimal(rng.randrange(20, 200))
        rent = (surface * Decimal("14.2")).quantize(Decimal("1"))
        nom, commune = OPERATIONS[number % len(OPERATIONS)]
        operation = Operation(nom=nom, logements=logements, surface_habitable_m2=surface, surface_utile_m2=utile,
                              loyer_mensuel_total_eur=rent, date_debut_travaux=dt.date(2026, 1 + number, 1))
        pages = 5 + number * 3
        data = pdfgen.dossier_presentation(operation=operation, commune_nom=commune, zone="B1",
                                           raison_sociale=BAILLEURS[number % len(BAILLEURS)][0], pages=pages)
        truth: dict[str, Any] = {
            "logements.total": logements.total, "surface_habitable_m2": f"{surface.normalize():f}",
            "surface_utile_m2": f"{utile.normalize():f}", "loyer_mensuel_total_eur": f"{rent:.2f}",
            "loyer_m2_eur": f"{(rent / surface).quantize(Decimal('0.01')):.2f}",
            "energie.re2020": "RE 2020", "energie.dpe": "A", "energie.labels": "NF Habitat HQE",
            "environnement.transports": "bus 150 m ; gare 1,2 km",
        }
        for typ in ("t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus"):
            truth[f"logements.{typ}"] = getattr(logements, typ)
        docs.append(Document(f"dossier-{number:02d}-{pages}p.pdf", "dossier_presentation", data, truth))
    return docs


def _wrong_slot() -> bytes:
    return dossiers(1)[0].data


BAD_FILES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # name: (generator, slot it is uploaded into, expected refusal code)
    "vide.pdf": (lambda: b"", "lettre_offre", "vide_octets"),
    "document.docx": (pdfgen.not_a_pdf, "lettre_offre", "pas_un_pdf"),
    "tronque.pdf": (pdfgen.truncated_pdf, "lettre_offre", "corrompu"),
    "chiffre.pdf": (lambda: pdfgen.encrypted_pdf("secret"), "lettre_offre", "chiffre"),
    "chiffre-sans-mot-de-passe.pdf": (lambda: pdfgen.encrypted_pdf(""), "lettre_offre", "chiffre"),
    "sans-page.pdf": (pdfgen.empty_pdf, "lettre_offre", "sans_page"),
    "javascript.pdf": (pdfgen.javascript_pdf, "lettre_offre", "javascript"),
    "javascript-masque.pdf": (pdfgen.hidden_javascript_pdf, "lettre_offre", "javascript"),
    "javascript-objstm.pdf": (pdfgen.object_stream_javascript_pdf, "lettre_offre", "javascript"),
    "lancement.pdf": (pdfgen.launch_pdf, "lettre_offre", "action_lancement"),
    "executable.pdf": (pdfgen.executable_attachment_pdf, "lettre_offre", "piece_jointe_executable"),
    "elf.pdf": (lambda: pdfgen.executable_attachment_pdf(True), "lettre_offre", "piece_jointe_executable"),
    "bombe.pdf": (lambda: pdfgen.bomb_pdf(128), "lettre_offre", "bombe_decompression"),
    "bombe-double.pdf": (lambda: pdfgen.bomb_pdf(128, stages=2), "lettre_offre", "bombe_decompression"),
    "dossier-comme-lettre.pdf": (_wrong_slot, "lettre_offre", "mauvaise_piece"),
    "lettre-comme-dossier.pdf": (lambda: letters(1)[0].data, "dossier_presentation", "mauvaise_piece"),
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for doc in [*letters(), *dossiers()]:
        (out / doc.name).write_bytes(doc.data)
    for name, (make, _, _) in BAD_FILES.items():
        (out / name).write_bytes(make())


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-out"))
