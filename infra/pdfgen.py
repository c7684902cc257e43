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
from decimal import Decimal

from ami.models import Loan, Logements, Operation
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
) -> bytes:
    """A Banque des Territoires "Lettre d'offre de prêts", 1–2 pages."""
    pdf = _FrenchPdf(f"Banque des Territoires — offre de prêts {reference}")
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
    pdf.multi_cell(
        0,
        5,
        f"Objet : Offre de financement — opération « {operation} » à {commune}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, size=10)
    pdf.ln(4)

    pdf.paragraph("Madame, Monsieur,")
    pdf.paragraph(
        f"Nous avons le plaisir de vous informer que la Banque des Territoires a donné son accord pour "
        f"le financement de l'opération « {operation} », située à {commune}, portée par {raison_sociale}. "
        "Cette offre porte sur les prêts suivants, destinés au logement locatif intermédiaire :"
    )
    _loan_table(pdf, loans)
    pdf.ln(3)

    pdf.heading("Conditions financières", size=10)
    for loan in loans:
        revision = (
            "révisable à chaque variation du taux du Livret A"
            if loan.index == "livret_a"
            else "non révisable"
        )
        pdf.paragraph(
            f"- Prêt {loan.produit} {_nature(loan).lower()} de {format_euros(loan.montant_eur)} : "
            f"taux d'intérêt {format_rate(loan)}, {revision}, sur {format_duration(loan.duree_mois)}, "
            "échéances annuelles."
        )
    pdf.heading("Garantie", size=10)
    pdf.paragraph(
        "La mise à disposition des fonds est subordonnée à l'obtention d'une garantie à hauteur de 100 % "
        "du montant des prêts, accordée par Action Logement Services au titre de son dispositif de "
        "garantie des prêts logement intermédiaire, ou à défaut par une collectivité territoriale."
    )
    pdf.heading("Validité de l'offre", size=10)
    pdf.paragraph(
        f"Offre valable jusqu'au {format_date(add_months(date_lettre, 3))}. Passé ce délai, et à défaut "
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


def _nature(loan: Loan) -> str:
    return "Foncier" if loan.kind == "foncier" else "Bâti"


def _loan_table(pdf: _FrenchPdf, loans: list[Loan]) -> None:
    pdf.set_font(FONT, size=8.5)
    with pdf.table(
        col_widths=(16, 18, 34, 22, 20, 20, 20),
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT"),
        line_height=5,
        padding=1,
    ) as table:
        table.row(("Produit", "Nature", "Montant", "Durée", "Index", "Marge", "Périodicité"))
        for loan in loans:
            index, margin = (
                ("Livret A", format_percent(loan.marge_pct, signed=True))
                if loan.index == "livret_a"
                else ("Taux fixe", format_percent(loan.marge_pct))
            )
            table.row(
                (
                    loan.produit,
                    _nature(loan),
                    format_euros(loan.montant_eur),
                    format_duration(loan.duree_mois),
                    index,
                    margin,
                    "Annuelle",
                )
            )
        total = sum((loan.montant_eur for loan in loans), Decimal(0))
        table.row(("Total", "", format_euros(total), "", "", "", ""))
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
        "Les logements seront conformes à la réglementation environnementale RE 2020 et viseront le label "
        "NF Habitat HQE. Les loyers respecteront les plafonds du logement intermédiaire de la zone."
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
        f"Loyers mensuels prévus hors charges : {format_euros(rent_total)} pour l'ensemble des logements."
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
