"""Five more layout families of Banque des Territoires letters (Z1–Z5), written without reading the extractor, for
a fourth blind measurement: K–O, P–T and U–Y were each used to fix the extractor after their first run, so none
of A–Y is unseen any more.

They use the framework of `families.py` (Pdf, letterhead, the Letter and LoanSpec ground truth) and the formats
of the earlier blind modules, with layouts that none of A–Y has:

- Z1: a CDC « Contrat de prêt » of 3 to 5 pages: a cover page (contract number, parties, operation), a
  « Sommaire » with dot leaders and page numbers and the parties on page 2, articles 1–5 (the Prêt's total in
  figures and in words, a TEG), then « Caractéristiques financières de chaque Ligne du Prêt »: one key/value
  table per Ligne du Prêt, labels in a left column and values that sometimes take two lines, each table headed
  only by its « Identifiant de la Ligne du Prêt » (7 digits); the product is in a « Produit » (or
  « Caractéristiques de la Ligne du Prêt ») row below an « Offre : CDC » row, the nature in an « Objet » row,
  an indicative interest rate with a footnote beside the margin. Helvetica or Times.
- Z2: an offer whose loans are in one table with merged cells: the product in a first column spanning its
  foncier and bâti rows (one to three rows), amounts right-aligned, a « Total » column spanning the same rows
  (the product's total, not a loan) and a « Total général » row; both durations in one cell
  (« 24 mois / 40 ans », the header says préfinancement / amortissement); rates as « LA+0.60 » (decimal point),
  « LA + 60 pdb » or « Livret A + 0,60 % », a legend under the table.
- Z3: a one-page lettre d'offre, then an annex page whose table is drawn sideways on a portrait page (rotated a
  quarter turn, the table's top on the page's left edge), columns in an unusual order (N°, amortisation,
  préfinancement, rate, amount, product, nature, échéances): the amount after the durations; the periods given
  as dates (« du 01/09/2028 au 01/09/2068 ») with, in some variants, the duration in parentheses; rates as
  « Livret A (3,00 %) + 0,60 % soit 3,60 % ».
- Z4: a « Proposition de financement » whose loans are the cells of a double-entry table: one row per product
  (PLI, PLS), one column per nature (« Charge foncière », « Bâti / construction »), each filled cell giving
  « Ligne k », the amount, the duration (« 50 ans dont 2 ans de préfinancement », « 624 mois dont 24 mois de
  préfinancement », « préfinancement 18 mois puis amortissement 40 ans ») and the rate (« Livret A + 0,60 % »,
  « marge : 60 pdb sur Livret A »), « — » in empty cells; a « Total » column per product in some variants. The
  nature is only in the column header; the loans are numbered row by row.
- Z5: the printout of an e-mail (« De : », « Envoyé : », « À : », « Objet : RE: … », « Pièces jointes : »):
  no letterhead, the conditions as bulleted blocks « Prêt PLI – charge foncière » then « Montant », « Durée »,
  « Taux », « Échéances » with values aligned as after a tab, durations « 50 ans dont 2 ans de préfinancement »
  or in months only, rates « marge : 60 pdb », « LA+0.60 » or « Livret A (3,00 %) + 0,60 % soit 3,60 % »; a
  signature, a confidentiality notice and the bailleur's quoted message (no figures) below.

Other guarantors in five new wordings (`GUARANTORS_BLIND4`): a Centre communal d'action sociale that « se porte
caution », a syndicat intercommunal à vocation multiple in a « Garantie d'emprunt : » line, a privilège de prêteur
de deniers on the lots acquired, a « cautionnement solidaire » of the borrower's actionnaire de référence (a
company), and an EPCI compétent en matière d'habitat. The cahier des charges lets ALS guarantee an operation only
« dès lors que le plan de financement ne prévoit pas d'autres types de garantie »: a privilège (a sûreté réelle)
and a shareholder's cautionnement are other types of guarantee, so all five count as another guarantor here (a
judgement: the truth says so). Half the letters of a family have one; of the others, most carry a trap that
names a collectivité or a sûreté without it guaranteeing anything (a commune that granted the building permit, a
Région that subsidises, a CCAS whose guarantee was replaced by ALS's, a communauté d'agglomération that gave up).
Deterministic: each variant is seeded by its family and number.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from families import NBSP, Letter, LoanSpec, Pdf, _setup, letterhead, write
from families_blind2 import no_phb, plain
from families_blind3 import eur, months
from fpdf.fonts import FontFace

from infra import pdfgen

# (wording, a short part of it that the rendered text must contain)
GUARANTORS_BLIND4 = (
    ("Le Centre communal d'action sociale de {commune} se porte caution de la Ligne du Prêt foncière à concurrence "
     "de 20 % de son montant.", "Centre communal d'action sociale"),
    ("Garantie d'emprunt : Syndicat intercommunal à vocation multiple du Haut-Bugey, 50 % du capital et des "
     "intérêts.", "Syndicat intercommunal à vocation multiple"),
    ("Le remboursement des prêts sera en outre garanti par un privilège de prêteur de deniers inscrit sur les lots "
     "acquis, au profit de la Caisse des Dépôts.", "privilège de prêteur de deniers"),
    ("La société Foncière Habitat Participations, actionnaire de référence de l'emprunteur, apporte son "
     "cautionnement solidaire à hauteur de 100 % des sommes dues.", "actionnaire de référence"),
    ("Les Lignes du Prêt bénéficient d'un cautionnement à 50 % de l'EPCI compétent en matière d'habitat, selon la "
     "délibération jointe.", "EPCI compétent"),
)
NO_OTHER = (
    None,
    "La commune de {commune}, qui a accordé le permis de construire, n'est pas sollicitée en garantie.",
    "La Région, qui subventionne l'opération, n'apporte aucune garantie d'emprunt ; aucune autre sûreté "
    "(hypothèque, privilège, caution) n'est requise.",
    "Pour mémoire, la garantie initialement demandée au CCAS de {commune} a été remplacée par celle d'Action "
    "Logement Services.",
    "Action Logement Services est l'unique garant ; la communauté d'agglomération a renoncé à garantir "
    "l'opération.",
)
FAMILY_INDEX = {"Z1": 0, "Z2": 1, "Z3": 2, "Z4": 3, "Z5": 4}
ALS = "La garantie d'Action Logement Services, caution solidaire, est requise pour 100 % de chaque Ligne du Prêt."
LIVRET_A = Decimal("2.40")  # the Livret A rate the letters quote beside the margin (a distractor)


def guarantee(family: str, number: int, commune: str) -> tuple[str | None, bool]:
    """The sentence about guarantees beside ALS's, and whether it names another guarantor."""
    index = FAMILY_INDEX[family]
    if (number + index) % 2 == 1:
        return GUARANTORS_BLIND4[(index + number // 2) % len(GUARANTORS_BLIND4)][0].format(commune=commune), True
    text = NO_OTHER[(index + number // 2) % len(NO_OTHER)]
    return (text.format(commune=commune) if text else None), False


# ---------------------------------------------------------------- formats


def comma(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def rate_text(loan: LoanSpec, style: str) -> str:
    """How a rate is written: dotted (« LA+0.60 »), pdb (« LA + 60 pdb »), marge (« marge : 60 pdb sur Livret A »),
    soit (« Livret A (2,40 %) + 0,60 % soit 3,00 % »), percent (« Livret A + 0,60 % »). A fixed rate says so."""
    if loan.index != "livret_a":
        if style == "dotted":
            return f"TF {loan.marge:.2f}"
        return f"taux fixe {comma(loan.marge)}{NBSP}%"
    sign = "-" if loan.marge < 0 else "+"
    size = abs(loan.marge)
    if style == "dotted":
        return f"LA{sign}{size:.2f}"
    if style == "pdb":
        return f"LA {sign} {int(size * 100)} pdb"
    if style == "marge":
        return f"marge : {'-' if loan.marge < 0 else ''}{int(size * 100)} pdb sur Livret A"
    if style == "soit":
        return (f"Livret A ({comma(LIVRET_A)}{NBSP}%) {sign} {comma(size)}{NBSP}% soit "
                f"{comma(LIVRET_A + loan.marge)}{NBSP}%")
    return f"Livret A {sign} {comma(size)}{NBSP}%"


def total_duration(loan: LoanSpec, style: str) -> str:
    """Both durations in one phrase: total (« 50 ans dont 2 ans de préfinancement », in months when the years are
    not whole), then (« préfinancement 18 mois puis amortissement 40 ans »), months (« 504 mois dont 24 mois de
    préfinancement »)."""
    prefi, amort = loan.prefinancement, loan.amortissement
    if not prefi:
        said = months(amort, unit="mois" if style == "months" else "ans")
        return f"{said}, sans préfinancement"
    if style == "then":
        return f"préfinancement {prefi} mois puis amortissement {months(amort)}"
    whole = prefi + amort
    if style == "total" and prefi % 12 == 0 and amort % 12 == 0:
        years = prefi // 12
        return f"{whole // 12} ans dont {years} an{'s' if years > 1 else ''} de préfinancement"
    return f"{whole} mois dont {prefi} mois de préfinancement"


def nature_label(loan: LoanSpec, rng: random.Random) -> str:
    if loan.nature == "foncier":
        return rng.choice(["Acquisition de la charge foncière", "Charge foncière", "Acquisition du terrain"])
    return rng.choice(["Construction des logements", "Travaux de construction", "Bâti"])


def signature(pdf: Pdf, font: str = "Helvetica") -> None:
    pdf.set_font(font, size=10)
    pdf.multi_cell(0, 5, "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_x(pdf.w - 90)
    pdf.set_font(font, "B", 10)
    pdf.multi_cell(72, 5, "Le Directeur régional adjoint\npar délégation", new_x="LMARGIN", new_y="NEXT")


# ---------------------------------------------------------------- Z1: contract with cover, sommaire, tables


def _contract(number: int, pages: dict[str, int]) -> tuple[bytes, list[LoanSpec], tuple[str, str], bool,
                                                            dict[str, int]]:
    rng, bailleur, operation, day, reference, loans = _setup("Z1", number, 1 + number % 4)
    no_phb(loans)
    font = "Times" if number % 2 else "Helvetica"
    contract = str(rng.randrange(150_000, 189_999))
    style = ["whole", "nbsp", "euros", "dots"][number % 4]
    two_lines = number % 3 != 0
    text, other = guarantee("Z1", number, operation[1])
    seen: dict[str, int] = {}
    pdf = Pdf(footer=f"Caisse des Dépôts et Consignations – Contrat de prêt n° {contract}")

    def para(body: str, size: float = 10) -> None:
        pdf.set_font(font, size=size)
        pdf.multi_cell(0, 4.8, body, new_x="LMARGIN", new_y="NEXT", align="J")
        pdf.ln(1.5)

    def article(key: str, title: str) -> None:
        seen[key] = pdf.page_no()
        pdf.ln(1)
        pdf.set_font(font, "B", 10.5)
        pdf.multi_cell(0, 6, f"ARTICLE {key} {title}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.5)

    # Page 1: the cover.
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, "Banque des Territoires", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 4, "Groupe Caisse des Dépôts", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(70)
    pdf.set_font(font, "B", 24)
    pdf.cell(0, 12, "CONTRAT DE PRÊT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "B", 15)
    pdf.cell(0, 9, f"N° {contract}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_font(font, size=12)
    for line, bold in (("Entre", False), (bailleur[0].upper(), True), ("Et", False),
                       ("LA CAISSE DES DÉPÔTS ET CONSIGNATIONS", True)):
        pdf.set_font(font, "B" if bold else "", 12)
        pdf.cell(0, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_font(font, size=11)
    pdf.multi_cell(0, 6, f"Opération « {operation[0]} » à {operation[1]}\nLogement locatif intermédiaire",
                   align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 45)
    pdf.set_font(font, size=9)
    pdf.cell(0, 5, f"Édité le {pdfgen.format_date(day)} – Réf. {reference}", align="C", new_x="LMARGIN",
             new_y="NEXT")

    # Page 2: the sommaire, then the parties.
    pdf.add_page()
    pdf.set_font(font, "B", 13)
    pdf.cell(0, 8, "SOMMAIRE", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    entries = [("1", "OBJET DU PRÊT"), ("2", "PRÊT"), ("3", "DURÉE TOTALE"), ("4", "TAUX EFFECTIF GLOBAL"),
               ("5", "DÉFINITIONS"), ("6", "CARACTÉRISTIQUES FINANCIÈRES DE CHAQUE LIGNE DU PRÊT"),
               ("7", "GARANTIES"), ("8", "NOTIFICATIONS ET SIGNATURES")]
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for key, title in entries:
        pdf.set_font(font, size=9.5)
        label = f"ARTICLE {key}   {title}"
        page = str(pages.get(key, 3))
        dots = "." * int((width - pdf.get_string_width(label) - pdf.get_string_width(page) - 4)
                         / pdf.get_string_width("."))
        pdf.cell(0, 6.5, f"{label} {dots} {page}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=9.5)
    pdf.cell(0, 6.5, "ANNEXE   TABLEAU D'AMORTISSEMENT INDICATIF (adressé séparément)", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(10)
    pdf.set_font(font, "B", 10.5)
    pdf.cell(0, 6, "ENTRE", new_x="LMARGIN", new_y="NEXT")
    para(f"{bailleur[0]}, SIREN n° {bailleur[1]}, ci-après indifféremment dénommé(e) « {bailleur[0]} » ou "
         "« l'Emprunteur »,")
    pdf.set_font(font, "B", 10.5)
    pdf.cell(0, 6, "ET", new_x="LMARGIN", new_y="NEXT")
    para("LA CAISSE DES DÉPÔTS ET CONSIGNATIONS, établissement spécial créé par la loi du 28 avril 1816, codifiée "
         "aux articles L. 518-2 et suivants du Code monétaire et financier, ci-après dénommée « la Caisse des "
         "Dépôts », « la CDC » ou « le Prêteur ».")
    para("Indifféremment dénommé(e)s « les Parties » ou « la Partie ».")

    # Page 3 on: the articles.
    pdf.add_page()
    total = sum((loan.montant for loan in loans), Decimal(0))
    article("1", "OBJET DU PRÊT")
    para(f"Le présent Contrat est destiné au financement de l'opération « {operation[0]} », construction de "
         f"logements locatifs intermédiaires située à {operation[1]}.")
    article("2", "PRÊT")
    lines = f"{len(loans)} Lignes du Prêt" if len(loans) > 1 else "une Ligne du Prêt"
    para(f"Le Prêteur consent à l'Emprunteur, qui l'accepte, un Prêt d'un montant maximum de {eur(total, 'euros')} "
         f"({pdfgen.amount_words(total)}), constitué de {lines}. Ce Prêt est destiné "
         "exclusivement au financement de l'opération visée à l'article « Objet du Prêt ».")
    article("3", "DURÉE TOTALE")
    para("Le Contrat entre en vigueur à la date de sa signature par l'ensemble des Parties ; il est conclu pour une "
         "durée allant jusqu'au paiement de la dernière échéance de chaque Ligne du Prêt.")
    article("4", "TAUX EFFECTIF GLOBAL")
    teg = LIVRET_A + max(loan.marge for loan in loans) + Decimal("0.03")
    para(f"Le taux effectif global (TEG), figurant à l'article « Caractéristiques financières de chaque Ligne du "
         f"Prêt », est donné en respect des dispositions du Code de la consommation ; il s'élève à {comma(teg)} % "
         "pour l'ensemble du Prêt, calculé sur la base des conditions en vigueur à la date d'émission.")
    article("5", "DÉFINITIONS")
    para("Le « Livret A » désigne le produit d'épargne prévu par les articles L. 221-1 et suivants du Code "
         "monétaire et financier. La « Marge fixe sur index » désigne l'écart, exprimé en point de pourcentage, "
         "entre le taux de la Ligne du Prêt et l'index. La « Phase de Préfinancement » désigne la période comprise "
         "entre la date de prise d'effet et la date de début de la Phase d'Amortissement.", size=9.5)

    article("6", "CARACTÉRISTIQUES FINANCIÈRES DE CHAQUE LIGNE DU PRÊT")
    para("Les caractéristiques financières de chaque Ligne du Prêt consentie par le Prêteur sont les suivantes :")
    product_label = rng.choice(["Produit", "Caractéristiques de la Ligne du Prêt"])
    heading_row = number % 2 == 0
    label_w, value_w = rng.choice([(74.0, 56.0), (82.0, 60.0), (70.0, 64.0)])
    for loan in loans:
        identifier = str(rng.randrange(5_100_000, 5_499_999))
        livret = loan.index == "livret_a"
        if loan.amortissement % 12 == 0:
            years = months(loan.amortissement)
            amort = (f"{years}\n(soit {loan.amortissement} mois)" if two_lines and rng.random() < 0.5
                     else rng.choice([years, f"{loan.amortissement} mois"]))
        else:
            amort = months(loan.amortissement, unit="mois")
        rate = comma(LIVRET_A + loan.marge if livret else loan.marge) + f"{NBSP}%"
        rows = [
            ("Offre", "CDC"),
            (product_label, loan.produit),
            ("Objet de la Ligne du Prêt", nature_label(loan, rng)),
            ("Montant de la Ligne du Prêt", eur(loan.montant, style)),
            ("Commission d'instruction", f"0{NBSP}€"),
            ("Durée de la période de préfinancement",
             months(loan.prefinancement, unit="mois") if loan.prefinancement else "Sans objet"),
            ("Durée de la période d'amortissement", amort),
            ("Périodicité des échéances", loan.periodicite.capitalize()),
            ("Index", "Livret A" if livret else "Taux fixe"),
            ("Marge fixe sur index", f"{comma(loan.marge)}{NBSP}%" if livret else "Sans objet"),
            ("Taux d'intérêt (1)", f"{rate}\n(révisable selon l'index)" if livret and two_lines else rate),
            ("Profil d'amortissement", "Échéance prioritaire\n(intérêts différés)" if two_lines
             else "Échéance prioritaire"),
            ("Modalité de révision", "DL" if livret else "Sans objet"),
            ("Taux de progressivité de l'échéance", f"0{NBSP}%"),
        ]
        size = 8.5
        height = 4.2 * (len(rows) + 3 + (3 if two_lines else 0))
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        if heading_row:
            rows.insert(0, ("Identifiant de la Ligne du Prêt", identifier))
        else:
            pdf.set_font(font, "B", 9.5)
            pdf.cell(0, 6, f"Identifiant de la Ligne du Prêt : {identifier}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=size)
        with pdf.table(col_widths=(label_w, value_w), width=label_w + value_w, align="LEFT", text_align="LEFT",
                       line_height=4.0, padding=1, first_row_as_headings=heading_row,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(226, 232, 240))) as table:
            for label, value in rows:
                table.row((label, value))
        pdf.ln(3)
    pdf.set_font(font, size=7.5)
    pdf.multi_cell(0, 3.6, f"(1) Taux indicatif calculé sur la base d'un Livret A de {comma(LIVRET_A)} % ; il est "
                   "révisé à chaque variation de l'index.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if pdf.get_y() > pdf.h - 58:
        pdf.add_page()
    article("7", "GARANTIES")
    para(ALS)
    if text:
        para(text)
    article("8", "NOTIFICATIONS ET SIGNATURES")
    para(f"Fait en deux exemplaires originaux, le {pdfgen.format_date(day)}.")
    top = pdf.get_y()
    pdf.set_font(font, "B", 9.5)
    pdf.multi_cell(80, 5, "Pour l'Emprunteur\nNom, qualité, signature", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.w - 100, top)
    pdf.multi_cell(80, 5, "Pour la Caisse des Dépôts\nLe Directeur territorial", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output()), loans, bailleur, other, seen


def family_contract_cover(number: int) -> Letter:
    """Z1: a contract with a cover page and a sommaire, one key/value table per Ligne du Prêt on page 3 on."""
    _, _, _, _, pages = _contract(number, {})
    data, loans, bailleur, other, _ = _contract(number, pages)  # the sommaire now gives the right pages
    return Letter(f"Z1-contrat-sommaire-{number:02d}.pdf", "Z1", data, loans, bailleur[1], other)


# ---------------------------------------------------------------- Z2: merged product cells


def _grouped_loans(rng: random.Random, loans: list[LoanSpec], number: int) -> list[list[LoanSpec]]:
    """The loans as groups of one product, foncier first: 1 to 3 rows a product, one or two products."""
    shapes = [[2], [2, 2], [3], [2, 1], [1, 2], [3, 3], [1], [3, 2]]
    shape = shapes[number % len(shapes)]
    products = ["PLI", "PLS"] if rng.random() < 0.6 else ["PLS", "PLI"]
    groups, k = [], 0
    for product, size in zip(products, shape, strict=False):
        group = loans[k:k + size]
        k += size
        for row, loan in enumerate(group):
            loan.produit = product
            loan.nature = "foncier" if row == 0 and size > 1 else "bati"
        groups.append(group)
    return groups


def family_merged_cells(number: int) -> Letter:
    """Z2: one table, the product spanning its rows, a « Total » column spanning them too, amounts right-aligned."""
    shapes_total = [2, 4, 3, 3, 3, 6, 1, 5]
    rng, bailleur, operation, day, reference, loans = _setup("Z2", number, shapes_total[number % 8])
    groups = _grouped_loans(rng, loans, number)
    loans = [loan for group in groups for loan in group]
    style = ["nbsp", "space", "dots", "whole"][number % 4]
    rates = ["dotted", "pdb", "percent"][number % 3]
    serif = number % 3 == 2
    font = "Times" if serif else "Helvetica"
    pdf = Pdf(footer=f"Offre de prêts n° {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêts – opération « {operation[0]} » à {operation[1]}")
    pdf.set_font(font, size=10)
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.multi_cell(0, 5, "Madame, Monsieur,\n\nPour faire suite à votre demande de financement, nous avons le plaisir "
                   f"de vous adresser notre offre pour l'opération citée en objet, d'un montant total de "
                   f"{eur(total, 'nbsp')}. Elle se compose des Lignes du Prêt récapitulées dans le tableau ci-dessous, "
                   "établi sur la base d'un taux du Livret A de 2,40 %.", new_x="LMARGIN", new_y="NEXT", align="J")
    pdf.ln(4)
    amounts_first = number % 2 == 0
    nat = {"foncier": ["Foncier", "Charge foncière"], "bati": ["Bâti", "Construction", "Bâti (travaux)"]}
    headings = ["Produit", "Nature"]
    if amounts_first:
        headings += ["Montant (€)", "Total (€)", "Durées\n(préfi. / amort.)", "Index et marge"]
        widths = [20.0, 30.0, 32.0, 32.0, 34.0, 26.0]
    else:
        headings += ["Durées\n(préfinancement / amortissement)", "Taux", "Montant (€)", "Total (€)"]
        widths = [20.0, 28.0, 40.0, 24.0, 31.0, 31.0]
    pdf.set_font(font, size=8.5)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.4, padding=1.3, v_align="MIDDLE",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(220, 228, 238))) as table:
        row = table.row()
        for heading in headings:
            row.cell(heading)
        for group in groups:
            group_total = sum((loan.montant for loan in group), Decimal(0))
            for k, loan in enumerate(group):
                row = table.row()
                if k == 0:
                    row.cell(loan.produit, rowspan=len(group), align="C")
                nature = rng.choice(nat[loan.nature])
                figure = eur(loan.montant, style).removesuffix(f"{NBSP}€")
                durations = (f"{months(loan.prefinancement, unit='mois')} / " if loan.prefinancement else "– / ") \
                    + months(loan.amortissement, unit=rng.choice(["ans", "mois"]))
                rate = rate_text(loan, rates)
                if amounts_first:
                    row.cell(nature)
                    row.cell(figure, align="R")
                    if k == 0:
                        row.cell(eur(group_total, style).removesuffix(f"{NBSP}€"), rowspan=len(group), align="R")
                    row.cell(durations)
                    row.cell(rate)
                else:
                    row.cell(nature)
                    row.cell(durations)
                    row.cell(rate)
                    row.cell(figure, align="R")
                    if k == 0:
                        row.cell(eur(group_total, style).removesuffix(f"{NBSP}€"), rowspan=len(group), align="R")
        row = table.row()
        last = eur(total, style).removesuffix(f"{NBSP}€")
        if amounts_first:
            row.cell("Total général", colspan=3)
            row.cell(last, align="R")
            row.cell("", colspan=2)
        else:
            row.cell("Total général", colspan=5)
            row.cell(last, align="R")
    pdf.ln(1.5)
    pdf.set_font(font, size=7.5)
    legend = {"dotted": "LA : Livret A ; marges et taux en points de pourcentage, le point séparant les décimales ; "
                        "TF : taux fixe.",
              "pdb": "LA : Livret A ; pdb : points de base (100 pdb = 1 %).",
              "percent": "Taux révisables indexés sur le Livret A, sauf mention d'un taux fixe."}[rates]
    pdf.multi_cell(0, 3.6, f"{legend} Durées : préfinancement puis amortissement ; « – » : sans préfinancement. "
                   "Total : total des Lignes du Prêt de chaque produit.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    text, other = guarantee("Z2", number, operation[1])
    pdf.set_font(font, "B", 10)
    pdf.cell(0, 6, "Garanties", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    for sentence in (ALS, text):
        if sentence:
            pdf.multi_cell(0, 5, sentence, new_x="LMARGIN", new_y="NEXT", align="J")
            pdf.ln(1.5)
    pdf.multi_cell(0, 5, f"La présente offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    signature(pdf, font)
    return Letter(f"Z2-cellules-fusionnees-{number:02d}.pdf", "Z2", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z3: annex table drawn sideways


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def family_sideways_annex(number: int) -> Letter:
    """Z3: a lettre d'offre, then its annex table drawn sideways on a portrait page, periods given as dates."""
    rng, bailleur, operation, day, reference, loans = _setup("Z3", number, [3, 1, 4, 2, 6, 5, 8, 3][number % 8])
    no_phb(loans)
    style = ["space", "nbsp", "whole", "dots"][number % 4]
    rates = ["soit", "percent"][number % 2]
    with_length = number % 3 == 1
    pdf = Pdf(footer=f"Offre de prêt {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt – « {operation[0]} », {operation[1]}")
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.para("Madame, Monsieur,")
    pdf.para(f"Nous avons le plaisir de vous faire connaître que la Caisse des Dépôts et Consignations vous consent, "
             f"pour le financement de l'opération « {operation[0]} » à {operation[1]}, un Prêt d'un montant total de "
             f"{eur(total, 'nbsp')} composé de {len(loans)} Ligne{'s' if len(loans) > 1 else ''} du Prêt. Les "
             "conditions financières de chaque Ligne du Prêt figurent dans le tableau annexé (page 2, à lire en "
             "tournant la page). Les dates de début et de fin des périodes y sont données sous réserve d'une "
             "signature du contrat avant la date de prise d'effet indiquée.")
    pdf.para("Les taux révisables sont indexés sur le Livret A, dont le taux est de 2,40 % à la date de la présente "
             "offre ; ils seront révisés à chaque variation de cet index.")
    text, other = guarantee("Z3", number, operation[1])
    pdf.bold("Garanties")
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para(f"Cette offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}.")
    signature(pdf)

    start = dt.date(day.year + 1, day.month, 1)
    headings = ("N°", "Période d'amortissement", "Période de préfinancement", "Taux d'intérêt", "Montant",
                "Produit", "Objet", "Échéances")
    widths = (12, 46, 46, 44, 32, 16, 38, 24)
    rows = []
    for k, loan in enumerate(loans, start=1):
        begin = pdfgen.add_months(start, rng.choice([0, 0, 3, 6]))
        middle = pdfgen.add_months(begin, loan.prefinancement)
        end = pdfgen.add_months(middle, loan.amortissement)
        amort = f"du {_date(middle)}\nau {_date(end)}"
        if with_length:
            amort += f"\n({months(loan.amortissement, unit=rng.choice(['ans', 'mois']))})"
        prefi = f"du {_date(begin)}\nau {_date(middle)}" if loan.prefinancement else "Sans préfinancement"
        if with_length and loan.prefinancement:
            prefi += f"\n({loan.prefinancement} mois)"
        rate = rate_text(loan, rates)
        if loan.index != "livret_a":
            rate = rate.capitalize() + "\n(non révisable)"
        nature = ("Charge foncière" if loan.nature == "foncier"
                  else rng.choice(["Construction", "Travaux de construction", "Bâti"]))
        rows.append((str(k), amort, prefi, rate, eur(loan.montant, style), loan.produit, nature,
                     loan.periodicite.capitalize()))

    pdf.add_page()
    pdf.set_auto_page_break(False)
    width = sum(widths)
    saved = pdf.r_margin
    pdf.r_margin = pdf.w - pdf.l_margin - width - 1  # the table is drawn on a landscape frame, then turned
    centre = 147.0  # the frame's x 18–276 becomes the page's y 276–18, its y becomes the page's x
    with pdf.rotation(90, centre, centre):
        pdf.set_xy(pdf.l_margin, 16)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(width, 6, "ANNEXE – Conditions financières de chaque Ligne du Prêt", align="C")
        pdf.set_xy(pdf.l_margin, 23)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(width, 4, f"Emprunteur : {bailleur[0]} (SIREN {bailleur[1]}) – Opération : {operation[0]}",
                 align="C")
        pdf.set_xy(pdf.l_margin, 31)
        pdf.set_font("Helvetica", size=7.5)
        with pdf.table(col_widths=widths, width=width, align="LEFT", text_align="LEFT", line_height=3.8,
                       padding=1) as table:
            table.row(headings)
            for values in rows:
                table.row(values)
        pdf.ln(2)
        pdf.set_x(pdf.l_margin)
        pdf.set_font("Helvetica", size=7)
        pdf.multi_cell(width, 3.5, "Périodes données par leurs dates de début et de fin. Montants en euros. "
                       "Taux révisables calculés avec un Livret A de 2,40 %.", new_x="LMARGIN", new_y="NEXT")
    pdf.r_margin = saved
    pdf.set_auto_page_break(True, margin=18)
    return Letter(f"Z3-annexe-pivotee-{number:02d}.pdf", "Z3", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z4: double-entry table product × nature


CELLS = (("PLI", "foncier"), ("PLI", "bati"), ("PLS", "foncier"), ("PLS", "bati"))
FILLED = ((0, 1), (0, 1, 2, 3), (1,), (0, 1, 3), (1, 3), (0, 2, 3), (0,), (1, 2, 3))


def family_double_entry(number: int) -> Letter:
    """Z4: loans in the cells of a product × nature table, the nature only in the column header."""
    filled = FILLED[number % len(FILLED)]
    _, bailleur, operation, day, reference, loans = _setup("Z4", number, len(filled))
    for loan, cell in zip(loans, filled, strict=True):
        loan.produit, loan.nature = CELLS[cell]
    style = ["nbsp", "euros", "whole", "space"][number % 4]
    durations = ["total", "then", "months"][number % 3]
    rates = ["percent", "marge"][number % 2]
    totals = number % 2 == 1
    pdf = Pdf(footer=f"Proposition de financement – {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Proposition de financement – {operation[0]} ({operation[1]})")
    pdf.para("Madame, Monsieur,")
    pdf.para(f"Vous avez sollicité la Banque des Territoires pour le financement de l'opération « {operation[0]} » à "
             f"{operation[1]}. Après examen de votre dossier, nous vous proposons les prêts suivants, présentés par "
             "produit et par nature de dépense ; chaque case renseignée correspond à une Ligne du Prêt.")
    product_rows = [p for p in ("PLI", "PLS") if any(loan.produit == p for loan in loans)]
    width = pdf.w - pdf.l_margin - pdf.r_margin
    columns = [24.0, 62.0, 62.0] + ([26.0] if totals else [])
    scale = width / sum(columns)
    columns = [c * scale for c in columns]
    pdf.set_font("Helvetica", size=8.5)
    number_of = {id(loan): k for k, loan in enumerate(loans, start=1)}
    with pdf.table(col_widths=columns, text_align="LEFT", line_height=4.3, padding=1.5, v_align="TOP",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 240))) as table:
        table.row(("Produit", "Charge foncière", "Bâti / construction", *(["Total"] if totals else [])))
        for product in product_rows:
            cells = []
            for nature in ("foncier", "bati"):
                found = [loan for loan in loans if (loan.produit, loan.nature) == (product, nature)]
                if not found:
                    cells.append("—")
                    continue
                loan = found[0]
                rate = rate_text(loan, rates) if loan.index == "livret_a" else f"Taux fixe : {comma(loan.marge)}{NBSP}%"
                cells.append(f"Ligne {number_of[id(loan)]}\n{eur(loan.montant, style)}\n"
                             f"{total_duration(loan, durations)}\n{rate}\nÉchéances {loan.periodicite}s")
            group = sum((loan.montant for loan in loans if loan.produit == product), Decimal(0))
            table.row((product, *cells, *([eur(group, style)] if totals else [])))
    pdf.ln(3)
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.para(f"Montant total des financements proposés : {eur(total, 'nbsp')}. Les taux révisables sont indexés sur "
             "le Livret A (2,40 % à ce jour) et révisés à chaque variation de cet index."
             + ("" if durations == "then" else " Les durées indiquées sont des durées totales : elles comprennent, "
                "le cas échéant, la période de préfinancement."))
    text, other = guarantee("Z4", number, operation[1])
    pdf.bold("Garanties")
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Cette proposition ne vaut pas offre de prêt ; elle est établie sous réserve de l'accord de notre comité "
             "d'engagement et des conditions en vigueur à la date d'émission de l'offre.")
    signature(pdf)
    return Letter(f"Z4-double-entree-{number:02d}.pdf", "Z4", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z5: printed e-mail


PEOPLE = (("Claire Dumont", "claire.dumont"), ("Julien Perret", "julien.perret"), ("Nadia Benali", "nadia.benali"))
CONTACTS = (("Sophie Martin", "s.martin"), ("Marc Giraud", "m.giraud"), ("Léa Fontaine", "l.fontaine"))


def family_email(number: int) -> Letter:
    """Z5: a printed e-mail from the chargé(e) d'affaires, the conditions in bulleted blocks with tab-aligned
    values, a signature, a confidentiality notice and the bailleur's quoted message."""
    rng, bailleur, operation, day, reference, loans = _setup("Z5", number, 1 + number % 5)
    no_phb(loans)
    sender, sender_mail = PEOPLE[number % len(PEOPLE)]
    contact, contact_mail = CONTACTS[number % len(CONTACTS)]
    domain = plain(bailleur[0]).lower().replace("'", "").replace(" ", "-").split("-sa-")[0][:24].strip("-")
    style = ["whole", "nbsp", "dots", "space", "euros"][number % 5]
    rates = ["marge", "dotted", "soit"][number % 3]
    durations = ["total", "months", "then"][(number // 2) % 3]
    hour = f"{rng.randrange(8, 19):02d}:{rng.randrange(0, 60):02d}"
    weekday = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"][day.weekday()]
    pdf = Pdf(footer="")
    pdf.set_margins(20, 14, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, f"{contact} – {bailleur[0]}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.set_line_width(0.2)
    pdf.ln(4)
    subject = f"RE: Financement LLI – {operation[0]} ({operation[1]}) – conditions"
    header = [("De :", f"{sender} <{sender_mail}@caissedesdepots.fr>"),
              ("Envoyé :", f"{weekday} {pdfgen.format_date(day)} {hour}"),
              ("À :", f"{contact} <{contact_mail}@{domain}.fr>"),
              ("Cc :", "Service Prêts DR BFC"),
              ("Objet :", subject)]
    if number % 2 == 0:
        header.append(("Pièces jointes :", f"Proposition_{reference}.pdf"))
    for label, value in header:
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(30, 5, label)
        pdf.set_font("Helvetica", size=9.5)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    font = "Helvetica" if number % 3 else "Times"
    size = 10.5 if font == "Times" else 10

    def body(text: str, gap: float = 2.5) -> None:
        pdf.set_font(font, size=size)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    body(f"Bonjour {contact.split()[0]},")
    body(f"Comme convenu lors de notre échange téléphonique, je vous confirme les conditions de financement de "
         f"l'opération {operation[0]} à {operation[1]} (emprunteur : {bailleur[0]}, SIREN {bailleur[1]}), validées "
         f"par notre comité d'engagement. L'offre de prêt correspondante vous parviendra sous quinze jours.")
    for k, loan in enumerate(loans, start=1):
        nature = ("charge foncière" if loan.nature == "foncier"
                  else rng.choice(["construction", "bâti", "travaux"]))
        pdf.set_font(font, "BU", size)
        pdf.cell(0, 6, f"Prêt {loan.produit} – {nature}" + (f" (ligne {k})" if len(loans) > 2 else ""),
                 new_x="LMARGIN", new_y="NEXT")
        if durations == "months" and loan.prefinancement:
            duration = f"{loan.amortissement} mois d'amortissement, après {loan.prefinancement} mois de préfi."
        elif durations == "months":
            duration = f"{loan.amortissement} mois, sans préfinancement"
        else:
            duration = total_duration(loan, durations)
        rate = rate_text(loan, rates) if loan.index == "livret_a" else f"taux fixe de {comma(loan.marge)}{NBSP}%"
        lines = [("Montant", eur(loan.montant, style)), ("Durée", duration),
                 ("Taux", rate), ("Échéances", loan.periodicite + "s")]
        for label, value in lines:
            pdf.set_font(font, size=size)
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(5, 5, "•")
            pdf.cell(24, 5, f"{label} :")
            pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if rates == "marge" and any(loan.index == "livret_a" for loan in loans):
        body("Les marges sont exprimées en points de base au-dessus du taux du Livret A (2,40 % à ce jour).")
    if rates == "dotted" and any(loan.index == "livret_a" for loan in loans):
        body("LA = Livret A (2,40 % à ce jour), marges en points de pourcentage ; taux révisables.")
    text, other = guarantee("Z5", number, operation[1])
    body(ALS + (" " + text if text else ""))
    body("Je reste à votre disposition pour tout complément.")
    body("Bien cordialement,", gap=4)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 4.5, sender, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8.5)
    for line in ("Chargée de développement territorial" if sender.split()[0] in ("Claire", "Nadia")
                 else "Chargé de développement territorial",
                 "Direction régionale Bourgogne-Franche-Comté | Banque des Territoires",
                 f"Tél. : 03 80 40 {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                 "banquedesterritoires.fr"):
        pdf.cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 7)
    pdf.multi_cell(0, 3.3, "Ce message et toutes les pièces jointes sont établis à l'intention exclusive de leurs "
                   "destinataires et sont confidentiels. Si vous recevez ce message par erreur, merci de le détruire "
                   "et d'en avertir immédiatement l'expéditeur. Toute utilisation de ce message non conforme à sa "
                   "destination est interdite.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    asked = pdfgen.add_months(day, -1)
    pdf.set_font(font, size=size - 0.5)
    quoted = [("De :", f"{contact} <{contact_mail}@{domain}.fr>"),
              ("Envoyé :", f"{pdfgen.format_date(asked)} 09:12"),
              ("À :", f"{sender} <{sender_mail}@caissedesdepots.fr>"),
              ("Objet :", f"Financement LLI – {operation[0]} ({operation[1]})")]
    pdf.cell(0, 5, "-----Message d'origine-----", new_x="LMARGIN", new_y="NEXT")
    for label, value in quoted:
        pdf.set_font(font, "B", size - 0.5)
        pdf.cell(22, 5, label)
        pdf.set_font(font, size=size - 0.5)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    body(f"Bonjour {sender.split()[0]},\nNous avons transmis le plan de financement de l'opération et le prix de "
         "revient actualisé. Pourriez-vous nous confirmer par retour de mail les conditions retenues par votre "
         f"comité, afin que nous puissions déposer la demande de garantie ?\nMerci d'avance,\n{contact}")
    return Letter(f"Z5-courriel-{number:02d}.pdf", "Z5", bytes(pdf.output()), loans, bailleur[1], other)


BLIND4: dict[str, Callable[[int], Letter]] = {
    "Z1": family_contract_cover, "Z2": family_merged_cells, "Z3": family_sideways_annex,
    "Z4": family_double_entry, "Z5": family_email,
}
FIRST_VARIANTS = range(6)  # measured once, blind, before anyone read the extractor
FRESH_VARIANTS = range(6, 18)  # for a measurement after fixes, if there is one
# Generated after the fixes the first run showed, each set measured once (docs/intake.md): 18–29, then 30–41.
AFTER_FIXES = range(18, 42)


if __name__ == "__main__":
    write([make(number) for make in BLIND4.values() for number in FIRST_VARIANTS], "corpus-familles-aveugles-4")
