"""Five more layout families of Banque des Territoires letters (K–O), written without reading the extractor,
for a blind measurement: the held-out half F–J was used to fix the extractor, so it is no longer unseen.

They use the framework of `families.py` (Pdf, letterhead, the Letter and LoanSpec ground truth) and
layouts that none of A–J has, taken from how the Caisse des Dépôts writes its contracts and offers:

- K: the CDC « Contrat de prêt »: an article giving the total of the Prêt in figures and in words, then
  « Caractéristiques financières de chaque Ligne du Prêt » as a transposed table with the product and the
  nature in one cell (« PLS foncier » beside a bare « PLS » for the building), a « Phase de
  préfinancement » and a « Phase d'amortissement » inside the table (two « Durée » rows, two margins),
  rows that are not loan fields (Commission d'instruction, TEG, « Durée de la période » that is a
  periodicity, Modalité de révision DR/SR, Taux de progressivité…), footnote marks on labels, margins
  written « 0,6 % », the guarantees as the contract's table.
- L: an offer with one block per Ligne du Prêt, each with « Phase de préfinancement » and « Phase
  d'amortissement » sub-blocks both having a « Durée », durations « 2 ans » / « 1 an » / « 480 mois »,
  margins « + 0,60 % », « 0,60 point », « 60 points de base », amounts in EUR or with € before.
- M: a « fiche de synthèse » of boxes, the label above the value in each box, several boxes in a row,
  fields in an order that changes, distractor boxes (durée totale, différé, taux actuariel).
- N: a lettre d'intention with bullet lists (« – un prêt PLI foncier d'un montant de … sur 60 ans dont
  2 ans de préfinancement »): the total duration including the préfinancement, amounts in words first or
  in figures first, margins in points de base, then the total of the financing.
- O: a table with one loan per row, columns in an unusual order, units sometimes only in the headers
  (« Durée d'amortissement (années) », « Montant (EUR) »), margins in basis points, a « Total » row.

Five new wordings of another guarantor (`GUARANTORS_BLIND`, one as a row of the guarantees table), given
in odd variants; even variants have none, and some of them carry a trap (« Garant : Action Logement
Services », « aucune garantie de collectivité n'est requise ») that must not raise a false alarm.
Deterministic: each variant is seeded by its family and number.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from families import NBSP, Letter, LoanSpec, Pdf, _setup, letterhead, write

from infra import pdfgen

GUARANTORS_BLIND = (
    "Le Département de la Loire accorde sa garantie à hauteur de 50 % pour le remboursement de chaque Ligne du "
    "Prêt.",
    "Saint-Étienne Métropole garantit le remboursement de la Ligne du Prêt foncière à hauteur de 100 %.",
    "L'offre est subordonnée à l'octroi d'une garantie d'emprunt par la commune de {commune}, délibération du "
    "conseil municipal à l'appui.",
    "Le remboursement des sommes dues au titre des Lignes du Prêt est assuré conjointement par Nantes Métropole "
    "(50 %) et la commune de Rezé (50 %), garants à première demande.",
    # A row of the contract's guarantees table: type | garant | quotité.
    "Collectivités locales|Communauté de communes du Pays de Gex|50,00",
)
# Even variants: no other guarantor; some say something close to one.
NO_GUARANTOR = (
    None,
    "Garant : Action Logement Services — quotité garantie : 100 %.",
    "Aucune garantie de collectivité territoriale n'est requise pour ces prêts.",
)
FAMILY_INDEX = {"K": 0, "L": 1, "M": 2, "N": 3, "O": 4}
# Paragraphs that push the loans further down, so that some tables and lists cross a page.
FILLER = (
    "Le Prêt est destiné exclusivement au financement de l'opération visée ci-dessus. Les fonds sont versés selon "
    "l'échéancier prévisionnel de mobilisation, sous réserve du respect des conditions suspensives de versement et "
    "de la production des pièces justificatives.",
    "L'Emprunteur s'engage à informer le Prêteur de toute modification du plan de financement de l'opération, du "
    "prix de revient ou du calendrier des travaux, et à lui communiquer chaque année ses documents comptables.",
    "Les intérêts sont calculés sur le capital restant dû, au taux en vigueur de chaque période, et payables à "
    "chaque échéance ; la révision du taux intervient à chaque variation de l'index.",
    "Tout remboursement anticipé volontaire donne lieu à la perception d'une indemnité, dans les conditions "
    "prévues aux conditions générales applicables à la date d'émission du contrat.",
)


def filler(pdf: Pdf, count: int) -> None:
    for index in range(count):
        pdf.para(FILLER[index % len(FILLER)])


def push_down(pdf: Pdf, room: float) -> None:
    """Paragraphs until about `room` mm are left on the page: what follows crosses to the next one."""
    index = 0
    while pdf.get_y() < pdf.h - pdf.b_margin - room - 18:
        pdf.para(FILLER[index % len(FILLER)])
        index += 1


# ---------------------------------------------------------------- formats


def money(value: Decimal, style: str) -> str:
    """nbsp, space, dots, eur (« EUR » after), eur_before (« EUR » before), euro_before (« € » before),
    whole (no cents when there are none, CDC contracts), bare (no unit)."""
    whole = value == value.to_integral_value()
    digits = f"{value:,.0f}" if style == "whole" and whole else f"{value:,.2f}"
    if style in ("dots", "eur_before"):
        text = digits.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    else:
        text = digits.replace(",", " " if style == "space" else NBSP).replace(".", ",")
    return {"eur": f"{text} EUR", "eur_before": f"EUR {text}", "euro_before": f"€{NBSP}{text}",
            "bare": text}.get(style, f"{text}{NBSP}€")


def months_or_years(months: int, unit: str) -> str:
    """« 24 mois », « 2 ans », « 1 an »; months when the years are not whole."""
    if unit == "mois" or months % 12:
        return f"{months} mois"
    years = months // 12
    return f"{years} an" if years == 1 else f"{years} ans"


def short_percent(value: Decimal) -> str:
    """The CDC way: « 0,6 % », « 3 % », « -0,2 % »."""
    text = format(value.normalize(), "f").replace(".", ",")
    return f"{text}{NBSP}%"


def signed_margin(value: Decimal, style: str) -> str:
    sign = "+" if value >= 0 else "-"
    magnitude = abs(value)
    if style == "pdb":
        return f"{sign} {int(magnitude * 100)} points de base"
    if style == "pb":
        return f"{sign}{int(magnitude * 100)}{NBSP}pb"
    if style == "point":
        return f"{sign} " + f"{magnitude:.2f}".replace(".", ",") + " point"
    if style == "short":
        return short_percent(value)
    return f"{sign} " + f"{magnitude:.2f}".replace(".", ",") + f"{NBSP}%"


def nature_text(loan: LoanSpec, rng: random.Random) -> str:
    if loan.nature == "foncier":
        return rng.choice(["foncier", "acquisition foncière", "charge foncière", "terrain"])
    return rng.choice(["construction", "bâti", "travaux", "construction neuve"])


def _guarantee(family: str, number: int, commune: str) -> str | None:
    if number % 2 == 0:
        return NO_GUARANTOR[(number // 2) % len(NO_GUARANTOR)]
    return GUARANTORS_BLIND[(FAMILY_INDEX[family] + number // 2) % len(GUARANTORS_BLIND)].format(commune=commune)


def _is_other(text: str | None) -> bool:
    return text is not None and text not in NO_GUARANTOR


def guarantees(pdf: Pdf, text: str | None, *, heading: str = "Garanties", prose: bool = False) -> None:
    """ALS's guarantee (a sentence, or the contract's guarantees table), then the other guarantor (a sentence,
    or a row of the table)."""
    pdf.bold(heading)
    rows = [("Action Logement", "Action Logement Services", "100,00")]
    if text and "|" in text:
        rows.append(tuple(text.split("|")))  # type: ignore[arg-type]
        text = None
        prose = False
    if prose:
        pdf.para("Ces prêts devront être garantis à hauteur de 100 % par Action Logement Services.")
        if text:
            pdf.para(text)
        return
    pdf.para("Le remboursement du capital et le paiement des intérêts ainsi que toutes les sommes contractuellement "
             "dues au titre du présent prêt sont garantis comme suit :")
    pdf.set_font("Helvetica", size=8.5)
    with pdf.table(col_widths=(40, 90, 40), text_align="LEFT", line_height=4.4, padding=1) as table:
        table.row(("Type de Garantie", "Dénomination du garant ou Désignation de la Garantie",
                   "Quotité Garantie (en %)"))
        for row in rows:
            table.row(row)
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    if text:
        pdf.para(text)


def ending(pdf: Pdf) -> None:
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    pdf.para("Le Directeur régional, par délégation")


# ---------------------------------------------------------------- K: the CDC contract


def family_contract(number: int) -> Letter:
    """K: « Contrat de prêt », total in figures and words, transposed table with phases inside it."""
    rng, bailleur, operation, day, reference, loans = _setup("K", number, 2 + number % 4)
    for loan in loans:
        if loan.produit == "PHB":
            loan.produit = "PLS"
    pdf = Pdf(footer=f"Contrat de prêt n° {reference[1:]} — Emprunteur n° {rng.randrange(100000, 999999)}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, f"CONTRAT DE PRÊT N° {reference[1:]}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.para(f"Entre {bailleur[0].upper()} - n° SIREN : {bailleur[1]}, ci-après indifféremment dénommé(e) "
             "« l'Emprunteur »,")
    pdf.para("et la CAISSE DES DÉPÔTS ET CONSIGNATIONS, établissement spécial créé par la loi du 28 avril 1816, "
             "ci-après indifféremment dénommée « la Caisse des Dépôts », « la CDC » ou « le Prêteur ».")
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.bold("ARTICLE 1 OBJET DU PRÊT")
    pdf.para(f"Le présent Contrat est destiné au financement de l'opération « {operation[0]} », parc social public, "
             f"construction de logements situés à {operation[1]}.")
    pdf.bold("ARTICLE 2 PRÊT")
    pdf.para("Le Prêteur consent à l'Emprunteur, qui l'accepte, un Prêt d'un montant maximum de "
             f"{money(total, 'whole')} ({pdfgen.amount_words(total)}) constitué de {len(loans)} Lignes du Prêt.")
    filler(pdf, (0, 3, 6)[number % 3])
    pdf.bold("ARTICLE 3 CARACTÉRISTIQUES FINANCIÈRES DE CHAQUE LIGNE DU PRÊT")
    pdf.para("Les caractéristiques financières de chaque Ligne du Prêt sont les suivantes :")

    style = ["whole", "nbsp", "space"][number % 3]
    bare_bati = number % 2 == 0  # « PLS » alone for the building line, as CDC contracts write it

    def product(loan: LoanSpec) -> str:
        if loan.nature == "foncier":
            return f"{loan.produit} foncier"
        return loan.produit if bare_bati else f"{loan.produit} construction"

    def livret(loan: LoanSpec, value: str) -> str:
        return value if loan.index == "livret_a" else "-"

    def rate(loan: LoanSpec) -> str:
        return short_percent(loan.marge + Decimal("2.4") if loan.index == "livret_a" else loan.marge)

    def prefi(loan: LoanSpec, value: str) -> str:
        return value if loan.prefinancement else "-"

    rows: list[tuple[str, list[str]] | str] = [
        ("Offre", ["CDC"] * len(loans)),
        ("Caractéristiques de la Ligne du Prêt", [product(loan) for loan in loans]),
        ("Enveloppe", ["-"] * len(loans)),
        ("Identifiant de la Ligne du Prêt", [str(rng.randrange(5_000_000, 5_999_999)) for _ in loans]),
        ("Montant de la Ligne du Prêt", [money(loan.montant, style) for loan in loans]),
        ("Commission d'instruction", [f"0{NBSP}€"] * len(loans)),
        ("Durée de la période", [loan.periodicite.capitalize() for loan in loans]),
        ("Taux de période", [rate(loan) for loan in loans]),
        ("TEG de la Ligne du Prêt", [rate(loan) for loan in loans]),
        "Phase de préfinancement",
        ("Durée du préfinancement", [prefi(loan, f"{loan.prefinancement} mois") for loan in loans]),
        ("Index de préfinancement",
         [prefi(loan, "Livret A" if loan.index == "livret_a" else "Taux fixe") for loan in loans]),
        ("Marge fixe sur index de préfinancement",
         [prefi(loan, livret(loan, short_percent(loan.marge))) for loan in loans]),
        ("Taux d'intérêt du préfinancement", [prefi(loan, rate(loan)) for loan in loans]),
        ("Règlement des intérêts de préfinancement", [prefi(loan, "Capitalisation") for loan in loans]),
        "Phase d'amortissement",
        ("Durée", [months_or_years(loan.amortissement, "ans") for loan in loans]),
        ("Index¹", ["Livret A" if loan.index == "livret_a" else "Taux fixe" for loan in loans]),
        ("Marge fixe sur index", [livret(loan, short_percent(loan.marge)) for loan in loans]),
        ("Taux d'intérêt²", [rate(loan) for loan in loans]),
        ("Périodicité", [loan.periodicite.capitalize() for loan in loans]),
        ("Profil d'amortissement", ["Échéance prioritaire (intérêts différés)"] * len(loans)),
        ("Condition de remboursement anticipé volontaire", ["Indemnité actuarielle"] * len(loans)),
        ("Modalité de révision", [rng.choice(["DR", "SR"]) for _ in loans]),
        ("Taux de progressivité de l'échéance", [short_percent(Decimal(rng.choice(["0", "0.5"]))) for _ in loans]),
        ("Mode de calcul des intérêts", ["Équivalent"] * len(loans)),
        ("Base de calcul des intérêts", ["30 / 360"] * len(loans)),
    ]
    width = pdf.w - pdf.l_margin - pdf.r_margin
    label_width = rng.choice([42, 48, 54])
    pdf.set_font("Helvetica", size=7.5)
    with pdf.table(col_widths=(label_width, *([(width - label_width) / len(loans)] * len(loans))),
                   text_align="LEFT", line_height=3.8, padding=1) as table:
        for row in rows:
            if isinstance(row, str):
                table.row().cell(row, colspan=len(loans) + 1)
            else:
                table.row((row[0], *row[1]))
    pdf.set_font("Helvetica", size=7)
    pdf.multi_cell(0, 3.5, "¹ À titre purement indicatif et sans valeur contractuelle, la valeur de l'index à la date "
                   "d'émission du présent Contrat est de 2,4 % (Livret A).\n² Les taux indiqués ci-dessus sont "
                   "susceptibles de varier en fonction des variations de l'index de la Ligne du Prêt.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    text = _guarantee("K", number, operation[1])
    pdf.set_font("Helvetica", size=10)
    guarantees(pdf, text, heading="ARTICLE 4 GARANTIES")
    pdf.para(f"Fait en deux exemplaires, le {pdfgen.format_date(day)}.")
    return Letter(f"K-contrat-{number:02d}.pdf", "K", bytes(pdf.output()), loans, bailleur[1], _is_other(text))


# ---------------------------------------------------------------- L: blocks with phases


def family_phase_blocks(number: int) -> Letter:
    """L: one block per Ligne du Prêt, each with its « Phase de préfinancement » and « Phase d'amortissement »."""
    rng, bailleur, operation, day, reference, loans = _setup("L", number, 2 + number % 5)
    pdf = Pdf(footer=f"Offre de prêt {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — opération « {operation[0]} » à {operation[1]}")
    pdf.para("Madame, Monsieur, nous avons le plaisir de vous faire part de notre accord pour le financement de "
             "l'opération citée en objet. Les conditions de chaque Ligne du Prêt sont détaillées ci-après.")
    style = ["eur", "euro_before", "dots", "nbsp", "eur_before", "space"][number % 6]
    margin_style = ["sign", "point", "pdb", "short"][number % 4]
    years = number % 2 == 0
    label_width = 70

    def line(label: str, value: str, indent: float = 6) -> None:
        pdf.set_x(pdf.l_margin + indent)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(label_width - indent, 5, label)
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")

    for index, loan in enumerate(loans, start=1):
        pdf.ln(1)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, f"Ligne du Prêt n° {index} : {loan.produit} {nature_text(loan, rng)}", new_x="LMARGIN",
                 new_y="NEXT")
        line("Identifiant", str(rng.randrange(5_000_000, 5_999_999)), 0)
        line("Montant", money(loan.montant, style), 0)
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(0, 5, "Phase de préfinancement", new_x="LMARGIN", new_y="NEXT")
        livret = loan.index == "livret_a"
        said_margin = signed_margin(loan.marge, "sign" if margin_style == "short" else margin_style)
        rate = f"Livret A {said_margin}" if livret else "taux fixe de " + f"{loan.marge:.2f}".replace(".", ",") + \
            f"{NBSP}%"
        if loan.prefinancement:
            line("Durée", months_or_years(loan.prefinancement, "ans" if years else "mois"))
            line("Taux", rate)
        else:
            line("Durée", "Sans objet")
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(0, 5, "Phase d'amortissement", new_x="LMARGIN", new_y="NEXT")
        line("Durée", months_or_years(loan.amortissement, "ans" if years or rng.random() < 0.5 else "mois"))
        if livret:
            line("Index", "Livret A")
            line("Marge", signed_margin(loan.marge, margin_style))
        else:
            line("Index", "Taux fixe")
            line("Taux fixe", f"{loan.marge:.2f}".replace(".", ",") + f"{NBSP}%")
        line("Périodicité", loan.periodicite)
        line("Profil", "amortissement prioritaire (échéance déduite)")
        line("Taux de progressivité des échéances", f"0,00{NBSP}%")
    pdf.ln(3)
    text = _guarantee("L", number, operation[1])
    guarantees(pdf, text, prose=number % 4 < 2)
    pdf.para(f"Cette offre est valable trois mois à compter du {pdfgen.format_date(day)}.")
    ending(pdf)
    return Letter(f"L-phases-{number:02d}.pdf", "L", bytes(pdf.output()), loans, bailleur[1], _is_other(text))


# ---------------------------------------------------------------- M: boxes, label above value


def family_boxes(number: int) -> Letter:
    """M: a « fiche de synthèse »: per loan a band, then rows of boxes with the label above the value."""
    rng, bailleur, operation, day, reference, loans = _setup("M", number, 2 + number % 4)
    pdf = Pdf(footer=f"Fiche de synthèse {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de financement — fiche de synthèse, « {operation[0]} »")
    pdf.para("La présente fiche résume les conditions financières proposées pour chacun des prêts. Elle fait partie "
             "intégrante de l'offre et doit être retournée paraphée avec celle-ci.")
    filler(pdf, number % 3)
    style = ["nbsp", "euro_before", "eur", "dots"][number % 4]
    margin_style = ["sign", "pb", "short"][number % 3]
    width = pdf.w - pdf.l_margin - pdf.r_margin
    per_row = 4
    box_w = width / per_row
    box_h = 13

    for index, loan in enumerate(loans, start=1):
        livret = loan.index == "livret_a"
        boxes = [
            ("Produit", loan.produit),
            ("Nature de l'opération financée", nature_text(loan, rng).capitalize()),
            ("Montant du prêt", money(loan.montant, style)),
            ("Durée de la période de préfinancement",
             months_or_years(loan.prefinancement, "mois") if loan.prefinancement else "Aucune"),
            ("Durée de la période d'amortissement", months_or_years(loan.amortissement, rng.choice(["ans", "mois"]))),
            ("Durée totale", months_or_years(loan.amortissement + loan.prefinancement, "mois")),
            ("Index de référence", "Livret A" if livret else "Taux fixe"),
            ("Marge sur index" if livret else "Taux fixe",
             signed_margin(loan.marge, margin_style) if livret else short_percent(loan.marge)),
            ("Taux actuariel indicatif", short_percent(loan.marge + Decimal("2.4") if livret else loan.marge)),
            ("Périodicité des échéances", loan.periodicite.capitalize()),
            ("Différé d'amortissement", f"{loan.differe} mois" if loan.differe else "Néant"),
            ("Commission d'instruction", f"0,00{NBSP}€"),
        ]
        head, rest = boxes[:3], boxes[3:]
        rng.shuffle(rest)
        boxes = head + rest
        if pdf.get_y() + 8 + box_h > pdf.h - 20:
            pdf.add_page()
        pdf.set_fill_color(225, 225, 225)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 7, f"PRÊT {index}", fill=True, new_x="LMARGIN", new_y="NEXT")
        for start in range(0, len(boxes), per_row):
            if pdf.get_y() + box_h > pdf.h - 20:
                pdf.add_page()
            top = pdf.get_y()
            row = boxes[start:start + per_row]
            # Half the variants draw every label of the row before the values (the content stream then gives a
            # line of labels, then a line of values), the other half box by box.
            passes = (("label",), ("value",)) if number % 2 else (("label", "value"),)
            for parts in passes:
                for column, (label, value) in enumerate(row):
                    x = pdf.l_margin + column * box_w
                    if "label" in parts:
                        pdf.rect(x, top, box_w, box_h)
                        pdf.set_xy(x + 1, top + 0.8)
                        pdf.set_font("Helvetica", size=6.5)
                        pdf.multi_cell(box_w - 2, 2.8, label, new_x="LEFT", new_y="NEXT", align="L")
                    if "value" in parts:
                        pdf.set_xy(x + 1, top + box_h - 5.5)
                        pdf.set_font("Helvetica", "B", 9.5)
                        pdf.cell(box_w - 2, 5, value)
            pdf.set_xy(pdf.l_margin, top + box_h)
        pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    text = _guarantee("M", number, operation[1])
    guarantees(pdf, text)
    ending(pdf)
    return Letter(f"M-cases-{number:02d}.pdf", "M", bytes(pdf.output()), loans, bailleur[1], _is_other(text))


# ---------------------------------------------------------------- N: lettre d'intention, bullets


def family_bullets(number: int) -> Letter:
    """N: lettre d'intention, one bullet per loan, total duration « dont » préfinancement, then the total."""
    rng, bailleur, operation, day, reference, loans = _setup("N", number, 1 + number % 4, cents=number % 3 == 1)
    pdf = Pdf(footer=f"Lettre d'intention {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference,
               f"Lettre d'intention — financement de l'opération « {operation[0]} » ({rng.randrange(12, 80)} "
               "logements intermédiaires)")
    pdf.para("Madame la Directrice générale,")
    pdf.para(f"Vous avez sollicité la Banque des Territoires pour le financement de l'opération « {operation[0]} » à "
             f"{operation[1]}. Après examen du dossier, et sous réserve de l'accord de nos instances et de la "
             "production des pièces habituelles, nous sommes disposés à vous accorder les financements suivants :")
    if number % 3 == 2:
        push_down(pdf, 12)
    bullet = ["–", "•", "-", "–"][number % 4]
    with_total = number % 2 == 0
    figures_first = number % 3 != 1
    for loan in loans:
        total = loan.amortissement + loan.prefinancement
        if with_total:
            duration = (f"sur {months_or_years(total, 'ans')} dont {months_or_years(loan.prefinancement, 'ans')} de "
                        "préfinancement" if loan.prefinancement
                        else f"sur {months_or_years(total, 'ans')}, sans préfinancement")
        else:
            duration = (f"d'une durée d'amortissement de {months_or_years(loan.amortissement, 'ans')}, précédée d'un "
                        f"préfinancement de {loan.prefinancement} mois" if loan.prefinancement
                        else f"d'une durée d'amortissement de {months_or_years(loan.amortissement, 'ans')}, sans "
                        "préfinancement")
        figures = money(loan.montant, ["whole", "eur", "space"][number % 3])
        words = pdfgen.amount_words(loan.montant)
        said = f"{figures} ({words})" if figures_first else f"{words} ({figures})"
        if loan.index == "livret_a":
            rate = rng.choice([f"au taux du Livret A {signed_margin(loan.marge, 'sign')}",
                               f"indexé sur le Livret A avec une marge de {signed_margin(loan.marge, 'pdb')}",
                               f"au taux du Livret A {signed_margin(loan.marge, 'pdb')}"])
        else:
            rate = "à taux fixe de " + f"{loan.marge:.2f}".replace(".", ",") + f"{NBSP}%"
        nature = "foncier" if loan.nature == "foncier" else rng.choice(["bâti", "construction"])
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 5, f"{bullet} un prêt {loan.produit} {nature} d'un montant de {said} {duration}, {rate} ;",
                       new_x="LMARGIN", new_y="NEXT", align="J")
        pdf.ln(1)
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.para(f"soit un financement total de {money(total, 'nbsp')} pour cette opération.")
    pdf.para("Les conditions définitives, notamment le taux, seront celles en vigueur à la date d'émission du "
             "contrat de prêt.")
    text = _guarantee("N", number, operation[1])
    guarantees(pdf, text, prose=True)
    ending(pdf)
    return Letter(f"N-puces-{number:02d}.pdf", "N", bytes(pdf.output()), loans, bailleur[1], _is_other(text))


# ---------------------------------------------------------------- O: rows, unusual column order, Total


def family_rows_total(number: int) -> Letter:
    """O: one loan per row, columns in an unusual order, units in the headers, a « Total » row."""
    rng, bailleur, operation, day, reference, loans = _setup("O", number, 3 + number % 5)
    pdf = Pdf("L" if number % 2 else "P", footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêts — « {operation[0]} », {operation[1]}")
    pdf.para("Les prêts ci-dessous sont consentis pour le financement exclusif de l'opération citée en objet. Leur "
             "versement intervient à la demande de l'Emprunteur, au vu de l'avancement des travaux, dans un délai "
             "maximal de vingt-quatre mois à compter de la signature du contrat.")
    if number % 3 == 2:
        push_down(pdf, 22)
    else:
        filler(pdf, 1 + 3 * (number % 3))
    units_in_header = number % 2 == 0
    columns: list[tuple[str, Callable[[int, LoanSpec], str]]] = [
        ("Montant (EUR)" if units_in_header else "Montant",
         lambda i, loan: money(loan.montant, "dots" if units_in_header else "nbsp").removesuffix(f"{NBSP}€")
         if units_in_header else money(loan.montant, "nbsp")),
        ("Durée d'amortissement (années)" if units_in_header else "Durée d'amortissement",
         lambda i, loan: str(loan.amortissement // 12) if units_in_header
         else months_or_years(loan.amortissement, "ans")),
        ("Produit", lambda i, loan: loan.produit),
        ("Préfinancement (mois)" if units_in_header else "Préfinancement",
         lambda i, loan: (str(loan.prefinancement) if loan.prefinancement else "0") if units_in_header
         else (months_or_years(loan.prefinancement, "mois") if loan.prefinancement else "-")),
        ("Index", lambda i, loan: "Livret A" if loan.index == "livret_a" else "Taux fixe"),
        ("Marge / taux fixe", lambda i, loan: signed_margin(loan.marge, "pb") if loan.index == "livret_a"
         else short_percent(loan.marge)),
        ("Nature", lambda i, loan: nature_text(loan, rng).capitalize()),
        ("Taux actuel", lambda i, loan: short_percent(loan.marge + Decimal("2.4") if loan.index == "livret_a"
                                                       else loan.marge)),
    ]
    order = list(range(len(columns)))
    rng.shuffle(order)
    columns = [columns[i] for i in order]
    columns.append(("Ligne", lambda i, loan: str(i)))
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", size=8)
    weights = [1.7 if title.startswith("Montant") else 1.5 if title.startswith(("Nature", "Préfinancement")) else
               0.6 if title == "Ligne" else 1.6 if title.startswith("Durée") else 1.0
               for title, _ in columns]
    with pdf.table(col_widths=tuple(width * w / sum(weights) for w in weights), text_align="LEFT", line_height=4.2,
                   padding=1) as table:
        table.row(tuple(title for title, _ in columns))
        for index, loan in enumerate(loans, start=1):
            table.row(tuple(value(index, loan) for _, value in columns))
        total = sum((loan.montant for loan in loans), Decimal(0))
        amount_column = next(i for i, (title, _) in enumerate(columns) if title.startswith("Montant"))
        cells = ["" for _ in columns]
        cells[0 if amount_column else -1] = "Total"
        cells[amount_column] = columns[amount_column][1](0, LoanSpec("", "", total, 0, 0, "", Decimal(0), "", 0))
        table.row(tuple(cells))
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    pdf.para("Les marges sont exprimées en points de base au-dessus du taux du Livret A ; les taux actuels sont "
             "donnés à titre indicatif.")
    text = _guarantee("O", number, operation[1])
    guarantees(pdf, text)
    ending(pdf)
    return Letter(f"O-lignes-total-{number:02d}.pdf", "O", bytes(pdf.output()), loans, bailleur[1], _is_other(text))


BLIND: dict[str, Callable[[int], Letter]] = {
    "K": family_contract, "L": family_phase_blocks, "M": family_boxes, "N": family_bullets, "O": family_rows_total,
}
FIRST_VARIANTS = range(6)  # measured once, blind, before anyone read the extractor
FRESH_VARIANTS = range(6, 18)  # generated after the fixes that run showed, measured once


if __name__ == "__main__":
    write([make(number) for make in BLIND.values() for number in FIRST_VARIANTS], "corpus-familles-aveugles")
