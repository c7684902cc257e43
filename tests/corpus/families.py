"""Layout families of Banque des Territoires letters, as issue 14 describes real ones, each with variants
and the ground truth of every loan field.

Ten families. The first five (`DEVELOPMENT`) are the ones the extractor was written and tuned on; the
other five (`HELD_OUT`) were written from the same descriptions before the extractor read any of them,
and are only measured (tests/unit/test_extraction_families.py prints both halves apart). Deterministic:
each variant is seeded by its family and number.

Scored loan fields: nature, amount, amortisation and préfinancement months, margin (for Livret A loans;
a fixed-rate loan has no margin and must not be given one), plus the product and index where the letter
says them. `autre_garant` says whether the letter names another guarantor than Action Logement.
"""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fpdf import FPDF

from infra import pdfgen

NBSP = "\u00a0"
_SUBSTITUTES = str.maketrans({"\u202f": NBSP, "\u2009": " ", "\u2011": "-", "\u2212": "-", "\u2010": "-"})

BAILLEURS = (
    ("Habitat Forézien SA d'HLM", "732829320"),
    ("Logis Cévenol", "552100554"),
    ("Immobilière Rhône-Alpes", "443061841"),
    ("Foncière Logement Intermédiaire Atlantique", "383474814"),
)
OPERATIONS = (
    ("Les Jardins d'Émile", "Saint-Étienne"), ("Résidence du Parc", "Villeurbanne"), ("Le Clos des Vignes", "Mâcon"),
    ("Cœur de Ville", "Dijon"), ("Les Terrasses de l'Erdre", "Nantes"), ("Quai des Arts", "Besançon"),
)  # fmt: skip

# Other guarantors, as letters word them: half for development, half held out with their families.
GUARANTORS_DEVELOPMENT = (
    "Les prêts sont garantis par la commune de {commune} à hauteur de 50 %.",
    "Cette ligne bénéficie de la garantie de Dijon Métropole pour 100 % de son montant.",
    "Le prêt foncier bénéficie de la caution de la collectivité à hauteur de 50 %.",
    "Les prêts bâti sont assortis de la garantie du département.",
    "Le solde est couvert par une garantie accordée par le Conseil départemental de la Côte-d'Or.",
)
GUARANTORS_HELD_OUT = (
    "Les emprunts sont cautionnés par la Ville de Lyon pour moitié.",
    "Une garantie d'emprunt de la Communauté d'agglomération du Grand Besançon est sollicitée à 50 %.",
    "La Région Bourgogne-Franche-Comté apporte sa caution solidaire sur le prêt PLI bâti.",
    "Les lignes du prêt seront garanties à 100 % par la CGLLS.",
    "Une garantie de l'Eurométropole de Strasbourg couvre 25 % des sommes dues.",
)


@dataclass
class LoanSpec:
    produit: str
    nature: str  # foncier | bati
    montant: Decimal
    prefinancement: int  # months, 0 = none
    amortissement: int  # months
    index: str  # livret_a | taux_fixe
    marge: Decimal  # the margin over Livret A, or the fixed rate
    periodicite: str
    differe: int


@dataclass
class Letter:
    name: str
    family: str
    data: bytes
    loans: list[LoanSpec]
    siren: str
    autre_garant: bool
    says_product: bool = True
    says_index: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def truth(self) -> dict[str, Any]:
        out: dict[str, Any] = {"prets.nombre": len(self.loans)}
        for i, loan in enumerate(self.loans):
            p = f"prets[{i}]."
            out |= {p + "nature": loan.nature, p + "montant_eur": f"{loan.montant:.2f}",
                    p + "duree_amortissement_mois": loan.amortissement,
                    p + "duree_prefinancement_mois": loan.prefinancement}
            if loan.index == "livret_a" or self.extra.get("marge_taux_fixe"):
                out[p + "marge_pct"] = f"{loan.marge:.2f}"
            if self.says_product:
                out[p + "produit"] = loan.produit
            if self.says_index:
                out[p + "index"] = loan.index
        return out


# ---------------------------------------------------------------- drawing


class Pdf(FPDF):
    def __init__(self, orientation: str = "P", footer: str = "") -> None:
        super().__init__(orientation=orientation, format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.footer_text = footer
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_font("Helvetica", size=10)

    def normalize_text(self, text: str) -> str:
        text = text.translate(_SUBSTITUTES).encode("cp1252", errors="replace").decode("cp1252")
        return super().normalize_text(text)

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-12)
            self.set_font("Helvetica", size=7)
            self.cell(0, 4, f"{self.footer_text} — page {self.page_no()}/{{nb}}", align="C")
            self.set_font("Helvetica", size=10)

    def para(self, text: str, size: float = 10) -> None:
        self.set_font("Helvetica", size=size)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="J")
        self.ln(2)

    def bold(self, text: str, size: float = 10) -> None:
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=10)
        self.ln(1)


def letterhead(pdf: Pdf, bailleur: tuple[str, str], day: dt.date, reference: str, subject: str) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "Banque des Territoires", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 4, "Groupe Caisse des Dépôts — Direction régionale Bourgogne-Franche-Comté", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    pdf.set_x(pdf.w - 95)
    pdf.multi_cell(75, 5, f"{bailleur[0]}\nSIREN : {bailleur[1]}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_x(pdf.w - 95)
    pdf.cell(75, 5, f"Le {pdfgen.format_date(day)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Nos réf. : {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.bold(f"Objet : {subject}")


def closing(pdf: Pdf, guarantor: str | None, day: dt.date) -> None:
    pdf.bold("Garanties")
    pdf.para("La mise à disposition des fonds est subordonnée à l'obtention de la garantie d'Action Logement "
             "Services à hauteur de 100 % du montant de chaque Ligne du Prêt.")
    if guarantor:
        pdf.para(guarantor)
    pdf.para(f"La présente offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}.")
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")


# ---------------------------------------------------------------- formats


def amount(value: Decimal, style: str, symbol: bool = True) -> str:
    """nbsp, space, dots, nocents (no cents when there are none), euros (the word)."""
    whole = value == value.to_integral_value()
    digits = f"{value:,.0f}" if style == "nocents" and whole else f"{value:,.2f}"
    if style == "dots":
        text = digits.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    else:
        text = digits.replace(",", NBSP if style == "nbsp" else " ").replace(".", ",")
    if not symbol:
        return text
    return text + (" euros" if style == "euros" else f"{NBSP}€")


def duration(months: int, unit: str) -> str:
    if unit == "mois" or months % 12:
        return f"{months} mois"
    return f"{months // 12} ans"


def percent(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",") + f"{NBSP}%"


def nature_word(loan: LoanSpec, rng: random.Random) -> str:
    if loan.nature == "foncier":
        return rng.choice(["Foncier", "foncier", "FONCIER", "Charge foncière"])
    return rng.choice(["Bâti", "bâti", "Construction", "Travaux"])


def make_loans(rng: random.Random, count: int, *, fixed: bool = True, cents: bool = True) -> list[LoanSpec]:
    loans = []
    for number in range(count):
        nature = "foncier" if number == 0 or rng.random() < 0.3 else "bati"
        is_fixed = fixed and rng.random() < 0.15
        whole = rng.choice([rng.randrange(80_000, 999_999), rng.randrange(1_000_000, 9_999_999)])
        value = Decimal(whole) + (Decimal(rng.choice([0, rng.randrange(1, 100)])) / 100 if cents else 0)
        amort_years = 60 if nature == "foncier" and rng.random() < 0.5 else rng.choice([25, 30, 40, 50])
        loans.append(LoanSpec(
            produit=rng.choice(["PLI", "PLI", "PLI", "PLS", "PHB"]), nature=nature, montant=value,
            prefinancement=rng.choice([0, 12, 18, 24, 36]), amortissement=amort_years * 12,
            index="taux_fixe" if is_fixed else "livret_a",
            marge=Decimal(rng.choice(["3.10", "2.85"])) if is_fixed else Decimal(rng.choice(["0.60", "0.75", "1.11",
                                                                                             "-0.20", "0.45"])),
            periodicite=rng.choice(["annuelle", "annuelle", "trimestrielle"]), differe=rng.choice([0, 0, 12, 24]),
        ))
    return loans


def _setup(family: str, number: int, count: int, **loan_options: Any) -> tuple[random.Random, tuple[str, str],
                                                                               tuple[str, str], dt.date, str,
                                                                               list[LoanSpec]]:
    rng = random.Random(f"{family}-{number}")
    bailleur = BAILLEURS[number % len(BAILLEURS)]
    operation = OPERATIONS[number % len(OPERATIONS)]
    day = dt.date(2025, 3, 1) + dt.timedelta(days=rng.randrange(0, 500))
    reference = f"U{rng.randrange(100000, 999999)}"
    return rng, bailleur, operation, day, reference, make_loans(rng, count, **loan_options)


def _guarantor(rng: random.Random, pool: tuple[str, ...], number: int, commune: str) -> str | None:
    if number % 2 == 0:
        return None
    return pool[(number // 2) % len(pool)].format(commune=commune)


# ---------------------------------------------------------------- the transposed table


def transposed_table(pdf: Pdf, loans: list[LoanSpec], rng: random.Random, *, style: str, unit: str, label_width: float,
                     labels: dict[str, str], nature_row: bool, font: float = 8) -> None:
    """One column per Ligne du Prêt, one row per characteristic, labels wrapping in a narrow first column."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    columns = (label_width, *([(width - label_width) / len(loans)] * len(loans)))
    rows: list[tuple[str, list[str]]] = [
        (labels["offre"],
         [loan.produit if nature_row else f"{loan.produit} {nature_word(loan, rng)}" for loan in loans]),
        (labels["identifiant"], [str(rng.randrange(5_000_000, 5_999_999)) for _ in loans]),
    ]
    if nature_row:
        rows.append((labels["nature"], [nature_word(loan, rng) for loan in loans]))
    rows += [
        (labels["montant"], [amount(loan.montant, style) for loan in loans]),
        ("Commission d'instruction", ["0" + NBSP + "€" for _ in loans]),
        (labels["prefinancement"], [duration(loan.prefinancement, unit) if loan.prefinancement else "Sans objet"
                                    for loan in loans]),
        (labels["amortissement"], [duration(loan.amortissement, unit) for loan in loans]),
        ("Périodicité des échéances", [loan.periodicite.capitalize() for loan in loans]),
        ("Index", ["Livret A" if loan.index == "livret_a" else "Taux fixe" for loan in loans]),
        (labels["marge"], [percent(loan.marge) if loan.index == "livret_a" else "Sans objet" for loan in loans]),
        ("Taux de période", [percent(loan.marge + Decimal("2.40")) if loan.index == "livret_a" else percent(loan.marge)
                             for loan in loans]),
        ("Profil d'amortissement", ["Amortissement déduit (intérêts différés)" for _ in loans]),
        ("Différé d'amortissement", [duration(loan.differe, unit) if loan.differe else "Sans objet"
                                     for loan in loans]),
    ]
    pdf.set_font("Helvetica", size=font)
    with pdf.table(col_widths=columns, text_align="LEFT", line_height=font * 0.5, padding=1.2) as table:
        for label, values in rows:
            table.row((label, *values))
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)


BDT_LABELS = {
    "offre": "Offre", "identifiant": "Identifiant de la Ligne du Prêt", "nature": "Nature du prêt",
    "montant": "Montant de la Ligne du Prêt", "prefinancement": "Durée de la période de préfinancement",
    "amortissement": "Durée de la période d'amortissement", "marge": "Marge fixe sur index",
}


def family_transpose(number: int) -> Letter:
    """A: portrait, the BdT 'Caractéristiques de chaque Ligne du Prêt' table, 1 to 4 lines."""
    rng, bailleur, operation, day, reference, loans = _setup("A", number, 1 + number % 4)
    pdf = Pdf(footer=f"Offre de prêt {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — opération « {operation[0]} » à {operation[1]}")
    pdf.para("Madame, Monsieur, la Caisse des Dépôts et Consignations vous consent un Prêt composé des Lignes du "
             "Prêt décrites ci-dessous, pour le financement de l'opération susvisée.")
    pdf.bold("Caractéristiques de chaque Ligne du Prêt")
    transposed_table(pdf, loans, rng, style=["nbsp", "space", "dots"][number % 3], unit="ans",
                     label_width=rng.choice([38, 44, 52]), labels=BDT_LABELS, nature_row=number % 2 == 0)
    guarantor = _guarantor(rng, GUARANTORS_DEVELOPMENT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"A-transpose-{number:02d}.pdf", "A", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


# ---------------------------------------------------------------- one block per line


def family_line_blocks(number: int) -> Letter:
    """B: 'Ligne 1 – PLI Foncier (charge foncière)' then Montant, Durée totale … dont …, Taux, Échéances."""
    rng, bailleur, operation, day, reference, loans = _setup("B", number, 1 + number % 5, fixed=False)
    pdf = Pdf(footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de financement — « {operation[0]} », {operation[1]}")
    pdf.para("Nous avons le plaisir de vous adresser notre offre de financement pour l'opération citée en objet, "
             "composée des lignes suivantes.")
    style = ["nbsp", "nocents", "space", "dots"][number % 4]
    for index, loan in enumerate(loans, start=1):
        nature = "Foncier (charge foncière)" if loan.nature == "foncier" else "Bâti (construction)"
        pdf.bold(f"Ligne {index} – {loan.produit} {nature}", size=10)
        total = loan.prefinancement + loan.amortissement
        if loan.prefinancement:
            said = (f"Durée totale : {total} mois dont préfinancement {loan.prefinancement} mois et amortissement "
                    f"{duration(loan.amortissement, 'ans')}")
        else:
            said = f"Durée totale : {duration(total, 'ans')}, sans préfinancement"
        sign = "+" if loan.marge >= 0 else "-"
        for line in (f"Montant : {amount(loan.montant, style)}", said,
                     f"Taux : Livret A {sign} {percent(abs(loan.marge))} (taux révisable)",
                     f"Échéances : {loan.periodicite}s"):
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    guarantor = _guarantor(rng, GUARANTORS_DEVELOPMENT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"B-blocs-{number:02d}.pdf", "B", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


# ---------------------------------------------------------------- prose


def family_intention_prose(number: int) -> Letter:
    """C: lettre d'intention in prose, amounts in figures then in words, sometimes without cents or with
    'euros' spelled out."""
    rng, bailleur, operation, day, reference, loans = _setup("C", number, 1 + number % 3, fixed=False,
                                                             cents=number % 2 == 1)
    pdf = Pdf(footer=f"Lettre d'intention {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Lettre d'intention — opération « {operation[0]} »")
    pdf.para("Madame, Monsieur,")
    pdf.para(f"Vous nous avez sollicités pour le financement de l'opération « {operation[0]} » à {operation[1]}. "
             "Sous réserve de l'accord de nos comités, la Banque des Territoires envisage de vous accorder les prêts "
             "suivants.")
    style = ["nocents", "euros", "nbsp"][number % 3]
    for loan in loans:
        nature = "destiné à la charge foncière" if loan.nature == "foncier" else "destiné au financement des travaux"
        prefi = (f", précédée d'une période de préfinancement de {loan.prefinancement} mois" if loan.prefinancement
                 else ", sans période de préfinancement")
        sign = "majoré" if loan.marge >= 0 else "minoré"
        pdf.para(f"Un prêt {loan.produit} {nature}, d'un montant de {amount(loan.montant, style)} "
                 f"({pdfgen.amount_words(loan.montant)}), d'une durée d'amortissement de "
                 f"{duration(loan.amortissement, 'ans')}{prefi}, au taux du Livret A {sign} de "
                 f"{percent(abs(loan.marge))}, révisable, à échéances {loan.periodicite}s.")
    guarantor = _guarantor(rng, GUARANTORS_DEVELOPMENT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"C-intention-{number:02d}.pdf", "C", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


# ---------------------------------------------------------------- two columns written line by line


def family_two_columns(number: int) -> Letter:
    """D: two text columns, written line by line across the page (the content stream interleaves them)."""
    rng, bailleur, operation, day, reference, loans = _setup("D", number, 2 + number % 3)
    pdf = Pdf(footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — « {operation[0]} » à {operation[1]}")
    style = ["nbsp", "dots", "space"][number % 3]
    blocks = []
    for index, loan in enumerate(loans, start=1):
        lines = [f"Ligne du Prêt n° {index} : {loan.produit} {nature_word(loan, rng).lower()}",
                 f"Montant de la Ligne du Prêt : {amount(loan.montant, style)}",
                 "Durée de la période de préfinancement : "
                 + (duration(loan.prefinancement, "mois") if loan.prefinancement else "sans objet"),
                 f"Durée de la période d'amortissement : {duration(loan.amortissement, 'ans')}",
                 "Index : " + ("Livret A" if loan.index == "livret_a" else "taux fixe"),
                 "Marge fixe sur index : " + (percent(loan.marge) if loan.index == "livret_a" else "sans objet"),
                 f"Périodicité des échéances : {loan.periodicite}", ""]
        blocks.append([part for line in lines for part in (textwrap.wrap(line, 46) or [""])])
    left = [line for block in blocks[0::2] for line in block]
    right = [line for block in blocks[1::2] for line in block]
    pdf.set_font("Helvetica", size=9)
    middle = pdf.w / 2 + 2
    for row in range(max(len(left), len(right))):
        if pdf.get_y() > pdf.h - 30:
            pdf.add_page()
        y = pdf.get_y()
        if row < len(left):
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(middle - pdf.l_margin - 6, 4.6, left[row])
        if row < len(right):
            pdf.set_xy(middle, y)
            pdf.cell(pdf.w - pdf.r_margin - middle, 4.6, right[row])
        pdf.set_xy(pdf.l_margin, y + 4.6)
    pdf.ln(4)
    guarantor = _guarantor(rng, GUARANTORS_DEVELOPMENT, number, operation[1])
    closing(pdf, guarantor, day)
    # The loans in their numbers' order, whichever column they are in.
    return Letter(f"D-colonnes-{number:02d}.pdf", "D", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


# ---------------------------------------------------------------- the generator of issue 3, kept as a family


def family_legacy(number: int) -> Letter:
    """E: the letters of `infra.pdfgen` (table, blocks, columns) that the first extractor was written for."""
    from ami.domain.models import Loan

    rng, bailleur, operation, day, reference, loans = _setup("E", number, 1 + number % 4)
    layout = ("table", "blocks", "columns")[number % 3]
    models = [Loan(kind=loan.nature, produit=loan.produit, montant_eur=loan.montant, duree_mois=loan.amortissement,
                   index=loan.index, marge_pct=loan.marge) for loan in loans]  # type: ignore[arg-type]
    terms = [pdfgen.LoanTerms(prefinancement_mois=loan.prefinancement, differe_mois=loan.differe,
                              periodicite=loan.periodicite) for loan in loans]
    data = pdfgen.lettre_offre(raison_sociale=bailleur[0], siren=bailleur[1], operation=operation[0],
                               commune=operation[1], loans=models, reference=reference, date_lettre=day,
                               layout=layout, terms=terms, words=number % 2 == 0,  # type: ignore[arg-type]
                               other_guarantor=_guarantor(rng, GUARANTORS_DEVELOPMENT, number, operation[1]))
    # These letters give a fixed rate as the "margin" (marge_pct is the rate): the first extractor's contract.
    letter = Letter(f"E-historique-{number:02d}.pdf", "E", data, loans, bailleur[1], number % 2 == 1)
    letter.extra["marge_taux_fixe"] = True
    return letter


# ================================================================ held-out families (F–J)


def family_landscape_transpose(number: int) -> Letter:
    """F: landscape transposed table of 4 to 7 lines whose rows continue on the next page, header repeated;
    durations in months or years, 'Sans objet', amounts with dots or spaces."""
    rng, bailleur, operation, day, reference, loans = _setup("F", number, 4 + number % 4)
    pdf = Pdf("L", footer=f"Contrat de prêt n° {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — opération « {operation[0]} »")
    for _ in range(2 + number % 3):
        pdf.para("Le Prêteur consent à l'Emprunteur un Prêt d'un montant égal à la somme des Lignes du Prêt "
                 "ci-après, destiné exclusivement au financement de l'opération désignée, dans les conditions "
                 "du présent document et des conditions générales en vigueur à la date d'émission.")
    pdf.bold("Caractéristiques financières de chaque Ligne du Prêt")
    labels = dict(BDT_LABELS) | rng.choice([
        {"prefinancement": "Durée du préfinancement", "montant": "Montant de la Ligne du Prêt (en euros)"},
        {"amortissement": "Durée de la phase d'amortissement", "marge": "Marge sur index"},
        {},
    ])
    transposed_table(pdf, loans, rng, style=["dots", "space", "nbsp"][number % 3],
                     unit=["mois", "ans"][number % 2], label_width=rng.choice([50, 60]), labels=labels,
                     nature_row=number % 3 != 1, font=8.5)
    guarantor = _guarantor(rng, GUARANTORS_HELD_OUT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"F-paysage-{number:02d}.pdf", "F", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


def family_row_table(number: int) -> Letter:
    """G: one row per Ligne du Prêt in a landscape table crossing pages with its header repeated; amounts
    without the euro sign (the header says €)."""
    rng, bailleur, operation, day, reference, loans = _setup("G", number, 3 + number % 6)
    pdf = Pdf("L", footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêts — « {operation[0]} », {operation[1]}")
    for _ in range(3 + number % 4):
        pdf.para("Les Lignes du Prêt sont mises à disposition selon l'avancement de l'opération, sur présentation "
                 "des justificatifs habituels et après production des garanties requises par le présent contrat.")
    style = ["space", "dots", "nbsp"][number % 3]
    pdf.set_font("Helvetica", size=8.5)
    with pdf.table(col_widths=(22, 22, 26, 34, 30, 30, 28, 26, 30), text_align="LEFT", line_height=4.5,
                   padding=1) as table:
        table.row(("Ligne du Prêt", "Produit", "Nature", "Montant (€)", "Durée de préfinancement",
                   "Durée d'amortissement", "Index", "Marge", "Périodicité"))
        for index, loan in enumerate(loans, start=1):
            table.row((str(index), loan.produit, nature_word(loan, rng), amount(loan.montant, style, symbol=False),
                       duration(loan.prefinancement, "mois") if loan.prefinancement else "-",
                       duration(loan.amortissement, rng.choice(["mois", "ans"])),
                       "Livret A" if loan.index == "livret_a" else "Taux fixe",
                       percent(loan.marge) if loan.index == "livret_a" else "-", loan.periodicite.capitalize()))
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    guarantor = _guarantor(rng, GUARANTORS_HELD_OUT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"G-lignes-{number:02d}.pdf", "G", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


def family_sheets(number: int) -> Letter:
    """H: one sheet per Ligne du Prêt: a heading, then label and value side by side, no colon, labels that
    wrap."""
    rng, bailleur, operation, day, reference, loans = _setup("H", number, 1 + number % 4)
    pdf = Pdf(footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — opération « {operation[0]} » à {operation[1]}")
    style = ["nbsp", "dots", "nocents"][number % 3]
    for index, loan in enumerate(loans, start=1):
        pdf.bold(f"Ligne du Prêt n° {index}")
        rows = [
            ("Produit", loan.produit),
            ("Nature du prêt", nature_word(loan, rng)),
            ("Identifiant de la Ligne du Prêt", str(rng.randrange(5_000_000, 5_999_999))),
            ("Montant de la Ligne du Prêt", amount(loan.montant, style)),
            ("Durée de la période de préfinancement",
             duration(loan.prefinancement, "mois") if loan.prefinancement else "Sans objet"),
            ("Durée de la période d'amortissement", duration(loan.amortissement, rng.choice(["ans", "mois"]))),
            ("Index", "Livret A" if loan.index == "livret_a" else "Taux fixe"),
            ("Marge fixe sur index", percent(loan.marge) if loan.index == "livret_a" else "Sans objet"),
            ("Périodicité des échéances", loan.periodicite.capitalize()),
        ]
        pdf.set_font("Helvetica", size=9)
        with pdf.table(col_widths=(40, 60), width=100, align="LEFT", text_align="LEFT", line_height=4.2, padding=1,
                       first_row_as_headings=False) as table:
            for row in rows:
                table.row(row)
        pdf.set_font("Helvetica", size=10)
        pdf.ln(3)
    guarantor = _guarantor(rng, GUARANTORS_HELD_OUT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"H-fiches-{number:02d}.pdf", "H", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


def family_prose_words_first(number: int) -> Letter:
    """I: lettre d'intention in prose, the amount in words first and in figures after, durations in months,
    a deferral mentioned beside the préfinancement."""
    rng, bailleur, operation, day, reference, loans = _setup("I", number, 1 + number % 3, fixed=False,
                                                             cents=number % 3 == 0)
    pdf = Pdf(footer=f"Intention de financement {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, "Intention de financement")
    pdf.para(f"Madame, Monsieur, nous vous confirmons notre intention de financer l'opération « {operation[0]} » "
             f"située à {operation[1]}, dans les conditions suivantes, sous réserve de l'accord de notre comité.")
    style = ["nocents", "euros", "space"][number % 3]
    for loan in loans:
        nature = "au titre de la charge foncière" if loan.nature == "foncier" else "au titre du bâti"
        differe = f" et d'un différé d'amortissement de {loan.differe} mois" if loan.differe else ""
        prefi = (f"assorti d'un préfinancement de {loan.prefinancement} mois{differe}" if loan.prefinancement
                 else f"sans préfinancement{differe}")
        sign = "+" if loan.marge >= 0 else "-"
        pdf.para(f"- la somme de {pdfgen.amount_words(loan.montant)} ({amount(loan.montant, style)}) {nature}, "
                 f"en prêt {loan.produit}, remboursable en {loan.amortissement} mois, {prefi}, au taux du Livret A "
                 f"{sign} {percent(abs(loan.marge))} ;")
    guarantor = _guarantor(rng, GUARANTORS_HELD_OUT, number, operation[1])
    closing(pdf, guarantor, day)
    return Letter(f"I-prose-{number:02d}.pdf", "I", bytes(pdf.output()), loans, bailleur[1], guarantor is not None)


def family_columns_then_table(number: int) -> Letter:
    """J: the conditions in two prose columns, then a transposed table with 'LA + marge' rates and natures in
    their own row; amounts with no-break spaces or dots."""
    rng, bailleur, operation, day, reference, loans = _setup("J", number, 2 + number % 3)
    pdf = Pdf(footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — « {operation[0]} »")
    left = ("Les fonds sont versés sur demande de l'Emprunteur selon l'avancement des travaux. Chaque versement "
            "donne lieu à un avis. Le remboursement anticipé est possible moyennant une indemnité.")
    right = ("Les intérêts courent à compter de chaque versement. La révision du taux intervient à chaque "
             "variation du taux du Livret A, selon la formule du contrat.")
    top = pdf.get_y()
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(84, 4.5, left, align="J", new_x="LEFT", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + 90, top)
    pdf.multi_cell(84, 4.5, right, align="J", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 4)
    style = ["nbsp", "dots"][number % 2]
    width = pdf.w - pdf.l_margin - pdf.r_margin
    rows = [
        ("Ligne du Prêt", [f"Ligne {i}" for i in range(1, len(loans) + 1)]),
        ("Produit", [loan.produit for loan in loans]),
        ("Nature", [nature_word(loan, rng) for loan in loans]),
        ("Montant", [amount(loan.montant, style) for loan in loans]),
        ("Préfinancement",
         [duration(loan.prefinancement, "mois") if loan.prefinancement else "Néant" for loan in loans]),
        ("Durée d'amortissement", [duration(loan.amortissement, "ans") for loan in loans]),
        ("Taux", [f"LA + {percent(loan.marge)}" if loan.index == "livret_a" and loan.marge >= 0
                  else f"LA - {percent(-loan.marge)}" if loan.index == "livret_a" else f"Fixe {percent(loan.marge)}"
                  for loan in loans]),
    ]
    pdf.set_font("Helvetica", size=8.5)
    with pdf.table(col_widths=(40, *([(width - 40) / len(loans)] * len(loans))), text_align="LEFT", line_height=4.4,
                   padding=1) as table:
        for label, values in rows:
            table.row((label, *values))
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    guarantor = _guarantor(rng, GUARANTORS_HELD_OUT, number, operation[1])
    closing(pdf, guarantor, day)
    # "LA + 0,60 %" and "Fixe 3,10 %" say the index too (the first measurement counted it as unexpected).
    return Letter(f"J-colonnes-tableau-{number:02d}.pdf", "J", bytes(pdf.output()), loans, bailleur[1],
                  guarantor is not None)


DEVELOPMENT: dict[str, Callable[[int], Letter]] = {
    "A": family_transpose, "B": family_line_blocks, "C": family_intention_prose, "D": family_two_columns,
    "E": family_legacy,
}
HELD_OUT: dict[str, Callable[[int], Letter]] = {
    "F": family_landscape_transpose, "G": family_row_table, "H": family_sheets, "I": family_prose_words_first,
    "J": family_columns_then_table,
}
VARIANTS = 6


def letters(families: dict[str, Callable[[int], Letter]], variants: int = VARIANTS) -> list[Letter]:
    return [make(number) for make in families.values() for number in range(variants)]


def scanned(data: bytes, dpi: int = 150) -> bytes:
    """The letter as a scanner gives it back: one image a page, no text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    pdf = FPDF(format="A4")
    for page in document:
        pdf.add_page()
        pdf.image(page.render(scale=dpi / 72, grayscale=True).to_pil(), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def write(letters_to_write: list[Letter], default_folder: str) -> None:
    """`python families….py [folder]`: the letters as PDF files, to look at or to try elsewhere."""
    import sys
    from pathlib import Path

    out = Path(sys.argv[1] if len(sys.argv) > 1 else default_folder)
    out.mkdir(parents=True, exist_ok=True)
    for letter in letters_to_write:
        (out / letter.name).write_bytes(letter.data)


if __name__ == "__main__":
    write(letters(DEVELOPMENT | HELD_OUT), "corpus-familles")
