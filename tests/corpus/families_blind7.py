"""Five more layout families of Banque des Territoires letters (Z16–Z20), written without reading the extractor, for
a seventh blind measurement: Z1–Z15 (families_blind4.py to families_blind6.py) were used after their first run.

They use the framework of `families.py` (Pdf, the Letter and LoanSpec ground truth) and the formats of
`families_blind5.py`, and follow the structure and wording of public documents found for this round (addresses
below). Each has at least one structural trait that none of A–Y and Z1–Z15 has:

- Z16: an extract of the « RECUEIL DES ACTES ADMINISTRATIFS » of a Département, set in TWO COLUMNS THAT FLOW (the
  text runs down the left column, then down the right one, then onto the next page), a running header « Recueil
  des actes administratifs n° 2025-07 » on the left and « page 143 » (the recueil's own numbering) on the right,
  and several acts one after the other: first one to four unrelated acts with amounts (a collège's dotation, a
  road marché, the Fonds de solidarité logement, the délégation des aides à la pierre), then the Commission
  permanente's délibération about the operation. In odd variants it is a « Garantie d'emprunt » (Article 1 grants
  the Département's guarantee in the first wording below), in even ones an « Aide départementale au logement
  locatif » whose financing plan restates the Caisse des Dépôts loans (the Département subsidises and names Action
  Logement Services as guarantor, or one of the traps). Each Ligne du Prêt is a bold « Ligne du Prêt n° 2 : PLS
  foncier » over dashed lines « - Montant : … », « - Durée de la phase de préfinancement : 24 mois »,
  « - Durée de la phase d'amortissement : 40 ans », « - Index : Livret A », « - Marge fixe sur index : 0,60 % »,
  « - Profil d'amortissement : … », « - Modalité de révision : double révisabilité limitée (DL) », « - Taux de
  progressivité des échéances : 0 % », « - Identifiant de la Ligne du Prêt : 5xxxxxx ». In a third of the variants
  the délibération has a longer preamble (« Vu la demande … », « Considérant … »), so that with five or six
  Lignes a block continues on the next page. New: a Ligne's block may begin at the foot of the left column
  and end at the top of the right one (or of the next page), and the recueil numbers its pages unlike the PDF.
  The délibération's dashed list follows the Rouen conseil municipal's « Garantie d'emprunt – Office public de
  l'habitat Rouen Habitat » (« dont les caractéristiques sont les suivantes : Prêt Réhabilitation : - montant du
  prêt : 174.786 €, - durée totale du prêt : 15 ans, - taux d'intérêt actuariel annuel : taux du Livret A en
  vigueur à la date d'effet du contrat de prêt + 60 points de base … », https://www.rouen.fr/deliberation/2013-11-29/3-10);
  the two-column recueil layout is that of departmental recueils des actes administratifs in general (no one
  public recueil with a CDC loan was found in the search index: the typesetting is an assumption).
- Z17: a short lettre d'envoi of the signed Contrat de Prêt (the total and the number of Lignes only), then ONE
  « TABLEAU D'AMORTISSEMENT PRÉVISIONNEL » PAGE PER LIGNE DU PRÊT, as the CDC annexes them to its contracts: an
  « Édité le … » line, a header of two key/value blocks side by side (left: Emprunteur, N° du Contrat de Prêt,
  N° de la Ligne du Prêt, Produit, Opération; right: Capital prêté, Taux actuariel théorique, Taux effectif global,
  Durée de la phase de préfinancement, Durée totale de la Ligne du Prêt, Index, Marge fixe sur index, Périodicité,
  Profil), then the whole annual schedule: « N° | Date d'échéance | Taux d'intérêt | Échéance | Amortissement |
  Intérêts | Capital restant dû », one row a year in small type, hundreds of euro amounts that are not loans.
  New: the amortisation duration is never written — only the préfinancement and the TOTAL duration (« 42 ans »,
  « 41 ans et 6 mois ») — and the schedule has exactly one row per year of amortisation. Follows the CDC page on
  the profils d'amortissement (« ces trois éléments, échéance, amortissement du capital et paiement des intérêts
  sont constitutifs du tableau d'amortissement annexé à votre contrat de prêt »,
  https://prets.caissedesdepots.fr/les-profils-d-amortissement.html) and the header vocabulary of the CDC contract
  n° 132149 (https://lawinsider.com/fr/contracts/21mwMurYc4n). Unlike T (families_blind2.py), the characteristics
  are two side-by-side blocks and no amortisation duration is given.
- Z18: a lettre d'offre of the Direction régionale Hauts-de-France whose loans are split over TWO TABLES joined by
  a key: « Tableau 1 – Lignes du Prêt » (N°, Offre, Objet, Identifiant de la Ligne du Prêt, Montant de la Ligne du
  Prêt, Commission d'instruction, a « Total » row) and, after a paragraph (on the next page in some variants),
  « Tableau 2 – Conditions financières » (the key, Préfinancement, Amortissement, Index, Marge fixe sur index,
  Taux d'intérêt indicatif, Périodicité, Profil). The key is the N° in two variants in three, the 7-digit
  identifiant in the third (Tableau 2 then has no N°). New: each loan's fields in two tables, linked only by the
  key. Row vocabulary from the CDC contract n° 132149 (address above); the split itself follows the Rouen rapport's
  habit of giving the amount first and the conditions after (address above) — no public offer with exactly
  these two tables was found.
- Z19: a « FICHE DE PRÉSENTATION DES PRÊTS » (a form the bailleur fills for the guarantee request): boxed
  sections, one per Ligne du Prêt (« PRÊT N° 2 »), CHECKBOXES for the product (« [X] PLS  [ ] PLI  [ ] PLUS
  [ ] PLAI »), the nature (« [X] Charge foncière  [ ] Bâti »), the index (« [X] Livret A  [ ] Taux fixe ») and the
  périodicité, and fill-in fields with the unit in the label (« Montant (€) : », « Durée de préfinancement
  (mois) : », « Durée d'amortissement (années) : », « Marge sur index (%) : »); then « Autres garanties prévues au
  plan de financement : [X] Oui  [ ] Non » with a free « Précisez : » field. New: the nature, product and index
  are given only by which box is ticked, every option being printed. Modelled on the guarantee request forms
  (« dossier de demande de garantie d'emprunt ») that collectivités ask bailleurs to fill, with the CDC's field
  names; no such public form was found in the search index (an assumption).
- Z20: a « RAPPORT AU CONSEIL D'ADMINISTRATION » of the bailleur, « MODIFICATION » of an earlier délibération: the
  prose first recalls the FORMER conditions (« Par délibération n° … du …, le Conseil avait autorisé un emprunt
  de 2 100 000 € … au taux du Livret A + 75 points de base »: an amount and a margin that are no longer true),
  then « La Caisse des Dépôts a émis le … une nouvelle offre … dont les caractéristiques sont les suivantes : »
  and, per Ligne, a dashed list in the Rouen wording: « - montant du prêt : 1 234 567 € », « - durée totale du
  prêt : 42 ans, dont phase de préfinancement : 24 mois » (or « sans préfinancement »), « - taux d'intérêt
  actuariel annuel : taux du Livret A en vigueur à la date d'effet du contrat de prêt + 60 points de base » (the
  margin in basis points, « - 20 points de base » when negative), « - indice de référence : Livret A »,
  « - périodicité des échéances : annuelle », « - différé d'amortissement : aucun », « - commission
  d'intervention : exonéré »; the Conseil is asked to « rapporter » the former délibération. New: superseded
  values of the same loans before the true ones, margins only in basis points after a long phrase. Follows the
  Rouen « RAPPORT AU CONSEIL MUNICIPAL – GARANTIE D'EMPRUNT … – MODIFICATION » (address above) and the Gardanne
  délibération re-stating a CDC Ligne du Prêt under its new conditions
  (https://www.ville-gardanne.fr/2-7-Garantie-d-emprunt-de-la-commune-a-la-de-la-SA-d-HLM-SFHE-pour-le).

Other guarantors in five new wordings (`GUARANTORS_BLIND7`), modelled on real délibérations: a Commission
permanente that « octroie sa garantie pour 50 % » (Z16's garantie d'emprunt), a « Collectivité garante :
Communauté urbaine de Dunkerque – part garantie : 50 % » line, a Communauté de communes that « garantit le
remboursement … à hauteur de 100 % », a Métropole that « se porte garante des Lignes du Prêt à hauteur de 50 % »
beside ALS, and « Garanties : Ville de … (50 %) et Département du Nord (50 %) » (the Gardanne page's commune at
55 % beside the Département at 45 %). Half the letters of a family have one; of the others, four in five carry a
trap that names a collectivité or a guarantee without anyone but Action Logement Services guaranteeing (ALS
named as sole garant, a Métropole that subsidises and « n'est pas garante », a Département « sollicité » but not
retained, the commune that granted the permis de construire). Deterministic: each variant is seeded by its family
and number; the loans are in the truth in the order the letter gives them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from families import NBSP, Letter, LoanSpec, Pdf, _setup, write
from families_blind2 import no_phb
from families_blind5 import comma, identifiant, lines_word, margin_pct, money, nature_name, span, total_of
from fpdf.fonts import FontFace

from infra import pdfgen

# (wording, a short part of it that the rendered text must contain)
GUARANTORS_BLIND7 = (
    (
        "La Commission permanente du Conseil départemental du Nord octroie sa garantie pour 50 % du remboursement de "
        "chaque Ligne du Prêt souscrite par l'Emprunteur auprès de la Caisse des Dépôts.",
        "octroie sa garantie",
    ),
    ("Collectivité garante : Communauté urbaine de Dunkerque – part garantie : 50 %", "Collectivité garante :"),
    (
        "La Communauté de communes du Pays de Mormal garantit le remboursement des Lignes du Prêt à hauteur de 100 %.",
        "Communauté de communes du Pays de Mormal garantit",
    ),
    (
        "La Métropole Européenne de Lille se porte garante des Lignes du Prêt à hauteur de 50 %, le solde restant "
        "garanti par Action Logement Services.",
        "se porte garante des Lignes",
    ),
    ("Garanties : Ville de {commune} (50 %) et Département du Nord (50 %)", "et Département du Nord (50 %)"),
)
NO_OTHER = (
    None,
    "Garant : Action Logement Services – quotité : 100 % (aucune garantie de collectivité au plan de financement).",
    "La Métropole Européenne de Lille participe à l'opération par une subvention de 60 000 € au titre des aides à "
    "la pierre ; elle n'est pas garante.",
    "Le Conseil départemental du Nord, sollicité, n'a pas été retenu comme garant : la garantie d'Action Logement "
    "Services couvre seule la totalité des Lignes du Prêt.",
    "La commune de {commune}, où se situe l'opération, a délivré le permis de construire ; aucune autre garantie que "
    "celle d'Action Logement Services n'est prévue.",
)
FAMILY_INDEX = {"Z16": 0, "Z17": 1, "Z18": 2, "Z19": 3, "Z20": 4}
ALS = "Chaque Ligne du Prêt est garantie par Action Logement Services à hauteur de 100 % de son montant."
LIVRET_A = Decimal("2.40")  # the Livret A rate quoted beside the margins (a distractor)
COMMISSION = Decimal("0.0006")  # 0,06 % of the line's amount


def guarantee(family: str, number: int, commune: str) -> tuple[str | None, bool]:
    """The sentence about guarantees beside ALS's, and whether it names another guarantor. Z16's odd variants are
    the Département's garantie d'emprunt: its Article 1 is the first wording."""
    index = FAMILY_INDEX[family]
    if family == "Z16":
        if number % 2 == 1:
            return GUARANTORS_BLIND7[0][0], True
    elif (number + index) % 2 == 1:
        choice = (index + number // 2) % len(GUARANTORS_BLIND7)
        return GUARANTORS_BLIND7[choice][0].format(commune=commune), True
    text = NO_OTHER[(index + number // 2) % len(NO_OTHER)]
    return (text.format(commune=commune) if text else None), False


# ---------------------------------------------------------------- formats


def rate_of(loan: LoanSpec) -> Decimal:
    return LIVRET_A + loan.marge if loan.index == "livret_a" else loan.marge


def commission(loan: LoanSpec) -> Decimal:
    return (loan.montant * COMMISSION).quantize(Decimal(1), ROUND_HALF_UP)


def loans_for(family: str, number: int, count: int) -> tuple:
    rng, bailleur, operation, day, reference, loans = _setup(family, number, count)
    return rng, bailleur, operation, day, reference, no_phb(loans)


def points(value: Decimal) -> str:
    """« + 60 points de base », « - 20 points de base »."""
    return ("- " if value < 0 else "+ ") + f"{int(abs(value) * 100)} points de base"


def years_months(months: int) -> str:
    """« 42 ans », « 41 ans et 6 mois »."""
    years, rest = divmod(months, 12)
    return f"{years} ans" + (f" et {rest} mois" if rest else "")


# ---------------------------------------------------------------- Z16: a recueil des actes administratifs


class Recueil(Pdf):
    """Pages headed by the recueil's number and its own page numbers."""

    def __init__(self, recueil: str, first_page: int) -> None:
        super().__init__(footer="")
        self.recueil = recueil
        self.first_page = first_page

    def header(self) -> None:
        self.set_font("Helvetica", "I", 7.5)
        self.cell(0, 4, f"Recueil des actes administratifs n° {self.recueil}", new_x="LEFT")
        self.cell(0, 4, f"page {self.first_page + self.page_no() - 1}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.ln(4)
        self.set_font("Helvetica", size=9)


FILLER_TITLES = (
    "Collège Jean Jaurès : dotation complémentaire de fonctionnement",
    "Voirie départementale : marché de renouvellement des couches de roulement",
    "Fonds de solidarité logement : règlement intérieur et dotation",
    "Politique de l'habitat : délégation des aides à la pierre – avenant annuel",
)
FILLER_BODIES = (
    "attribue au collège Jean Jaurès de {commune} une dotation complémentaire de {amount} au titre des dépenses "
    "de viabilisation, et autorise le Président à signer la convention correspondante.",
    "approuve l'attribution du marché de renouvellement des couches de roulement de la RD 649 pour un montant "
    "maximum de {amount} HT, pour une durée de 12 mois reconductible trois fois.",
    "adopte le règlement intérieur du Fonds de solidarité logement et fixe la dotation départementale pour "
    "l'année à {amount}, dont 15 % au titre des aides à l'accès au logement.",
    "approuve l'avenant annuel à la convention de délégation des aides à la pierre conclue avec l'État : "
    "{amount} d'autorisations d'engagement, 1 250 logements locatifs sociaux à agréer, dont 300 PLS.",
)


def family_recueil(number: int) -> Letter:
    """Z16: two flowing columns of a Département's recueil des actes administratifs; the Commission permanente's
    délibération lists each Ligne du Prêt as a dashed list that may cross a column or a page."""
    rng, bailleur, operation, day, _reference, loans = loans_for("Z16", number, 1 + (number + number // 6) % 6)
    commune = operation[1]
    text, other = guarantee("Z16", number, commune)
    style = ["space", "nbsp", "dots", "whole"][number % 4]
    unit = "mois" if number % 3 == 2 else "ans"
    total = total_of(loans)
    pdf = Recueil(f"{day.year}-{rng.randrange(3, 12):02d}", rng.randrange(40, 400))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, "DÉPARTEMENT DU NORD", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, "Commission permanente – actes publiés", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    seance = day + dt.timedelta(days=rng.randrange(20, 80))
    number_act = f"DLS/{seance.year}/{rng.randrange(100, 999)}"
    with pdf.text_columns(ncols=2, gutter=7, text_align="J", line_height=1.15) as cols:

        def heading(line: str) -> None:
            pdf.set_font("Helvetica", "B", 9)
            cols.write(line + "\n")
            pdf.set_font("Helvetica", size=9)

        def para(line: str) -> None:
            cols.write(line + "\n")
            cols.ln(0.6)

        # Unrelated acts first (one to four, so that the loans fall at other places of the columns), with amounts
        # that are not loans.
        for act in range(1 + number % 4):
            heading(f"DÉLIBÉRATION N° DE/{seance.year}/{rng.randrange(100, 999)} – " + FILLER_TITLES[act])
            para(
                f"La Commission permanente, réunie le {pdfgen.format_date(seance)}, "
                + FILLER_BODIES[act].format(amount=money(Decimal(rng.randrange(8, 900) * 1000), style), commune=commune)
            )
            para("Adopté à l'unanimité.")
            cols.ln(1.5)
        if other:
            heading(
                f"DÉLIBÉRATION N° {number_act} – Garantie d'emprunt : {bailleur[0]} – opération "
                f"« {operation[0]} » à {commune}"
            )
        else:
            heading(
                f"DÉLIBÉRATION N° {number_act} – Aide départementale au logement locatif : {bailleur[0]} – "
                f"opération « {operation[0]} » à {commune}"
            )
        para("La Commission permanente du Conseil départemental,")
        para("Vu le Code général des collectivités territoriales ; vu l'article 2305 du Code civil ;")
        para(
            f"Vu le Contrat de Prêt signé entre {bailleur[0]}, ci-après l'Emprunteur, et la Caisse des Dépôts et "
            f"Consignations, composé de {lines_word(len(loans))} pour un montant total de {money(total, style)} ;"
        )
        if number % 3 == 0:
            para(
                f"Vu la demande formulée par {bailleur[0]} le {pdfgen.format_date(day)} et tendant à obtenir "
                "l'intervention du Département pour le financement de l'opération ;"
            )
            para(
                "Considérant que l'opération répond aux objectifs du Plan départemental de l'habitat, notamment en "
                "matière de production de logements locatifs à loyer maîtrisé dans les secteurs tendus ;"
            )
            para(
                "Considérant l'avis favorable de la commission Logement, Habitat et Politique de la ville réunie le "
                f"{pdfgen.format_date(seance - dt.timedelta(days=12))} ;"
            )
        para("DÉLIBÈRE")
        if other:
            para(f"Article 1 : {text}")
            para(
                f"Article 2 : Les caractéristiques financières des Lignes du Prêt, d'un montant total de "
                f"{money(total, style)}, sont les suivantes :"
            )
        else:
            grant = Decimal(rng.randrange(20, 120) * 1000)
            para(
                f"Article 1 : Une subvention de {money(grant, style)} est attribuée à l'Emprunteur pour "
                f"l'opération « {operation[0]} »."
            )
            para(
                "Article 2 : Le plan de financement de l'opération comprend les Lignes du Prêt suivantes, "
                "consenties par la Caisse des Dépôts :"
            )
        for index, loan in enumerate(loans, start=1):
            fixed = loan.index != "livret_a"
            heading(f"Ligne du Prêt n° {index} : {loan.produit} {nature_name(loan, rng)}")
            items = [
                f"- Montant : {money(loan.montant, style)}",
                "- Durée de la phase de préfinancement : "
                + (f"{loan.prefinancement} mois" if loan.prefinancement else "sans objet"),
                f"- Durée de la phase d'amortissement : {span(loan.amortissement, unit)}",
                f"- Périodicité des échéances : {loan.periodicite}",
                "- Index : " + ("taux fixe" if fixed else "Livret A"),
            ]
            if fixed:
                items.append(f"- Taux d'intérêt : {comma(loan.marge)}{NBSP}%")
            else:
                items += [
                    f"- Marge fixe sur index : {margin_pct(loan.marge)}",
                    f"- Taux d'intérêt : {comma(rate_of(loan))}{NBSP}% (Livret A à {comma(LIVRET_A)}{NBSP}%)",
                ]
            items += [
                "- Profil d'amortissement : "
                + rng.choice(["amortissement déduit (intérêts différés)", "échéance prioritaire"]),
                "- Modalité de révision : " + ("sans objet" if fixed else "double révisabilité limitée (DL)"),
                "- Taux de progressivité des échéances : 0 %",
                f"- Identifiant de la Ligne du Prêt : {identifiant(rng)}",
            ]
            for item in items:
                cols.write(item + "\n")
            cols.ln(0.8)
        if other:
            para(
                "Article 3 : La garantie est accordée pour la durée totale du Contrat de Prêt et jusqu'au complet "
                "remboursement de celui-ci. Le Département s'engage à se substituer à l'Emprunteur pour son "
                "paiement, sur notification de l'impayé par lettre simple de la Caisse des Dépôts."
            )
        else:
            para("Article 3 : " + ALS)
            if text:
                para(text)
        para(
            "Article 4 : Le Président du Conseil départemental est autorisé à signer tout document relatif à la "
            "présente délibération."
        )
        para(f"Adopté. Acte rendu exécutoire le {pdfgen.format_date(seance + dt.timedelta(days=6))}.")
        cols.ln(1.5)
        heading(f"ARRÊTÉ N° {seance.year}-{rng.randrange(10, 99)} portant délégation de signature")
        para(
            "Délégation de signature est donnée au Directeur général des services pour les actes de gestion "
            "courante de la Direction de l'habitat, à l'exclusion des délibérations."
        )
    return Letter(f"Z16-recueil-{number:02d}.pdf", "Z16", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z17: tableaux d'amortissement prévisionnels


def schedule(loan: LoanSpec, start: dt.date) -> list[tuple[int, dt.date, Decimal, Decimal, Decimal, Decimal]]:
    """An annual schedule at constant annuity: (n°, date, échéance, amortissement, intérêts, capital restant dû)."""
    rate = rate_of(loan) / 100
    years = loan.amortissement // 12
    annuity = (loan.montant * rate / (1 - (1 + rate) ** -years)).quantize(Decimal("0.01"))
    rows = []
    left = loan.montant
    for n in range(1, years + 1):
        interest = (left * rate).quantize(Decimal("0.01"))
        capital = left if n == years else annuity - interest
        left -= capital
        rows.append((n, pdfgen.add_months(start, 12 * n), capital + interest, capital, interest, left))
    return rows


def family_amortisation_tables(number: int) -> Letter:
    """Z17: a lettre d'envoi, then one tableau d'amortissement prévisionnel page per Ligne du Prêt, the
    characteristics as two side-by-side blocks giving the préfinancement and the total duration only."""
    rng, bailleur, operation, day, reference, loans = loans_for("Z17", number, 1 + (number + number // 4) % 4)
    for loan in loans:
        loan.periodicite = "annuelle"  # the schedule is annual
    commune = operation[1]
    text, other = guarantee("Z17", number, commune)
    style = ["space", "nbsp", "before", "dots"][number % 4]
    total = total_of(loans)
    contract = rng.randrange(150_000, 199_999)
    borrower = f"{rng.randrange(100_000, 999_999):09d}"
    pdf = Pdf(footer=f"Contrat de Prêt n° {contract}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "Banque des Territoires", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(
        0,
        4,
        "Caisse des Dépôts – Direction régionale Hauts-de-France – 2, rue de la Monnaie – 59000 Lille",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font("Helvetica", size=10)
    pdf.set_x(pdf.w - 95)
    pdf.multi_cell(75, 5, f"{bailleur[0]}\nDirection financière\nSIREN {bailleur[1]}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_x(pdf.w - 95)
    pdf.cell(75, 5, f"Lille, le {pdfgen.format_date(day)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Nos réf. : {reference} – Contrat de Prêt n° {contract}", new_x="LMARGIN", new_y="NEXT")
    pdf.bold(f"Objet : Envoi du Contrat de Prêt signé – opération « {operation[0]} » à {commune}")
    pdf.para("Madame, Monsieur,")
    pdf.para(
        f"Nous vous prions de trouver ci-joint un exemplaire original du Contrat de Prêt n° {contract}, "
        f"composé de {lines_word(len(loans))} pour un montant total de {money(total, style)}, ainsi que les "
        "tableaux d'amortissement prévisionnels de chaque Ligne du Prêt, établis sur la base du taux du Livret A "
        f"en vigueur à la date d'édition ({comma(LIVRET_A)}{NBSP}%). Ces tableaux sont indicatifs : ils seront "
        "actualisés à chaque variation de l'index."
    )
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    pdf.set_x(pdf.w - 90)
    pdf.multi_cell(70, 5, "Le Directeur régional adjoint", align="C", new_x="LMARGIN", new_y="NEXT")
    edited = day - dt.timedelta(days=rng.randrange(1, 9))
    for loan in loans:
        fixed = loan.index != "livret_a"
        pdf.add_page()
        pdf.set_font("Helvetica", size=7)
        pdf.cell(0, 4, f"Édité le {edited.strftime('%d/%m/%Y')}", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, "TABLEAU D'AMORTISSEMENT PRÉVISIONNEL", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 4, "En euros", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        left = [
            ("Emprunteur", f"{borrower} – {bailleur[0]}"),
            ("N° du Contrat de Prêt", str(contract)),
            ("N° de la Ligne du Prêt", identifiant(rng)),
            ("Produit", f"{loan.produit} {nature_name(loan, rng)}"),
            ("Opération", f"{operation[0]} – {commune}"),
        ]
        right = [
            ("Capital prêté", money(loan.montant, style)),
            ("Taux actuariel théorique", f"{comma(rate_of(loan))}{NBSP}%"),
            ("Taux effectif global", f"{comma(rate_of(loan) + Decimal('0.01'))}{NBSP}%"),
            (
                "Durée de la phase de préfinancement",
                f"{loan.prefinancement} mois" if loan.prefinancement else "Sans objet",
            ),
            ("Durée totale de la Ligne du Prêt", years_months(loan.prefinancement + loan.amortissement)),
            ("Index", "Taux fixe" if fixed else "Livret A"),
            ("Marge fixe sur index", "Sans objet" if fixed else margin_pct(loan.marge)),
            ("Périodicité", "Annuelle"),
            ("Profil d'amortissement", "Échéance prioritaire (intérêts différés)"),
        ]
        top = pdf.get_y()
        for column, (x, pairs) in enumerate(((pdf.l_margin, left), (pdf.w / 2 + 2, right))):
            pdf.set_xy(x, top)
            for label, value in pairs:
                pdf.set_x(x)
                pdf.set_font("Helvetica", "B", 7.5)
                pdf.cell(34 if column == 0 else 53, 4, label + " :")
                pdf.set_font("Helvetica", size=7.5)
                pdf.multi_cell(
                    pdf.w / 2 - 56 if column == 0 else pdf.w / 2 - 75, 4, value, new_x="LMARGIN", new_y="NEXT"
                )
        pdf.set_y(max(pdf.get_y(), top + 4 * len(right)) + 3)
        start = pdfgen.add_months(day, loan.prefinancement)
        pdf.set_font("Helvetica", size=6.2)
        with pdf.table(
            col_widths=(9, 20, 16, 27, 27, 27, 32),
            text_align=("CENTER", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            line_height=2.75,
            padding=(0.2, 1),
            headings_style=FontFace(emphasis="BOLD", fill_color=(220, 220, 220)),
        ) as table:
            table.row(
                (
                    "N°",
                    "Date d'échéance",
                    "Taux d'intérêt",
                    "Échéance",
                    "Amortissement",
                    "Intérêts",
                    "Capital restant dû",
                )
            )
            for n, when, due, capital, interest, rest in schedule(loan, start):
                table.row(
                    (
                        str(n),
                        when.strftime("%d/%m/%Y"),
                        f"{comma(rate_of(loan))} %",
                        money(due, "bare"),
                        money(capital, "bare"),
                        money(interest, "bare"),
                        money(rest, "bare"),
                    )
                )
    return Letter(f"Z17-amortissement-{number:02d}.pdf", "Z17", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z18: two tables joined by a key


def family_two_tables(number: int) -> Letter:
    """Z18: the amounts in « Tableau 1 », the conditions in « Tableau 2 », joined by the N° or the identifiant."""
    rng, bailleur, operation, day, reference, loans = loans_for("Z18", number, 1 + (number + number // 7) % 7)
    commune = operation[1]
    text, other = guarantee("Z18", number, commune)
    style = ["nbsp", "before", "space", "dots", "whole"][number % 5]
    unit = "ans" if number % 2 == 0 else "mois"
    by_id = number % 3 == 2
    ids = [identifiant(rng) for _ in loans]
    total = total_of(loans)
    pdf = Pdf(footer=f"Offre de prêt n° {reference} – {bailleur[0]}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "Banque des Territoires", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(
        0, 4, "Groupe Caisse des Dépôts – Direction régionale Hauts-de-France – Lille", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(5)
    pdf.set_font("Helvetica", size=10)
    pdf.set_x(pdf.w - 95)
    pdf.multi_cell(75, 5, f"{bailleur[0]}\nSIREN : {bailleur[1]}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.w - 95)
    pdf.cell(75, 5, f"Lille, le {pdfgen.format_date(day)}", new_x="LMARGIN", new_y="NEXT")
    pdf.bold(f"Objet : Offre de prêt n° {reference} – opération « {operation[0]} » à {commune}")
    pdf.para("Madame, Monsieur,")
    pdf.para(
        f"Suite à votre demande, la Caisse des Dépôts a le plaisir de vous proposer un Prêt composé de "
        f"{lines_word(len(loans))}, d'un montant total de {money(total, style)}, pour le financement de "
        "l'opération citée en objet. Les Lignes du Prêt et leurs montants figurent au tableau 1 ; leurs "
        "conditions financières au tableau 2."
    )
    pdf.bold("Tableau 1 – Lignes du Prêt", size=9.5)
    pdf.set_font("Helvetica", size=8)
    heading = FontFace(emphasis="BOLD", fill_color=(214, 226, 240))
    with pdf.table(
        col_widths=(10, 18, 40, 30, 38, 30),
        text_align=("CENTER", "LEFT", "LEFT", "CENTER", "RIGHT", "RIGHT"),
        line_height=4.2,
        padding=1,
        headings_style=heading,
    ) as table:
        table.row(
            (
                "N°",
                "Offre",
                "Objet",
                "Identifiant de la Ligne du Prêt",
                "Montant de la Ligne du Prêt",
                "Commission d'instruction",
            )
        )
        for index, (loan, ident) in enumerate(zip(loans, ids, strict=True), start=1):
            table.row(
                (
                    str(index),
                    loan.produit,
                    nature_name(loan, rng).capitalize(),
                    ident,
                    money(loan.montant, style),
                    money(commission(loan), style),
                )
            )
        table.row(("", "Total", "", "", money(total, style), money(sum(map(commission, loans), Decimal(0)), style)))
    pdf.ln(2)
    pdf.para(
        f"La commission d'instruction (0,06 % du montant de chaque Ligne du Prêt) est prélevée lors du premier "
        f"versement. Les taux indiqués au tableau 2 sont calculés sur la base d'un Livret A à "
        f"{comma(LIVRET_A)}{NBSP}% ; ils seront actualisés à la date d'effet du contrat.",
        size=9,
    )
    if number % 2 == 1:
        pdf.add_page()
    key = "Identifiant" if by_id else "N°"
    pdf.bold("Tableau 2 – Conditions financières des Lignes du Prêt", size=9.5)
    pdf.set_font("Helvetica", size=7.5)
    with pdf.table(
        col_widths=(20 if by_id else 10, 26, 28, 16, 20, 20, 20, 28),
        text_align="CENTER",
        line_height=3.8,
        padding=1,
        headings_style=heading,
    ) as table:
        table.row(
            (
                key,
                "Durée de\npréfinancement",
                "Durée\nd'amortissement",
                "Index",
                "Marge fixe sur index",
                "Taux d'intérêt indicatif",
                "Périodicité",
                "Profil d'amortissement",
            )
        )
        for index, (loan, ident) in enumerate(zip(loans, ids, strict=True), start=1):
            fixed = loan.index != "livret_a"
            table.row(
                (
                    ident if by_id else str(index),
                    span(loan.prefinancement, "mois") if loan.prefinancement else "Sans objet",
                    span(loan.amortissement, unit),
                    "Taux fixe" if fixed else "Livret A",
                    "Sans objet" if fixed else margin_pct(loan.marge),
                    f"{comma(rate_of(loan))}{NBSP}%",
                    loan.periodicite.capitalize(),
                    rng.choice(["Amortissement déduit", "Échéance prioritaire"]),
                )
            )
    pdf.ln(3)
    pdf.bold("Garanties", size=10)
    pdf.para(ALS, size=9.5)
    if text:
        pdf.para(text, size=9.5)
    pdf.para(
        f"La présente offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}. Nous vous "
        "prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
        size=9.5,
    )
    return Letter(f"Z18-deux-tableaux-{number:02d}.pdf", "Z18", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z19: a form with checkboxes


def _box(options: list[tuple[str, bool]]) -> str:
    return "   ".join(f"[{'X' if ticked else ' '}] {label}" for label, ticked in options)


def family_form(number: int) -> Letter:
    """Z19: the bailleur's « fiche de présentation des prêts », one boxed section per loan with ticked boxes for
    the product, the nature, the index and the périodicité."""
    rng, bailleur, operation, day, reference, loans = loans_for("Z19", number, 1 + number % 5)
    commune = operation[1]
    text, other = guarantee("Z19", number, commune)
    style = ["bare", "space", "nbsp"][number % 3]
    in_years = number % 2 == 0
    pdf = Pdf(footer=f"Fiche de présentation des prêts – dossier {reference}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, "FICHE DE PRÉSENTATION DES PRÊTS", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8.5)
    pdf.cell(
        0,
        4.5,
        "À joindre à la demande de garantie – un cadre par Ligne du Prêt",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        width,
        5,
        f"Organisme demandeur : {bailleur[0]}      N° SIREN : {bailleur[1]}\n"
        f"Opération : {operation[0]} – commune de {commune}\n"
        f"Nombre de logements : {rng.randrange(12, 80)}      Prêteur : Caisse des Dépôts et Consignations\n"
        f"Date de l'offre de prêt : {day.strftime('%d/%m/%Y')}      Nombre de Lignes du Prêt : {len(loans)}",
        border=1,
        padding=2,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for index, loan in enumerate(loans, start=1):
        fixed = loan.index != "livret_a"
        amort = f"{loan.amortissement // 12}" if in_years else f"{loan.amortissement}"
        lines = [
            "Type de prêt :   " + _box([(p, loan.produit == p) for p in ("PLS", "PLI", "PLUS", "PLAI")]),
            "Objet :   " + _box([("Charge foncière", loan.nature == "foncier"), ("Bâti", loan.nature == "bati")]),
            f"Montant (€) : {money(loan.montant, style).removesuffix(NBSP + '€')}",
            f"Durée de préfinancement (mois) : {loan.prefinancement}",
            f"Durée d'amortissement ({'années' if in_years else 'mois'}) : {amort}",
            "Index :   " + _box([("Livret A", not fixed), ("Taux fixe", fixed)]),
            ("Taux fixe (%) : " + comma(loan.marge)) if fixed else f"Marge sur index (%) : {comma(loan.marge)}",
            "Périodicité :   "
            + _box(
                [("annuelle", loan.periodicite == "annuelle"), ("trimestrielle", loan.periodicite == "trimestrielle")]
            ),
        ]
        height = 5 + 4.6 * len(lines) + 3
        if pdf.get_y() + height > pdf.h - 22:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_fill_color(230, 230, 230)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(width, 5, f"PRÊT N° {index}", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=8.5)
        for line in lines:
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(width - 6, 4.6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.rect(pdf.l_margin, top, width, pdf.get_y() - top + 1.5)
        pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(width, 5, "GARANTIES", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8.5)
    body = "Garantie sollicitée : Action Logement Services" + ("\n" if other else " – quotité (%) : 100\n")
    body += "Autres garanties prévues au plan de financement :   " + _box([("Oui", other), ("Non", not other)])
    body += "\nPrécisez : " + (text or "")
    pdf.multi_cell(width, 4.8, body, border=1, padding=2, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(
        width,
        5,
        f"Certifié exact, à {commune}, le {day.strftime('%d/%m/%Y')}.\nLe Directeur général "
        "(nom, qualité, signature et cachet)",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return Letter(f"Z19-fiche-{number:02d}.pdf", "Z19", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z20: a modification rapport


def family_modification(number: int) -> Letter:
    """Z20: the bailleur's rapport modifying an earlier délibération: former conditions in prose, then the new
    ones per Ligne in a dashed list, margins in basis points."""
    rng, bailleur, operation, day, reference, loans = loans_for("Z20", number, 1 + (number + number // 4) % 4)
    commune = operation[1]
    text, other = guarantee("Z20", number, commune)
    style = ["dots", "whole", "space", "euros"][number % 4]
    total = total_of(loans)
    former_total = (total * Decimal(rng.choice(["1.08", "0.93", "1.15"]))).quantize(Decimal(1000))
    former_margin = Decimal(rng.choice(["0.85", "1.00", "0.90"]))
    before = day - dt.timedelta(days=rng.randrange(120, 400))
    act = f"{before.year}-CA-{rng.randrange(10, 99)}"
    pdf = Pdf(footer=f"{bailleur[0]} – Conseil d'administration – rapport n° {rng.randrange(20, 80)}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, bailleur[0].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(
        0,
        5,
        f"CONSEIL D'ADMINISTRATION – SÉANCE DU {pdfgen.format_date(day).upper()}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    for line in (
        "RAPPORT AU CONSEIL D'ADMINISTRATION",
        "FINANCEMENT DE L'OPÉRATION",
        f"« {operation[0].upper()} »",
        f"EMPRUNT DE {money(total, style).upper()}",
        "MODIFICATION",
    ):
        pdf.cell(0, 5.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.para("Mesdames, Messieurs,", size=9.5)
    pdf.para(
        f"Par délibération n° {act} du {pdfgen.format_date(before)}, le Conseil avait autorisé le Directeur "
        f"général à contracter auprès de la Caisse des Dépôts un emprunt de {money(former_total, style)} pour "
        f"l'opération « {operation[0]} » à {commune}, au taux du Livret A + {int(former_margin * 100)} points "
        "de base, sur la base du prix de revient prévisionnel d'alors.",
        size=9.5,
    )
    pdf.para(
        f"Le plan de financement ayant été révisé, la Caisse des Dépôts a émis le "
        f"{pdfgen.format_date(day - dt.timedelta(days=rng.randrange(10, 40)))} une nouvelle offre "
        f"(n° {reference}) composée de {lines_word(len(loans))} pour un montant total de {money(total, style)}, "
        "dont les caractéristiques sont les suivantes :",
        size=9.5,
    )
    for loan in loans:
        fixed = loan.index != "livret_a"
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.multi_cell(0, 5, f"Prêt {loan.produit} {nature_name(loan, rng)} :", new_x="LMARGIN", new_y="NEXT")
        whole = loan.prefinancement + loan.amortissement
        duration = f"- durée totale du prêt : {years_months(whole)}, " + (
            f"dont phase de préfinancement : {loan.prefinancement} mois"
            if loan.prefinancement
            else "sans préfinancement"
        )
        rate = (
            f"- taux d'intérêt actuariel annuel : taux fixe de {comma(loan.marge)} %"
            if fixed
            else "- taux d'intérêt actuariel annuel : taux du Livret A en vigueur à la date d'effet du contrat de "
            f"prêt {points(loan.marge)},"
        )
        items = [f"- montant du prêt : {money(loan.montant, style)},", duration + ",", rate]
        if not fixed:
            items += [
                "- révisabilité des taux d'intérêt et de progressivité à chaque échéance, en fonction de la "
                "variation du taux du Livret A,",
                "- indice de référence : Livret A,",
            ]
        items += [
            f"- périodicité des échéances : {loan.periodicite},",
            "- différé d'amortissement : aucun,",
            "- commission d'intervention : exonéré.",
        ]
        pdf.set_font("Helvetica", size=9)
        for item in items:
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(0, 4.5, item, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.para(ALS, size=9.5)
    if text:
        pdf.para(text, size=9.5)
    pdf.para(
        f"En conséquence, je vous propose de rapporter la délibération n° {act} et d'autoriser le Directeur "
        "général à signer le Contrat de Prêt aux conditions ci-dessus.",
        size=9.5,
    )
    pdf.set_x(pdf.w - 90)
    pdf.multi_cell(70, 5, "Le Président du Conseil d'administration", align="C", new_x="LMARGIN", new_y="NEXT")
    return Letter(f"Z20-modification-{number:02d}.pdf", "Z20", bytes(pdf.output()), loans, bailleur[1], other)


BLIND7: dict[str, Callable[[int], Letter]] = {
    "Z16": family_recueil,
    "Z17": family_amortisation_tables,
    "Z18": family_two_tables,
    "Z19": family_form,
    "Z20": family_modification,
}
FIRST_VARIANTS = range(6)  # measured once, blind, before anyone read the extractor
FRESH_VARIANTS = range(6, 18)  # measured in the same first run
AFTER_FIXES = range(18, 42)  # never measured nor looked at before the fixes the first run shows


if __name__ == "__main__":
    write([make(number) for make in BLIND7.values() for number in FIRST_VARIANTS], "corpus-familles-aveugles-7")
