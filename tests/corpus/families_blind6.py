"""Five more layout families of Banque des Territoires letters (Z11–Z15), written without reading the extractor, for
a sixth blind measurement: Z1–Z10 (families_blind4.py, families_blind5.py) were used after their first run.

They use the framework of `families.py` (Pdf, the Letter and LoanSpec ground truth) and the formats of
`families_blind5.py`, and follow the structure and wording of public documents found for this round (addresses
below). Each has at least one structural trait that none of A–Y and Z1–Z10 has:

- Z11: a « DÉCISION » of the bailleur's Directeur général contracting the Prêt under a delegation of the Conseil
  d'administration (« Vu … », « Considérant la proposition financière faite par la Caisse des Dépôts d'un montant
  de … », « DÉCIDE », « Article 1 : De contracter auprès de la Caisse des Dépôts un Contrat de Prêt composé de
  3 Lignes du Prêt pour un montant total de … et dont les caractéristiques financières sont les suivantes : »).
  Each Ligne du Prêt is a bold line « Ligne du Prêt PLS foncier : 1 234 567,00 € » over a dashed list of
  « label : value » lines, in the order of the model: « Durée de la phase de préfinancement : aucune | 18 mois »,
  « Durée d'amortissement : 40 ans », « Périodicité des échéances : Annuelle », « Index : Livret A », « Taux
  d'intérêt actuariel annuel : Taux du LA en vigueur à la date d'effet du contrat + 0,60% » (the margin glued to
  its « % » at the end of a sentence-long value), « Révisabilité du taux … », « Amortissement : Prioritaire »,
  « Typologie Gissler : 1A » and « Commission d'instruction : 0,06 % (6 points de base) du montant de la Ligne du
  Prêt soit 741 € ». New: inside every loan's block, a euro amount that is not the loan (the commission computed
  « soit … € »), the préfinancement « aucune », the borrower's own executive act. Follows the décision du Maire
  n° 2015-9 of Villecresnes contracting a CDC PSPL loan (« De contracter auprès de la Caisse des Dépôts un Contrat
  de Prêt composé d'une ligne de Prêt … Durée de la phase de préfinancement : aucune … Taux d'intérêt actuariel
  annuel : Taux du LA en vigueur à la date d'effet du contrat + 1,00% … Typologie Gissler : 1A … Commission
  d'instruction : 0.06 % (6 points de base) du montant du prêt soit 70 € »,
  https://arretes-villecresnes.blogspot.com/2015/10/decision-2015-9-pret-120000-facade.html).
- Z12: the « RAPPORT DU PRÉSIDENT » of a Département's commission des finances on a guarantee request: a boxed
  « DEMANDEUR » (the bailleur, its address and SIREN), « OBJET », « RÉSUMÉ », « DESCRIPTION DU PROJET », « PLAN DE
  FINANCEMENT » (prix de revient, subventions, fonds propres, the total of the CDC loans: amounts that are not
  loans), then « CARACTÉRISTIQUES DES EMPRUNTS » as one table, a row per loan: « Prêteur | Type de prêt | Montant
  | Préfinancement | Amortissement | Taux », then a LAST amount column that is not the loan: « Montant garanti
  (quotité 50 %) » (each loan's share at the other guarantor's quotité: 40, 50 or 100 %, when the rapport is
  about a « Demande de garantie d'emprunt ») or « Annuité prévisionnelle » (when it is an « Information sur les
  emprunts contractés » and no other guarantor is named); a « Total » row; the rapport's « PROPOSITION » says
  who guarantees. New: a per-loan amount column derived from the loan beside it, in a
  document issued by the (candidate) guarantor. Follows the Seine-et-Marne rapport n° 7/07 on Valophis's request
  (« OBJET : Demande de garantie d'emprunt présentée par la SA d'hlm … RÉSUMÉ … Elle sollicite la garantie du
  Département à hauteur de 40 %, soit …, en complément de celle du SAN de Sénart … DEMANDEUR … DESCRIPTION DU
  PROJET », http://docplayer.fr/9653852-conseil-general-de-seine-et-marne.html).
- Z13: a lettre d'offre of the Direction régionale Occitanie whose loans are stated TWICE: in the letter, one
  dash per Ligne du Prêt in prose (« – une Ligne du Prêt PLS foncier de 1 234 567,00 €, d'une durée totale de
  42 ans dont 24 mois de préfinancement, au taux du Livret A + 0,60 % ; », the amortisation only as the total
  less the préfinancement), then in the annex « Caractéristiques financières de chaque Ligne du Prêt » as
  transposed tables of at most three Lignes each, in the CDC contract's order (Ligne du Prêt, Montant de la Ligne
  du Prêt, Commission d'instruction, Durée de la période, Taux de période, TEG de la Ligne du Prêt, a « Phase de
  préfinancement » block with its own Durée / Index / Marge fixe sur index / Taux d'intérêt, a « Phase
  d'amortissement » block, Profil d'amortissement, Condition de remboursement anticipé volontaire, Modalité de
  révision, Taux de progressivité des échéances, Mode de calcul / Base de calcul des intérêts), the labels
  repeated in each further table. New: the same loans in two representations that must not be counted twice.
  Row vocabulary from the CDC contract n° 132149 (https://lawinsider.com/fr/contracts/21mwMurYc4n, also a model of
  Z7), the letter's prose from the « durée totale … dont » wording of the Châlons-en-Champagne délibération (a model
  of Z6) — no new public lettre d'offre with both representations was found: the pairing is this family's own.
- Z14: a « Synthèse de l'offre de prêt » printed from the lender's portal: a banner (« Dossier n° … – édité le
  … à 10 h 42 », « Document de synthèse non contractuel »), then the Lignes du Prêt as small key/value boxes TWO
  SIDE BY SIDE (Ligne 1 left, Ligne 2 right, Ligne 3 left below…), each box headed « Ligne du Prêt 2 / 5 » and
  holding Produit, Objet, Identifiant, Montant, Préfinancement, Amortissement, Index, Marge fixe sur index, Taux
  actuariel indicatif, Périodicité, Profil; the rows of the two boxes at the same heights, so a reading line by line
  alternates two loans. New: two loans' label/value pairs interleaved on each text line. Vocabulary of the
  Villecresnes décision (address above) and of the CDC product page « Caractéristiques techniques … Taux : Livret A
  + 60 pb … » (https://www.prets.caissedesdepots.fr/test-plus.html, a model of Z8); the printout itself is modelled
  on no found document (an assumption: such portal summaries exist but none is public).
- Z15: a one-page lettre d'offre, then a LANDSCAPE annex « Tableau récapitulatif des Lignes du Prêt » with a
  TWO-LEVEL header: « N° | Produit | Objet | Montant » then a « Phase de préfinancement » group over « Durée |
  Index | Marge » and a « Phase d'amortissement » group over « Durée | Index | Marge | Taux indicatif |
  Périodicité »: two columns are labelled « Durée » (and two « Marge »), only the group above says which; both
  header rows repeated when the table continues on a new page; « Sans objet » in the préfinancement group of a loan
  without one; amounts with « € » before or after, margins « 0,60 % » or « -0,20 % ». In a third of the
  variants the contract's definitions (« Index », « Marge fixe sur index », « Phase de préfinancement »…) come
  first on the landscape page, so that with four loans or more the table (or its « Total » row) continues on
  a third page. New: identical column labels
  told apart by a spanning header. Phase vocabulary from the CDC contract n° 132149 (address above) and the CGLLS
  page on the PHBB (« une première période de 20 ans de différé … La deuxième période … porte intérêt au taux du
  livret A + 0,60 % », http://www.cglls.fr/Garanties/Conditions-d-octroi/Prets-garantissables-par-la-Cglls).

Other guarantors in five new wordings (`GUARANTORS_BLIND6`), modelled on real délibérations and rapports: a
Conseil départemental that « accorde sa garantie à hauteur de 50 % » (the Seine-et-Marne rapport), a Département
guaranteeing 40 % « en complément de la garantie de la commune » (the same rapport's « en complément de celle du
SAN de Sénart »), a « Garant(s) : Toulouse Métropole – quotité garantie : 100 % » line, a Ville that « accorde sa
garantie à l'emprunteur … en contrepartie d'une réservation de 20 % des logements » (the Lyon délibération
99/4526, http://static.lyon.fr/pdf/199911/delib/19994526.htm), and the CGLLS guaranteeing « à titre subsidiaire »
(the CGLLS page above: its guarantee is subsidiary to the collectivités'). Half the letters of a family have one;
of the others, four in five carry a trap that names a collectivité, the CGLLS or a guarantee without anyone but
Action Logement Services guaranteeing. Deterministic: each variant is seeded by its family and number.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from families import NBSP, Letter, LoanSpec, Pdf, _setup, write
from families_blind2 import no_phb
from families_blind5 import comma, identifiant, lines_word, margin_pct, money, nature_name, span, total_of
from fpdf.fonts import FontFace

from infra import pdfgen

# (wording, a short part of it that the rendered text must contain)
GUARANTORS_BLIND6 = (
    (
        "Le Conseil départemental de la Haute-Garonne accorde sa garantie à hauteur de 50 % pour le remboursement "
        "des Lignes du Prêt souscrites par l'Emprunteur.",
        "Haute-Garonne accorde sa garantie",
    ),
    (
        "Le Département garantit les emprunts à hauteur de 40 %, en complément de la garantie de la commune de "
        "{commune} accordée pour 60 %.",
        "en complément de la garantie de la commune",
    ),
    ("Garant(s) : Toulouse Métropole – quotité garantie : 100 %", "Garant(s) : Toulouse Métropole"),
    (
        "La Ville de {commune} accorde sa garantie à l'emprunteur pour le remboursement de chaque Ligne du Prêt, à "
        "hauteur de 100 %, en contrepartie d'une réservation de 20 % des logements.",
        "en contrepartie d'une réservation",
    ),
    (
        "La Caisse de Garantie du Logement Locatif Social (CGLLS) garantit, à titre subsidiaire, 50 % des sommes "
        "dues au titre des Lignes du Prêt.",
        "garantit, à titre subsidiaire",
    ),
)
NO_OTHER = (
    None,
    "Garant : Action Logement Services – quotité garantie : 100 % ; aucune garantie de collectivité n'est requise.",
    "Le Conseil départemental de la Haute-Garonne, sollicité, n'a pas donné suite : Action Logement Services "
    "garantit seule la totalité du Prêt.",
    "Opération située sur la commune de {commune} ; Toulouse Métropole y participe par une subvention de "
    "45 000 € et n'est pas garante.",
    "La CGLLS n'intervient pas : la garantie d'Action Logement Services couvre 100 % des sommes dues.",
)
FAMILY_INDEX = {"Z11": 0, "Z12": 1, "Z13": 2, "Z14": 3, "Z15": 4}
ALS = "Chaque Ligne du Prêt est garantie par Action Logement Services à hauteur de 100 % de son montant."
LIVRET_A = Decimal("2.40")  # the Livret A rate quoted beside the margins (a distractor)
QUOTAS = (50, 40, 100, 100, 50)  # the share each of GUARANTORS_BLIND6 guarantees (the département's, in the second)
COMMISSION = Decimal("0.0006")  # 0,06 % of the line's amount (6 points de base)


def guarantee(family: str, number: int, commune: str) -> tuple[str | None, bool]:
    """The sentence about guarantees beside ALS's, and whether it names another guarantor."""
    index = FAMILY_INDEX[family]
    if (number + index) % 2 == 1:
        choice = (index + number // 2) % len(GUARANTORS_BLIND6)
        return GUARANTORS_BLIND6[choice][0].format(commune=commune), True
    text = NO_OTHER[(index + number // 2) % len(NO_OTHER)]
    return (text.format(commune=commune) if text else None), False


# ---------------------------------------------------------------- formats


def rate_of(loan: LoanSpec) -> Decimal:
    """The indicative rate: Livret A plus the margin, or the fixed rate."""
    return LIVRET_A + loan.marge if loan.index == "livret_a" else loan.marge


def commission(loan: LoanSpec) -> str:
    """« 741 € »: 0,06 % of the line, in whole euros."""
    return f"{(loan.montant * COMMISSION).quantize(Decimal(1), ROUND_HALF_UP):,}".replace(",", " ") + f"{NBSP}€"


def glued(value: Decimal) -> str:
    """« + 0,60% », « - 0,20% »: the model's way, no space before the sign of percent."""
    return ("- " if value < 0 else "+ ") + f"{comma(abs(value))}%"


def product_object(loan: LoanSpec, rng: random.Random) -> str:
    return f"{loan.produit} {nature_name(loan, rng)}"


def loans_for(family: str, number: int, count: int) -> tuple:
    rng, bailleur, operation, day, reference, loans = _setup(family, number, count)
    return rng, bailleur, operation, day, reference, no_phb(loans)


# ---------------------------------------------------------------- Z11: a décision of the Directeur général


def family_decision(number: int) -> Letter:
    """Z11: the bailleur's Directeur général decides to contract the Prêt; each Ligne a bold line over a dashed
    list ending with its commission in euros."""
    rng, bailleur, operation, day, _reference, loans = loans_for("Z11", number, 1 + number % 4)
    commune = operation[1]
    text, other = guarantee("Z11", number, commune)
    style = ["space", "euros", "nbsp", "dots"][number % 4]
    unit = "mois" if number % 3 == 1 else "ans"
    act = f"DG-{day.year}-{rng.randrange(10, 99):03d}"
    total = total_of(loans)
    pdf = Pdf(footer=f"Décision n° {act}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, bailleur[0].upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 4, f"SIREN {bailleur[1]} – Direction générale", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, f"DÉCISION N° {act}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.bold(
        f"Objet : Réalisation d'un Contrat de Prêt composé de {lines_word(len(loans))} d'un montant total de "
        f"{money(total, style)} auprès de la Caisse des Dépôts et Consignations pour le financement de l'opération "
        f"« {operation[0]} » à {commune}",
        size=9.5,
    )
    pdf.para("Le Directeur général,", size=9.5)
    board = day - dt.timedelta(days=rng.randrange(60, 300))
    for considered in (
        "Vu le Code de la construction et de l'habitation ;",
        f"Vu la délibération du Conseil d'administration en date du {pdfgen.format_date(board)} déléguant au "
        "Directeur général la souscription des emprunts nécessaires au financement des opérations inscrites au "
        "plan stratégique de patrimoine ;",
        f"Considérant la proposition financière faite par la Caisse des Dépôts d'un montant de {money(total, style)} ;",
    ):
        pdf.para(considered, size=9.5)
    pdf.bold("DÉCIDE", size=10)
    pdf.para(
        f"Article 1 : De contracter auprès de la Caisse des Dépôts un Contrat de Prêt composé de "
        f"{lines_word(len(loans))} pour un montant total de {money(total, style)} et dont les caractéristiques "
        "financières sont les suivantes :",
        size=9.5,
    )
    for loan in loans:
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.multi_cell(
            0,
            5,
            f"Ligne du Prêt {product_object(loan, rng)} : {money(loan.montant, style)}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        fixed = loan.index != "livret_a"
        items = [
            ("Durée de la phase de préfinancement", f"{loan.prefinancement} mois" if loan.prefinancement else "aucune"),
            ("Durée d'amortissement", span(loan.amortissement, unit)),
            ("Périodicité des échéances", loan.periodicite.capitalize()),
            ("Index", "Taux fixe" if fixed else "Livret A"),
            (
                "Taux d'intérêt actuariel annuel",
                f"{comma(loan.marge)}%"
                if fixed
                else f"Taux du LA en vigueur à la date d'effet du contrat {glued(loan.marge)}",
            ),
        ]
        if not fixed:
            items.append(
                ("Révisabilité du taux d'intérêt à chaque échéance", "en fonction de la variation du taux du LA")
            )
        items += [
            ("Amortissement", rng.choice(["Prioritaire", "Déduit (intérêts différés)"])),
            ("Typologie Gissler", "1A"),
            (
                "Commission d'instruction",
                f"0,06 % (6 points de base) du montant de la Ligne du Prêt soit {commission(loan)}",
            ),
        ]
        pdf.set_font("Helvetica", size=9)
        for label, value in items:
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(0, 4.4, f"- {label} : {value}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.para(
        "Article 2 : De signer le Contrat de Prêt réglant les conditions de ce prêt et la ou les demandes de "
        "réalisation de fonds. " + ALS,
        size=9.5,
    )
    if text:
        pdf.para(text, size=9.5)
    pdf.para(
        "Article 3 : La présente décision sera portée à la connaissance du Conseil d'administration lors de sa "
        "prochaine séance.",
        size=9.5,
    )
    pdf.para(f"Fait à {commune}, le {pdfgen.format_date(day)}.", size=9.5)
    pdf.set_x(pdf.w - 80)
    pdf.multi_cell(60, 5, "Le Directeur général\n(signature)", align="C", new_x="LMARGIN", new_y="NEXT")
    return Letter(f"Z11-decision-{number:02d}.pdf", "Z11", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z12: a Département's rapport


def family_rapport(number: int) -> Letter:
    """Z12: a Département's rapport on a guarantee request, the loans a table whose last column is an amount
    derived from each loan."""
    rng, bailleur, operation, day, _reference, loans = loans_for("Z12", number, 1 + number % 6)
    commune = operation[1]
    text, other = guarantee("Z12", number, commune)
    style = ["space", "nbsp", "before", "whole"][number % 4]
    unit = "ans" if number % 3 else "mois"
    total = total_of(loans)
    # The last column: the share the other guarantor guarantees, or (without one) the first annuity.
    quota = QUOTAS[(FAMILY_INDEX["Z12"] + number // 2) % len(QUOTAS)] if other else None
    pdf = Pdf(footer=f"Rapport n° {number + 3}/{rng.randrange(10, 40):02d} – Commission Finances")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, "CONSEIL DÉPARTEMENTAL DE LA HAUTE-GARONNE", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    seance = day + dt.timedelta(days=rng.randrange(15, 60))
    pdf.cell(
        0,
        5,
        f"Séance du {pdfgen.format_date(seance)} – Commission n° 7 Finances",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 5, "DIRECTION DES FINANCES – RAPPORT DU PRÉSIDENT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    subject = "Demande de garantie d'emprunt présentée" if other else "Information sur les emprunts contractés"
    pdf.bold(
        f"OBJET : {subject} par {bailleur[0]} pour la réalisation de l'opération « {operation[0]} » à {commune}.",
        size=10,
    )
    pdf.bold("RÉSUMÉ :", size=10)
    pdf.para(
        f"{bailleur[0]} doit souscrire {lines_word(len(loans))} auprès de la Caisse des Dépôts et Consignations "
        f"pour un montant global de {money(total, style)}. Le présent rapport expose les caractéristiques de ces "
        "emprunts et la proposition relative à leur garantie.",
        size=9.5,
    )
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        95,
        4.6,
        f"DEMANDEUR\n{bailleur[0]}\n12, rue de la République\n31000 Toulouse\nSIREN : {bailleur[1]}",
        border=1,
        padding=2,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.bold("DESCRIPTION DU PROJET", size=10)
    homes = rng.randrange(12, 90)
    pdf.para(
        f"L'opération consiste en la construction de {homes} logements locatifs intermédiaires et sociaux à "
        f"{commune}. Le permis de construire a été délivré et le démarrage des travaux est prévu au "
        f"{pdfgen.format_date(pdfgen.add_months(day, 4))}.",
        size=9.5,
    )
    pdf.bold("PLAN DE FINANCEMENT", size=10)
    cost = (total * Decimal("1.28")).quantize(Decimal(1))
    grant = Decimal(rng.randrange(40, 300) * 1000)
    pdf.para(
        f"Prix de revient prévisionnel : {money(cost, style)} ; subventions : {money(grant, style)} ; fonds propres : "
        f"{money(cost - total - grant, style)} ; prêts de la Caisse des Dépôts : {money(total, style)}.",
        size=9.5,
    )
    pdf.bold("CARACTÉRISTIQUES DES EMPRUNTS", size=10)
    last = f"Montant garanti (quotité {quota} %)" if quota else "Annuité prévisionnelle"
    headings = ("Prêteur", "Type de prêt", "Montant", "Préfinan-\ncement", "Amortis-\nsement", "Taux", last)
    widths = (20, 28, 29, 20, 20, 30, 27)
    pdf.set_font("Helvetica", size=8)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        text_align=("LEFT", "LEFT", "RIGHT", "CENTER", "CENTER", "LEFT", "RIGHT"),
        line_height=4,
        padding=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
    ) as table:
        table.row(headings)
        for loan in loans:
            if loan.index == "livret_a":
                rate = f"Livret A {'-' if loan.marge < 0 else '+'} {comma(abs(loan.marge))}{NBSP}%"
            else:
                rate = f"Taux fixe {comma(loan.marge)}{NBSP}%"
            if quota:
                derived = (loan.montant * quota / 100).quantize(Decimal("0.01"))
            else:
                derived = (loan.montant * rate_of(loan) / 100 * Decimal("1.35")).quantize(Decimal("0.01"))
            table.row(
                (
                    "CDC",
                    product_object(loan, rng),
                    money(loan.montant, style),
                    f"{loan.prefinancement} mois" if loan.prefinancement else "—",
                    span(loan.amortissement, unit),
                    rate,
                    money(derived, style),
                )
            )
        share = (total * quota / 100).quantize(Decimal("0.01")) if quota else None
        table.row(("Total", "", money(total, style), "", "", "", money(share, style) if share is not None else ""))
    pdf.ln(3)
    pdf.bold("PROPOSITION", size=10)
    pdf.para(
        "Il est proposé à la Commission permanente de prendre acte des caractéristiques ci-dessus. " + ALS, size=9.5
    )
    if text:
        pdf.para(text, size=9.5)
    pdf.para("Je vous prie de bien vouloir en délibérer.", size=9.5)
    pdf.set_x(pdf.w - 90)
    pdf.multi_cell(70, 5, "Le Président du Conseil départemental", align="C", new_x="LMARGIN", new_y="NEXT")
    return Letter(f"Z12-rapport-{number:02d}.pdf", "Z12", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z13: prose then transposed annex


def family_prose_and_annex(number: int) -> Letter:
    """Z13: the loans in prose (total duration « dont » préfinancement) and again in transposed annex tables."""
    rng, bailleur, operation, day, reference, loans = loans_for("Z13", number, 1 + number % 5)
    commune = operation[1]
    text, other = guarantee("Z13", number, commune)
    style = ["nbsp", "space", "dots", "euros"][number % 4]
    unit = "mois" if number % 3 == 2 else "ans"
    total = total_of(loans)
    contract = rng.randrange(150_000, 199_999)
    pdf = Pdf(footer=f"Offre n° {reference} – Contrat de Prêt n° {contract}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "Banque des Territoires", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(
        0,
        4,
        "Caisse des Dépôts – Direction régionale Occitanie – 97, rue Riquet – 31000 Toulouse",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(5)
    pdf.set_font("Helvetica", size=10)
    pdf.set_x(pdf.w - 95)
    pdf.multi_cell(75, 5, f"{bailleur[0]}\nSIREN : {bailleur[1]}\n{commune}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_x(pdf.w - 95)
    pdf.cell(75, 5, f"Toulouse, le {pdfgen.format_date(day)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Nos réf. : {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.bold(f"Objet : Offre de financement – opération « {operation[0]} » à {commune}")
    pdf.para("Madame, Monsieur,")
    pdf.para(
        f"Nous avons le plaisir de vous faire part de l'accord de la Banque des Territoires pour le financement de "
        f"l'opération citée en objet au moyen de {lines_word(len(loans))}, pour un montant total de "
        f"{money(total, style)} :"
    )
    pdf.set_font("Helvetica", size=10)
    for index, loan in enumerate(loans):
        whole = loan.prefinancement + loan.amortissement
        years, rest = divmod(whole, 12)
        length = f"{years} ans" + (f" et {rest} mois" if rest else "")
        if loan.prefinancement:
            length += f" dont {loan.prefinancement} mois de préfinancement"
        else:
            length += ", sans préfinancement"
        rate = (
            f"au taux du Livret A {'-' if loan.marge < 0 else '+'} {comma(abs(loan.marge))}{NBSP}%"
            if loan.index == "livret_a"
            else f"à taux fixe de {comma(loan.marge)}{NBSP}%"
        )
        end = "." if index == len(loans) - 1 else " ;"
        pdf.set_x(pdf.l_margin + 5)
        pdf.multi_cell(
            0,
            5,
            f"– une Ligne du Prêt {product_object(loan, rng)} de {money(loan.montant, style)}, d'une durée "
            f"totale de {length}, {rate}{end}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(2)
    pdf.para(
        "Les caractéristiques financières de chaque Ligne du Prêt figurent en annexe ; elles prévalent sur le résumé "
        f"ci-dessus. Le taux du Livret A retenu pour les taux indicatifs est de {comma(LIVRET_A)}{NBSP}%."
    )
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    pdf.add_page()
    pdf.bold("ANNEXE – CARACTÉRISTIQUES FINANCIÈRES DE CHAQUE LIGNE DU PRÊT", size=10.5)
    for start in range(0, len(loans), 3):
        part = loans[start : start + 3]
        rows: list[tuple[str, list[str]]] = [
            ("Offre", ["CDC"] * len(part)),
            ("Ligne du Prêt", [product_object(loan, rng) for loan in part]),
            ("Identifiant de la Ligne du Prêt", [identifiant(rng) for _ in part]),
            ("Montant de la Ligne du Prêt", [money(loan.montant, style) for loan in part]),
            ("Commission d'instruction", [commission(loan) for loan in part]),
            ("Durée de la période", [loan.periodicite.capitalize() for loan in part]),
            ("Taux de période", [margin_pct(rate_of(loan)) for loan in part]),
            ("TEG de la Ligne du Prêt", [margin_pct(rate_of(loan) + Decimal("0.01")) for loan in part]),
            ("Phase de préfinancement", [""] * len(part)),
            (
                "Durée du préfinancement",
                [f"{loan.prefinancement} mois" if loan.prefinancement else "Sans objet" for loan in part],
            ),
            (
                "Index de préfinancement",
                ["Livret A" if loan.index == "livret_a" and loan.prefinancement else "Sans objet" for loan in part],
            ),
            (
                "Marge fixe sur index de préfinancement",
                [
                    margin_pct(loan.marge) if loan.index == "livret_a" and loan.prefinancement else "Sans objet"
                    for loan in part
                ],
            ),
            ("Phase d'amortissement", [""] * len(part)),
            ("Durée", [span(loan.amortissement, unit) for loan in part]),
            ("Index", ["Livret A" if loan.index == "livret_a" else "Taux fixe" for loan in part]),
            (
                "Marge fixe sur index",
                [margin_pct(loan.marge) if loan.index == "livret_a" else "Sans objet" for loan in part],
            ),
            ("Taux d'intérêt¹", [margin_pct(rate_of(loan)) for loan in part]),
            ("Périodicité", [loan.periodicite.capitalize() for loan in part]),
            ("Profil d'amortissement", ["Échéance prioritaire (intérêts différés)"] * len(part)),
            ("Condition de remboursement anticipé volontaire", ["Indemnité actuarielle"] * len(part)),
            ("Modalité de révision", ["DR" if loan.index == "livret_a" else "Sans objet" for loan in part]),
            ("Taux de progressivité des échéances", [f"0,00{NBSP}%"] * len(part)),
            ("Mode de calcul des intérêts", ["Équivalent"] * len(part)),
            ("Base de calcul des intérêts", ["30 / 360"] * len(part)),
        ]
        label_width = 52
        widths = (label_width, *([(174 - label_width) / 3] * len(part)))
        pdf.set_font("Helvetica", size=7.8)
        with pdf.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",
            line_height=3.7,
            padding=0.8,
            first_row_as_headings=False,
        ) as table:
            for label, values in rows:
                if label.startswith("Phase"):
                    row = table.row()
                    row.cell(label, colspan=len(part) + 1, style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)))
                else:
                    table.row((label, *values))
        pdf.ln(3)
    pdf.set_font("Helvetica", size=7.5)
    pdf.multi_cell(
        0,
        3.6,
        f"¹ Taux indicatif établi sur la base du taux du Livret A en vigueur ({comma(LIVRET_A)} %), "
        "révisable à chaque variation de l'index.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return Letter(f"Z13-prose-et-annexe-{number:02d}.pdf", "Z13", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z14: a portal synthesis, boxes two by two


def family_side_by_side(number: int) -> Letter:
    """Z14: a portal's synthesis, Lignes du Prêt as key/value boxes two side by side."""
    rng, bailleur, operation, day, _reference, loans = loans_for("Z14", number, 1 + number % 6)
    commune = operation[1]
    text, other = guarantee("Z14", number, commune)
    style = ["space", "before", "nbsp", "whole"][number % 4]
    unit = "ans" if number % 3 != 1 else "mois"
    dossier = f"{day.year}-{rng.randrange(10_000, 99_999)}"
    pdf = Pdf(footer=f"Synthèse de l'offre – dossier n° {dossier} – document non contractuel")
    pdf.add_page()
    pdf.set_fill_color(0, 60, 110)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 9, "  Banque des Territoires – Synthèse de l'offre de prêt", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", size=8)
    pdf.cell(
        0,
        5,
        f"Dossier n° {dossier} – édité le {day:%d/%m/%Y} à 10 h 42 – Document de synthèse non contractuel",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", size=9)
    for label, value in (
        ("Emprunteur", f"{bailleur[0]} (SIREN {bailleur[1]})"),
        ("Opération", f"{operation[0]} – {commune}"),
        ("Nombre de Lignes du Prêt", str(len(loans))),
        ("Montant total du Prêt", money(total_of(loans), style)),
    ):
        pdf.cell(50, 5, label)
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    box = 85.0
    gap = pdf.w - pdf.l_margin - pdf.r_margin - 2 * box
    line = 4.6
    for start in range(0, len(loans), 2):
        pair = loans[start : start + 2]
        boxes = []
        for loan in pair:
            fixed = loan.index != "livret_a"
            boxes.append(
                [
                    ("Produit", loan.produit),
                    ("Objet", nature_name(loan, rng).capitalize()),
                    ("Identifiant", identifiant(rng)),
                    ("Montant", money(loan.montant, style)),
                    ("Préfinancement", f"{loan.prefinancement} mois" if loan.prefinancement else "Sans objet"),
                    ("Amortissement", span(loan.amortissement, unit)),
                    ("Index", "Taux fixe" if fixed else "Livret A"),
                    ("Marge fixe sur index", "Sans objet" if fixed else margin_pct(loan.marge, signed=True)),
                    ("Taux actuariel indicatif", margin_pct(rate_of(loan))),
                    ("Périodicité", loan.periodicite.capitalize()),
                    ("Profil", "Échéance prioritaire"),
                ]
            )
        height = line * (len(boxes[0]) + 1) + 2
        if pdf.get_y() + height > pdf.h - 20:
            pdf.add_page()
        top = pdf.get_y()
        for side in range(len(pair)):
            x = pdf.l_margin + side * (box + gap)
            pdf.set_xy(x, top)
            pdf.set_font("Helvetica", "B", 9)
            pdf.set_fill_color(225, 232, 240)
            pdf.cell(box, line + 0.6, f" Ligne du Prêt {start + side + 1} / {len(loans)}", border=1, fill=True)
        for row_number in range(len(boxes[0])):
            y = top + line + 0.6 + row_number * line
            for side, rows in enumerate(boxes):
                x = pdf.l_margin + side * (box + gap)
                label, value = rows[row_number]
                pdf.set_xy(x, y)
                pdf.set_font("Helvetica", size=8)
                pdf.cell(38, line, f" {label}", border="L")
                pdf.set_font("Helvetica", "B", 8)
                pdf.cell(box - 38, line, value, border="R", align="R")
        for side in range(len(boxes)):
            x = pdf.l_margin + side * (box + gap)
            pdf.line(x, top + line + 0.6 + len(boxes[0]) * line, x + box, top + line + 0.6 + len(boxes[0]) * line)
        pdf.set_xy(pdf.l_margin, top + height + 2)
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.cell(0, 6, "Garanties", new_x="LMARGIN", new_y="NEXT")
    pdf.para(ALS, size=9)
    if text:
        pdf.para(text, size=9)
    pdf.para(
        f"Taux indicatifs calculés sur la base d'un Livret A à {comma(LIVRET_A)}{NBSP}% ; seul le Contrat de Prêt "
        "fait foi.",
        size=8,
    )
    return Letter(f"Z14-synthese-{number:02d}.pdf", "Z14", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Z15: landscape, two-level header

DEFINITIONS = (
    (
        "Index",
        "désigne, pour une Ligne du Prêt, l'index de référence appliqué en vue de déterminer le taux d'intérêt ; "
        "le Livret A est le taux de rémunération du Livret A publié par l'État.",
    ),
    (
        "Marge fixe sur index",
        "désigne, pour une Ligne du Prêt, la marge fixe ajoutée à l'Index afin de déterminer le "
        "taux d'intérêt applicable sur la Ligne du Prêt.",
    ),
    (
        "Phase de préfinancement",
        "désigne, pour une Ligne du Prêt, la période comprise entre la date de prise d'effet "
        "du Contrat et la date de début de la Phase d'amortissement ; sa durée est indiquée "
        "au tableau ci-dessous.",
    ),
    (
        "Phase d'amortissement",
        "désigne, pour chaque Ligne du Prêt, la période débutant à l'issue de la Phase de "
        "préfinancement, durant laquelle l'Emprunteur rembourse le capital prêté dans les "
        "conditions définies au tableau ci-dessous.",
    ),
    (
        "Taux indicatif",
        "désigne le taux d'intérêt calculé sur la base de l'Index en vigueur à la date d'émission de la "
        "présente offre ; il est révisé à chaque variation de l'Index.",
    ),
    (
        "Profil d'amortissement",
        "désigne, pour chaque Ligne du Prêt, le mode de calcul de l'échéance : « Prioritaire » "
        "signifie que l'échéance est déterminée en priorité et que les intérêts sont différés "
        "lorsque leur montant excède celui de l'échéance.",
    ),
    (
        "Périodicité",
        "désigne la fréquence des échéances d'une Ligne du Prêt : annuelle, semestrielle ou trimestrielle.",
    ),
    (
        "Commission d'instruction",
        "désigne la somme perçue par le Prêteur au titre des frais de dossier de chaque "
        "Ligne du Prêt ; elle est prélevée sur le premier versement et n'est pas restituable "
        "en cas de remboursement anticipé.",
    ),
    (
        "Date d'effet",
        "désigne la date de réception par le Prêteur du Contrat signé par l'ensemble des parties et de "
        "la ou des garanties prévues, dès lors que les conditions suspensives sont remplies.",
    ),
    (
        "Taux de période",
        "désigne le taux effectif global appliqué sur une période unitaire, calculé au prorata de la "
        "durée de la période et rapporté à la Périodicité des échéances de la Ligne du Prêt.",
    ),
    (
        "TEG",
        "désigne le taux effectif global de chaque Ligne du Prêt, calculé en tenant compte des commissions, des "
        "frais de garantie et des intérêts de la Phase de préfinancement, conformément au Code de la consommation.",
    ),
    (
        "Garantie",
        "désigne la sûreté accordée au Prêteur qui lui permet d'obtenir le paiement des sommes dues au titre "
        "du Contrat en cas de défaillance de l'Emprunteur.",
    ),
)


def family_phase_groups(number: int) -> Letter:
    """Z15: a one-page offer, then a landscape table with a two-level header (two « Durée » columns)."""
    rng, bailleur, operation, day, reference, loans = loans_for("Z15", number, 2 + number % 7)
    commune = operation[1]
    text, other = guarantee("Z15", number, commune)
    style = ["before", "space", "nbsp", "dots"][number % 4]
    unit = "mois" if number % 3 == 0 else "ans"
    total = total_of(loans)
    pdf = Pdf(footer=f"Offre de prêt n° {reference}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "Banque des Territoires", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 4, "Groupe Caisse des Dépôts – Direction régionale Auvergne-Rhône-Alpes", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=10)
    pdf.set_x(pdf.w - 95)
    pdf.multi_cell(75, 5, f"{bailleur[0]}\nSIREN : {bailleur[1]}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_x(pdf.w - 95)
    pdf.cell(75, 5, f"Lyon, le {pdfgen.format_date(day)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Offre n° {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.bold(f"Objet : Offre de prêt – {operation[0]} à {commune}")
    pdf.para("Madame, Monsieur,")
    pdf.para(
        f"Suite à votre demande, nous vous adressons notre offre de prêt, d'un montant total de {money(total, style)}, "
        f"composée de {lines_word(len(loans))} dont les caractéristiques figurent au tableau récapitulatif annexé. "
        "Chaque Ligne du Prêt comporte une phase de préfinancement, le cas échéant, puis une phase d'amortissement."
    )
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para(f"La présente offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}.")
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    pdf.add_page(orientation="L")
    pdf.bold("ANNEXE – Tableau récapitulatif des Lignes du Prêt", size=10.5)
    airy = number % 3 == 2
    if airy:
        # The contract's definitions before the table: with many lines, the table continues on the next page.
        for term, meaning in DEFINITIONS:
            pdf.set_font("Helvetica", "B", 9.5)
            pdf.write(4.8, f"« {term} » ")
            pdf.set_font("Helvetica", size=9.5)
            pdf.write(4.8, meaning)
            pdf.ln(6.5)
        pdf.ln(2)
    widths = (10, 17, 30, 32, 20, 18, 18, 20, 18, 18, 22, 22, 16)
    pdf.set_font("Helvetica", size=8)
    heading = FontFace(emphasis="BOLD", fill_color=(222, 228, 236))
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        text_align="CENTER",
        line_height=4.6 if airy else 4,
        padding=1.6 if airy else 0.8,
        num_heading_rows=2,
        headings_style=heading,
    ) as table:
        top = table.row()
        for label in ("N°", "Produit", "Objet", "Montant"):
            top.cell(label, rowspan=2)
        top.cell("Phase de préfinancement", colspan=3)
        top.cell("Phase d'amortissement", colspan=6)
        table.row(("Durée", "Index", "Marge", "Durée", "Index", "Marge", "Taux indicatif", "Périodicité", "Profil"))
        for number_in, loan in enumerate(loans, start=1):
            fixed = loan.index != "livret_a"
            prefi = bool(loan.prefinancement)
            table.row(
                (
                    str(number_in),
                    loan.produit,
                    nature_name(loan, rng),
                    money(loan.montant, style),
                    f"{loan.prefinancement} mois" if prefi else "Sans objet",
                    ("Taux fixe" if fixed else "Livret A") if prefi else "Sans objet",
                    ("—" if fixed else margin_pct(loan.marge)) if prefi else "Sans objet",
                    span(loan.amortissement, unit),
                    "Taux fixe" if fixed else "Livret A",
                    "—" if fixed else margin_pct(loan.marge),
                    margin_pct(rate_of(loan)),
                    loan.periodicite.capitalize(),
                    "Prioritaire",
                )
            )
        table.row(("", "Total", "", money(total, style), *([""] * 9)))
    pdf.ln(2)
    pdf.set_font("Helvetica", size=7.5)
    pdf.multi_cell(
        0,
        3.6,
        f"Taux indicatifs sur la base d'un Livret A à {comma(LIVRET_A)}{NBSP}% ; la marge fixe sur index est "
        "identique pendant les deux phases. Profil prioritaire : échéance déduite, intérêts différés.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return Letter(f"Z15-phases-paysage-{number:02d}.pdf", "Z15", bytes(pdf.output()), loans, bailleur[1], other)


BLIND6: dict[str, Callable[[int], Letter]] = {
    "Z11": family_decision,
    "Z12": family_rapport,
    "Z13": family_prose_and_annex,
    "Z14": family_side_by_side,
    "Z15": family_phase_groups,
}
FIRST_VARIANTS = range(6)  # measured once, blind, before anyone read the extractor
FRESH_VARIANTS = range(6, 18)  # measured in the same first run
AFTER_FIXES = range(18, 42)  # never measured nor looked at before the fixes the first run shows


if __name__ == "__main__":
    write([make(number) for make in BLIND6.values() for number in FIRST_VARIANTS], "corpus-familles-aveugles-6")
