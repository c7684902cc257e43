"""The bailleur's dossier de présentation de l'opération: one section a page (title, description,
typologies, environment, planning, annexes), from the operation entered in the form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ami.domain.models import Logements, Operation

from infra.pdfgen.formatting import (
    FONT,
    NBSP,
    FrenchPdf,
    add_months,
    format_date,
    format_euros,
    format_m2,
    format_percent,
)

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



def dossier_presentation(
    *, operation: Operation, commune_nom: str, zone: str, raison_sociale: str, pages: int = 3
) -> bytes:
    """A "Dossier de présentation de l'opération" of exactly `pages` pages, one section a page."""
    if pages < 1:
        raise ValueError("a dossier has at least one page")
    name = operation.nom or "Résidence sans nom"
    pdf = FrenchPdf(f"{raison_sociale} — dossier de présentation « {name} »")
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
    pdf: FrenchPdf, operation: Operation, name: str, commune_nom: str, zone: str, raison_sociale: str
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
    pdf: FrenchPdf, operation: Operation, name: str, commune_nom: str, zone: str, raison_sociale: str
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


def _typologies(pdf: FrenchPdf, operation: Operation) -> None:
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


def _environment(pdf: FrenchPdf, commune_nom: str) -> None:
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


def _planning(pdf: FrenchPdf, operation: Operation) -> None:
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


def _annex(pdf: FrenchPdf, number: int, commune_nom: str) -> None:
    title, text = _ANNEXES[(number - 1) % len(_ANNEXES)]
    pdf.heading(f"Annexe {number} — {title}")
    pdf.paragraph(text)
    pdf.paragraph(
        f"Ces éléments ont été présentés aux services de la commune de {commune_nom} et seront actualisés "
        "lors de la demande de garantie définitive."
    )
