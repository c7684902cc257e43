"""Realistic French PDFs for the demo and the tests: BdT offer letters, operation dossiers, bad files.

Dev-only (fpdf2). Only the core Helvetica font is used, so the output is the same on every machine;
core fonts encode windows-1252, which has €, œ, « », — and the no-break space, and the few characters
it lacks are replaced by a close one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ami.domain.models import Loan, Logements, Operation
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

NBSP = "\u00a0"  # thousands separator: the narrow U+202F is not in windows-1252
FONT = "Helvetica"

_SUBSTITUTES = str.maketrans({"\u202f": NBSP, "\u2009": " ", "\u2011": "-", "\u2212": "-", "\u2010": "-"})
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_TYPOLOGIES: tuple[tuple[str, str, Decimal], ...] = (
    # (field of Logements, label, typical surface in m²) — typical surfaces split the total one
    ("t1", "T1", Decimal(30)),
    ("t1_bis", "T1 bis", Decimal(36)),
    ("t2", "T2", Decimal(46)),
    ("t3", "T3", Decimal(65)),
    ("t4", "T4", Decimal(82)),
    ("t5", "T5", Decimal(96)),
    ("t6_plus", "T6 et plus", Decimal(112)),
)


class _FrenchPdf(FPDF):
    """A4 document in core Helvetica, numbered pages, with any text made encodable."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.footer_text = footer_text
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_font(FONT, size=10)

    def normalize_text(self, text: str) -> str:
        text = text.translate(_SUBSTITUTES)
        text = text.encode("cp1252", errors="replace").decode("cp1252")
        return super().normalize_text(text)

    def footer(self) -> None:
        if not self.footer_text:  # a scan carries no printed text at all
            return
        self.set_y(-14)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} — page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 12) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="J")
        self.ln(2)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


# ---------------------------------------------------------------- French formats


def format_euros(amount: Decimal) -> str:
    """1 234 567,89 € with no-break spaces, so a line never breaks inside an amount.

    fpdf2 writes them as plain spaces once the line is laid out: text extracted from the PDF has
    "1 234 567,89 €".
    """
    grouped = f"{amount:,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{grouped}{NBSP}€"


def format_percent(value: Decimal, signed: bool = False) -> str:
    """0,60 % (or + 0,60 % for a margin), the French way."""
    number = f"{abs(value):.2f}".replace(".", ",")
    sign = ("- " if value < 0 else "+ ") if signed else ("-" if value < 0 else "")
    return f"{sign}{number}{NBSP}%"


def format_rate(loan: Loan) -> str:
    """Livret A + 0,60 %, or Taux fixe 3,20 % (for a fixed rate the margin is the rate itself)."""
    if loan.index == "livret_a":
        return f"Livret A {format_percent(loan.marge_pct, signed=True)}"
    return f"Taux fixe {format_percent(loan.marge_pct)}"


def format_m2(surface: Decimal) -> str:
    """1 234,5 m²."""
    return f"{surface:,.1f}".replace(",", NBSP).replace(".", ",") + f"{NBSP}m²"


def format_date(day: dt.date) -> str:
    """1er mars 2025, 12 juin 2025."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[day.month - 1]} {day.year}"


def format_duration(months: int) -> str:
    years, rest = divmod(months, 12)
    if not rest:
        return f"{years} ans"
    return f"{years} ans {rest} mois" if years else f"{rest} mois"


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the end of a shorter month (30 novembre + 3 → 28 février)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- lettre d'offre

Layout = Literal["table", "blocks", "columns"]
AmountStyle = Literal["nbsp", "space", "dots", "plain", "eur"]


@dataclass(frozen=True)
class LoanTerms:
    """What a letter says of a loan beyond the form: préfinancement, deferral, profile, periodicity."""

    prefinancement_mois: int = 0
    differe_mois: int = 0
    profil: str = "progressif"
    periodicite: str = "annuelle"


def default_terms(loan: Loan) -> LoanTerms:
    return LoanTerms(prefinancement_mois=0 if loan.kind == "foncier" else 24)


def format_amount(amount: Decimal, style: AmountStyle = "nbsp") -> str:
    """Every way a French letter writes an amount."""
    if style == "nbsp":
        return format_euros(amount)
    grouped = f"{amount:,.2f}"
    if style == "dots":
        return grouped.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + " €"
    if style == "plain":
        return f"{amount:.2f}".replace(".", ",") + " €"
    spaced = grouped.replace(",", " ").replace(".", ",")
    return spaced + (" EUR" if style == "eur" else " €")


_UNITS_FR = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
    "treize", "quatorze", "quinze", "seize",
)  # fmt: skip
_TENS_FR = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n <= 16:
        return _UNITS_FR[n]
    if n < 20:
        return "dix-" + _UNITS_FR[n - 10]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = unit + 10
        joiner = "-et-" if (tens == 7 and unit == 1) else "-"
        return base + joiner + _below_100(rest)
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _UNITS_FR[unit]
    if unit == 0:
        return _TENS_FR[tens]
    return _TENS_FR[tens] + ("-et-un" if unit == 1 else "-" + _UNITS_FR[unit])


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else _UNITS_FR[hundreds] + (" cents" if rest == 0 else " cent")
    return head if rest == 0 else head + " " + _below_100(rest)


def number_words(n: int) -> str:
    """1234567 -> 'un million deux cent trente-quatre mille cinq cent soixante-sept'."""
    if n == 0:
        return "zéro"
    parts = []
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    if millions:
        parts.append(_below_1000(millions) + (" million" if millions == 1 else " millions"))
    if thousands:
        parts.append("mille" if thousands == 1 else _below_1000(thousands).replace(" cents", " cent") + " mille")
    if units:
        parts.append(_below_1000(units))
    return " ".join(parts)


def amount_words(amount: Decimal) -> str:
    euros = int(amount)
    cents = int((amount - euros) * 100)
    text = f"{number_words(euros)} euros"
    return text + (f" et {number_words(cents)} centimes" if cents else "")


def lettre_offre(
    *,
    raison_sociale: str,
    siren: str,
    operation: str,
    commune: str,
    loans: list[Loan],
    reference: str,
    date_lettre: dt.date,
    region: str = "Île-de-France",
    layout: Layout = "table",
    amount_style: AmountStyle = "nbsp",
    words: bool = False,
    kind: Literal["offre", "intention"] = "offre",
    terms: list[LoanTerms] | None = None,
    other_guarantor: str | None = None,
    preamble: int = 0,
    validity_months: int = 3,
) -> bytes:
    """A Banque des Territoires "Lettre d'offre de prêts" (or "d'intention"), laid out as a loan table,
    one block per loan, or blocks in two columns; `preamble` paragraphs push the loans to later pages."""
    terms = terms or [default_terms(loan) for loan in loans]
    noun = "offre de prêts" if kind == "offre" else "lettre d'intention"
    pdf = _FrenchPdf(f"Banque des Territoires — {noun} {reference}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(0, 70, 140)
    pdf.cell(0, 7, f"Banque des Territoires — Direction régionale {region}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(
        0,
        4,
        "Groupe Caisse des Dépôts\nService Prêts au logement social et intermédiaire",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)

    pdf.set_font(FONT, size=10)
    pdf.set_x(115)
    pdf.multi_cell(
        75,
        5,
        f"{raison_sociale}\nSIREN : {siren}\nÀ l'attention de la Direction générale",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_x(115)
    pdf.cell(75, 5, f"Le {format_date(date_lettre)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 5, f"Nos réf. : {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 10)
    subject = "Offre de financement" if kind == "offre" else "Lettre d'intention de financement"
    pdf.multi_cell(
        0,
        5,
        f"Objet : {subject} — opération « {operation} » à {commune}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, size=10)
    pdf.ln(4)

    pdf.paragraph("Madame, Monsieur,")
    agreement = "a donné son accord pour" if kind == "offre" else "envisage favorablement"
    pdf.paragraph(
        f"Nous avons le plaisir de vous informer que la Banque des Territoires {agreement} "
        f"le financement de l'opération « {operation} », située à {commune}, portée par {raison_sociale}. "
        "Cette offre porte sur les prêts suivants, destinés au logement locatif intermédiaire :"
    )
    for number in range(preamble):
        pdf.paragraph(_PREAMBLE[number % len(_PREAMBLE)])
    total = sum((loan.montant_eur for loan in loans), Decimal(0))
    if layout == "table":
        _loan_table(pdf, loans, terms, amount_style)
        pdf.ln(3)
        pdf.heading("Conditions financières", size=10)
        for loan, term in zip(loans, terms, strict=True):
            revision = (
                "révisable à chaque variation du taux du Livret A"
                if loan.index == "livret_a"
                else "non révisable"
            )
            pdf.paragraph(
                f"- Prêt {loan.produit} {_nature(loan).lower()} de {format_amount(loan.montant_eur, amount_style)} : "
                f"taux d'intérêt {format_rate(loan)}, {revision}, sur {format_duration(loan.duree_mois)}, "
                f"échéances {term.periodicite}s."
            )
    else:
        _loan_blocks(pdf, loans, terms, amount_style, words, columns=layout == "columns")
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, f"Montant total des prêts : {format_amount(total, amount_style)}", new_x="LMARGIN",
                 new_y="NEXT")
        pdf.set_font(FONT, size=10)
        pdf.ln(2)
    pdf.heading("Garantie", size=10)
    pdf.paragraph(
        "La mise à disposition des fonds est subordonnée à l'obtention d'une garantie à hauteur de 100 % "
        "du montant des prêts, accordée par Action Logement Services au titre de son dispositif de "
        "garantie des prêts logement intermédiaire."
    )
    if other_guarantor:
        pdf.paragraph(other_guarantor)
    pdf.heading("Validité de l'offre" if kind == "offre" else "Validité", size=10)
    valid = "Offre valable" if kind == "offre" else "La présente lettre est valable"
    pdf.paragraph(
        f"{valid} jusqu'au {format_date(add_months(date_lettre, validity_months))}. Passé ce délai, et à défaut "
        "de signature du contrat de prêt, la présente offre sera caduque."
    )
    pdf.paragraph("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    pdf.ln(4)
    pdf.set_x(115)
    pdf.multi_cell(
        75,
        5,
        f"Le Directeur régional {region}\nBanque des Territoires\n\nClaire Moreau-Lefèvre",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return pdf.to_bytes()


_PREAMBLE = (
    "Le financement proposé tient compte des caractéristiques de l'opération transmises par vos services, "
    "notamment du prix de revient prévisionnel, du plan de financement et de l'équilibre d'exploitation "
    "sur la durée des prêts. Toute modification substantielle de ces éléments devra nous être signalée.",
    "Les prêts seront mis à disposition selon l'avancement des travaux, sur présentation des justificatifs "
    "habituels, après signature du contrat de prêt et production des garanties requises. Les conditions "
    "définitives seront celles du contrat.",
    "Les fonds proviennent de l'épargne réglementée centralisée par la Caisse des Dépôts ; leur coût suit "
    "l'évolution du taux de rémunération du Livret A pour les prêts indexés sur celui-ci.",
)


def _nature(loan: Loan) -> str:
    return "Foncier" if loan.kind == "foncier" else "Bâti"


def _rate_parts(loan: Loan) -> tuple[str, str]:
    if loan.index == "livret_a":
        return "Livret A", format_percent(loan.marge_pct, signed=True)
    return "Taux fixe", format_percent(loan.marge_pct)


def _loan_table(pdf: _FrenchPdf, loans: list[Loan], terms: list[LoanTerms], style: AmountStyle) -> None:
    pdf.set_font(FONT, size=8.5)
    with pdf.table(
        col_widths=(14, 16, 34, 26, 26, 34, 20),
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT", "LEFT"),
        line_height=5,
        padding=1,
    ) as table:
        table.row(("Produit", "Nature", "Montant", "Préfinancement", "Amortissement", "Taux", "Périodicité"))
        for loan, term in zip(loans, terms, strict=True):
            index, margin = _rate_parts(loan)
            table.row(
                (
                    loan.produit,
                    _nature(loan),
                    format_amount(loan.montant_eur, style),
                    format_duration(term.prefinancement_mois) if term.prefinancement_mois else "-",
                    format_duration(loan.duree_mois),
                    f"{index} {margin}",
                    term.periodicite.capitalize(),
                )
            )
        total = sum((loan.montant_eur for loan in loans), Decimal(0))
        table.row(("Total", "", format_amount(total, style), "", "", "", ""))
    pdf.set_font(FONT, size=10)


def _loan_block_lines(number: int, loan: Loan, term: LoanTerms, style: AmountStyle, words: bool) -> list[str]:
    index, margin = _rate_parts(loan)
    amount = format_amount(loan.montant_eur, style)
    if words:
        amount += f" ({amount_words(loan.montant_eur)})"
    rate_type = "révisable" if loan.index == "livret_a" else "fixe"
    return [
        f"Prêt n° {number} — {loan.produit} {_nature(loan).lower()}",
        f"Montant : {amount}",
        "Durée de préfinancement : "
        + (format_duration(term.prefinancement_mois) if term.prefinancement_mois else "néant"),
        f"Durée d'amortissement : {format_duration(loan.duree_mois)}",
        f"Périodicité des échéances : {term.periodicite}",
        f"Index : {index}" if loan.index == "livret_a" else f"Taux d'intérêt : Taux fixe {margin}",
        *([f"Marge : {margin}"] if loan.index == "livret_a" else []),
        f"Type de taux : {rate_type}",
        f"Profil d'amortissement : {term.profil}",
        "Différé d'amortissement : " + (format_duration(term.differe_mois) if term.differe_mois else "néant"),
        "Garantie : Action Logement Services à hauteur de 100 %",
    ]


def _loan_blocks(
    pdf: _FrenchPdf, loans: list[Loan], terms: list[LoanTerms], style: AmountStyle, words: bool, columns: bool
) -> None:
    pdf.set_font(FONT, size=9)
    if not columns:
        for number, (loan, term) in enumerate(zip(loans, terms, strict=True), start=1):
            lines = _loan_block_lines(number, loan, term, style, words)
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(0, 4.5, lines[0], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, size=9)
            pdf.multi_cell(0, 4.5, "\n".join(lines[1:]), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.set_font(FONT, size=10)
        return
    # Two columns: the blocks go left then right, each pair on the same band; narrow columns wrap lines.
    for first in range(0, len(loans), 2):
        blocks = [
            _loan_block_lines(number + 1, loans[number], terms[number], style, words)
            for number in range(first, min(first + 2, len(loans)))
        ]
        height = max(len(block) for block in blocks) * 4.5 * 1.6 + 6
        if pdf.get_y() + height > pdf.h - 22:
            pdf.add_page()
        top = pdf.get_y()
        bottom = top
        for column, block in enumerate(blocks):
            pdf.set_xy(20 + column * 88, top)
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(80, 4.5, block[0], new_x="LEFT", new_y="NEXT")
            pdf.set_font(FONT, size=9)
            pdf.multi_cell(80, 4.5, "\n".join(block[1:]), new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(20, bottom + 3)
    pdf.set_font(FONT, size=10)


# ---------------------------------------------------------------- dossier de présentation


def dossier_presentation(
    *, operation: Operation, commune_nom: str, zone: str, raison_sociale: str, pages: int = 3
) -> bytes:
    """A "Dossier de présentation de l'opération" of exactly `pages` pages, one section a page."""
    if pages < 1:
        raise ValueError("a dossier has at least one page")
    name = operation.nom or "Résidence sans nom"
    pdf = _FrenchPdf(f"{raison_sociale} — dossier de présentation « {name} »")
    # Each section fits on one page; no automatic break keeps the page count exact.
    pdf.set_auto_page_break(False)
    _title_page(pdf, operation, name, commune_nom, zone, raison_sociale)
    sections = [
        lambda: _description(pdf, operation, name, commune_nom, zone, raison_sociale),
        lambda: _typologies(pdf, operation),
        lambda: _environment(pdf, commune_nom),
        lambda: _planning(pdf, operation),
    ]
    for number in range(1, pages):
        pdf.add_page()
        if number <= len(sections):
            sections[number - 1]()
        else:
            _annex(pdf, number - len(sections), commune_nom)
    return pdf.to_bytes()


def _title_page(
    pdf: _FrenchPdf, operation: Operation, name: str, commune_nom: str, zone: str, raison_sociale: str
) -> None:
    pdf.add_page()
    pdf.ln(50)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 10, "Dossier de présentation de l'opération", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, f"« {name} »", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(0, 7, f"{commune_nom} — zone {zone}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    logements = operation.logements.total if operation.logements else 0
    pdf.multi_cell(
        0,
        6,
        f"Maître d'ouvrage : {raison_sociale}\n{logements} logements locatifs intermédiaires\n"
        "Demande de garantie Action Logement Services — AMI garantie des prêts LLI",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, size=10)


def _description(
    pdf: _FrenchPdf, operation: Operation, name: str, commune_nom: str, zone: str, raison_sociale: str
) -> None:
    pdf.heading("1. Présentation de l'opération")
    address = operation.adresse or f"centre-ville de {commune_nom}"
    pdf.paragraph(
        f"L'opération « {name} », portée par {raison_sociale}, consiste en la construction d'un ensemble "
        f"de logements locatifs intermédiaires situé {address}, à {commune_nom}, commune classée en zone "
        f"{zone} du zonage A/B/C. Elle répond à la demande des ménages aux revenus intermédiaires, en "
        "particulier des salariés du secteur privé, qui peinent à se loger à proximité de leur emploi."
    )
    pdf.paragraph(
        "Le programme s'inscrit dans le plan local de l'habitat et a reçu un avis favorable de la commune. "
        "Les logements seront conformes à la réglementation environnementale RE 2020 (classe énergétique A) "
        "et viseront le label NF Habitat HQE. Les loyers respecteront les plafonds du logement intermédiaire "
        "de la zone."
    )
    pdf.paragraph(
        "Le financement repose sur des prêts de la Banque des Territoires, distinguant la charge foncière "
        "et le bâti, sur des fonds propres du maître d'ouvrage et, le cas échéant, sur une subvention de la "
        "collectivité. La garantie des prêts est sollicitée auprès d'Action Logement Services."
    )


def _typologies(pdf: _FrenchPdf, operation: Operation) -> None:
    pdf.heading("2. Logements, surfaces et loyers")
    logements = operation.logements or Logements(t2=8, t3=10, t4=4)
    counts = [(label, getattr(logements, field), typical) for field, label, typical in _TYPOLOGIES]
    typical_total = sum((count * typical for _, count, typical in counts), Decimal(0)) or Decimal(1)
    surface_total = operation.surface_habitable_m2 or typical_total
    rent_total = operation.loyer_mensuel_total_eur or (surface_total * Decimal("14.50")).quantize(
        Decimal("1")
    )
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=(30, 20, 40, 40), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), line_height=5, padding=1
    ) as table:
        table.row(("Typologie", "Nombre", "Surface moyenne", "Loyer mensuel moyen"))
        for label, count, typical in counts:
            share = typical / typical_total  # of the surface, and so of the rent, for one home
            table.row(
                (
                    label,
                    str(count),
                    format_m2(surface_total * share) if count else "-",
                    format_euros((rent_total * share).quantize(Decimal("0.01"))) if count else "-",
                )
            )
        table.row(("Total", str(logements.total), "", ""))
    pdf.set_font(FONT, size=10)
    pdf.ln(4)
    surface_utile = operation.surface_utile_m2 or surface_total * Decimal("1.05")
    pdf.paragraph(
        f"Surface habitable : {format_m2(surface_total)} ; surface utile : {format_m2(surface_utile)}. "
        f"Loyers mensuels prévus hors charges : {format_euros(rent_total)} pour l'ensemble des logements, "
        f"soit un loyer moyen de {format_percent(rent_total / surface_total).replace(NBSP + '%', '')}{NBSP}€/m² "
        "de surface habitable."
    )


def _environment(pdf: _FrenchPdf, commune_nom: str) -> None:
    pdf.heading("3. Services et transports à proximité")
    pdf.paragraph(
        f"La résidence se trouve à moins de dix minutes à pied du centre de {commune_nom} : commerces de "
        "proximité, supermarché, boulangerie, pharmacie et marché hebdomadaire."
    )
    pdf.paragraph(
        "Écoles maternelle et élémentaire à 400 m, collège à 900 m, lycée desservi par le réseau de bus. "
        "Une crèche municipale et une maison de santé pluriprofessionnelle sont situées dans le quartier."
    )
    pdf.paragraph(
        "Transports : arrêt de bus à 150 m (lignes vers la gare et la zone d'activités), gare à 1,2 km avec "
        "des trains réguliers vers la métropole, piste cyclable et local vélos sécurisé en rez-de-chaussée."
    )


def _planning(pdf: _FrenchPdf, operation: Operation) -> None:
    pdf.heading("4. Calendrier prévisionnel")
    start = operation.date_debut_travaux or dt.date(2025, 9, 1)
    steps = (
        ("Permis de construire purgé de tout recours", add_months(start, -3)),
        ("Signature des contrats de prêt", add_months(start, -1)),
        ("Démarrage des travaux", start),
        ("Livraison des logements", add_months(start, 24)),
        ("Mise en location", add_months(start, 25)),
    )
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=(100, 50), text_align=("LEFT", "LEFT"), line_height=5, padding=1) as table:
        table.row(("Étape", "Date prévue"))
        for step, day in steps:
            table.row((step, format_date(day)))
    pdf.set_font(FONT, size=10)


_ANNEXES = (
    ("Gestion locative", "La gestion locative sera assurée en propre par les équipes de proximité du "
     "maître d'ouvrage. Les attributions privilégient les salariés des entreprises du territoire, en lien "
     "avec Action Logement Services, dans le respect des plafonds de ressources du logement intermédiaire."),
    ("Performance énergétique", "Le bâtiment vise une consommation inférieure de 10 % au seuil de la "
     "RE 2020. Chauffage et eau chaude sont assurés par une pompe à chaleur collective ; une toiture "
     "végétalisée limite les îlots de chaleur et retient les eaux pluviales."),
    ("Insertion urbaine", "Le projet s'insère dans un tissu pavillonnaire et de petits collectifs. Les "
     "hauteurs sont dégressives vers les limites séparatives et un cœur d'îlot planté est préservé."),
    ("Équilibre financier", "Le plan de financement prévisionnel est équilibré sur quarante ans. Les loyers "
     "couvrent l'annuité des prêts, les charges non récupérables, la provision pour gros entretien et la "
     "taxe foncière à l'issue de la période d'exonération."),
)  # fmt: skip


def _annex(pdf: _FrenchPdf, number: int, commune_nom: str) -> None:
    title, text = _ANNEXES[(number - 1) % len(_ANNEXES)]
    pdf.heading(f"Annexe {number} — {title}")
    pdf.paragraph(text)
    pdf.paragraph(
        f"Ces éléments ont été présentés aux services de la commune de {commune_nom} et seront actualisés "
        "lors de la demande de garantie définitive."
    )


# ---------------------------------------------------------------- bad files


def _one_page_letter(text: str) -> bytes:
    pdf = _FrenchPdf("Document de test")
    pdf.add_page()
    pdf.paragraph(text)
    return pdf.to_bytes()


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """A valid one-page PDF that asks for a password (none to open it if `user_password` is "")."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_one_page_letter("Offre de prêts confidentielle."))))
    writer.encrypt(user_password=user_password, owner_password="proprietaire")  # RC4: no extra dependency
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf() -> bytes:
    """A real PDF cut in half, as an interrupted upload leaves it."""
    data = _one_page_letter("Lettre d'offre dont le dépôt a été interrompu. " * 20)
    return data[: len(data) // 2]


def not_a_pdf() -> bytes:
    """A small .docx-like ZIP: what a bailleur uploads when they forget to export to PDF."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        docx.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Lettre d'offre</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
    return out.getvalue()


def empty_pdf() -> bytes:
    """A syntactically valid PDF with zero pages."""
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """One page with only a drawn grey rectangle, like a scan without OCR: no text layer."""
    pdf = _FrenchPdf(footer_text="")
    pdf.add_page()
    pdf.set_fill_color(200)
    pdf.rect(20, 20, 170, 250, style="F")
    return pdf.to_bytes()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand, object 1 the catalog: for files no generator would write."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(body: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(body)}{extra} >>\nstream\n".encode() + body + b"\nendstream"


def bomb_pdf(decoded_mib: int = 128, stages: int = 1) -> bytes:
    """A one-page PDF whose content stream inflates to `decoded_mib` MiB (through `stages` Flate filters)."""
    compressor = zlib.compressobj(9)
    chunk = b" " * 1_048_576
    body = b"".join(compressor.compress(chunk) for _ in range(decoded_mib)) + compressor.flush()
    for _ in range(stages - 1):
        body = zlib.compress(body, 9)
    filters = "[" + " ".join(["/FlateDecode"] * stages) + "]"
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(body, f" /Filter {filters}"),
    ])


def _with_writer(edit: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_one_page_letter("Offre de prêts : voir pièce jointe."))))
    if edit == "exe":
        writer.add_attachment("mise-a-jour.exe", b"MZ\x90\x00" + bytes(60))
    elif edit == "magic":
        writer.add_attachment("annexe.txt", b"\x7fELF\x02\x01\x01" + bytes(60))
    elif edit == "xlsx":
        writer.add_attachment("plan-de-financement.xlsx", b"PK\x03\x04" + bytes(60))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def javascript_pdf() -> bytes:
    """A letter that runs JavaScript when opened (Names/JavaScript)."""
    objects = _page_objects(b"/Names << /JavaScript << /Names [(ouverture) 6 0 R] >> >> ")
    objects.append(b"<< /S /JavaScript /JS (app.alert('Bonjour');) >>")
    return _raw_pdf(objects)


def executable_attachment_pdf(by_magic: bool = False) -> bytes:
    """A letter with an attached Windows program (or an ELF binary named .txt when `by_magic`)."""
    return _with_writer("magic" if by_magic else "exe")


def spreadsheet_attachment_pdf() -> bytes:
    """A letter with a harmless attached spreadsheet."""
    return _with_writer("xlsx")


def _page_objects(extra_catalog: bytes = b"") -> list[bytes]:
    content = b"BT /F1 12 Tf 72 720 Td (Offre de prets) Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def launch_pdf() -> bytes:
    """A letter whose OpenAction launches a program."""
    return _raw_pdf(_page_objects(b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >> "))


def hidden_javascript_pdf() -> bytes:
    """OpenAction JavaScript with its names #-escaped (/J#61vaScript), as malware hides them."""
    return _raw_pdf(_page_objects(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "))


def object_stream_javascript_pdf() -> bytes:
    """JavaScript action hidden inside a compressed object stream (PDF 1.5)."""
    action = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    header = b"6 0 "
    body = zlib.compress(header + action)
    objects = _page_objects(b"/OpenAction 6 0 R ")
    objects.append(_stream(body, f" /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode"))
    return _raw_pdf(objects)
