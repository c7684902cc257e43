"""The Banque des Territoires' lettre d'offre: the loans of an operation, in the layouts and amount
styles real letters use (a table, one block per loan, columns; amounts in figures and in words)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ami.domain.models import Loan

from infra.pdfgen.formatting import (
    FONT,
    AmountStyle,
    FrenchPdf,
    add_months,
    amount_words,
    format_amount,
    format_date,
    format_duration,
    format_percent,
    format_rate,
)

Layout = Literal["table", "blocks", "columns"]


@dataclass(frozen=True)
class LoanTerms:
    """What a letter says of a loan beyond the form: préfinancement, deferral, profile, periodicity."""

    prefinancement_mois: int = 0
    differe_mois: int = 0
    profil: str = "progressif"
    periodicite: str = "annuelle"


def default_terms(loan: Loan) -> LoanTerms:
    return LoanTerms(prefinancement_mois=0 if loan.kind == "foncier" else 24)


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
    pdf = FrenchPdf(f"Banque des Territoires — {noun} {reference}")
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


def _loan_table(pdf: FrenchPdf, loans: list[Loan], terms: list[LoanTerms], style: AmountStyle) -> None:
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
    pdf: FrenchPdf, loans: list[Loan], terms: list[LoanTerms], style: AmountStyle, words: bool, columns: bool
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
