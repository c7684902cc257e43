"""Five more layout families of Banque des Territoires letters (U–Y), written without reading the extractor, for a
third blind measurement: K–O and P–T were each used to fix the extractor after their first run, so none of A–T is
unseen any more.

They use the framework of `families.py` (Pdf, letterhead, the Letter and LoanSpec ground truth) and layouts that
none of A–T has:

- U: a two-column page: the letter on the left, a boxed « Récapitulatif des prêts » on the right, one small
  box per loan with short labels (« Montant », « Préfi. », « Amort. », « Taux »); with four or five loans the
  right column continues at the top of the next page.
- V: a short portrait letter, then a landscape annex « Tableau récapitulatif des Lignes du Prêt » in small
  type, one row per loan and many columns (N° ligne, Produit, Objet, Montant, Durée totale, dont préfi., Index,
  Marge, Taux actuariel, Périodicité, Profil); the amortisation is only given as the total duration less the
  préfinancement. Long tables cross a page with their header repeated; a « Total » row ends them.
- W: an « Offre de financement » in numbered paragraphs, one section per loan (« 2. Prêt PLS – construction »)
  with « 2.1 Montant », « 2.2 Durée », « 2.3 Taux », « 2.4 Échéances » in sentences; Times; durations in words
  (« quarante ans », « vingt-quatre mois »), sometimes with the figure in parentheses; margins « + 0,6 point »,
  « Livret A + 60 bp ».
- X: a « Lettre d'accord de principe »: each loan is a sentence with the product in lower case (« un prêt pli
  destiné à la charge foncière, d'un montant de … »), its characteristics either in parentheses after it or in
  a footnote « (1) » at the bottom of the page.
- Y: a lettre d'intention listing every loan in one paragraph, separated by semicolons; in some variants the
  amounts are in thousands of euros (« 1 250 k€ », exact: those amounts are whole thousands) and the margin
  in basis points (« Livret A + 60 bp »); the paragraph crosses a page in some variants.

Other guarantors in five new wordings (`GUARANTORS_BLIND3`): a guarantee granted by a délibération of a
conseil départemental, an établissement public territorial at 100 %, a « garantie solidaire » of a
communauté de communes, a Métropole that « se porte garant », and a « quotité garantie » by a communauté
urbaine beside ALS. Half the letters of a family have one; of the others, some carry a trap (a commune that
refused its guarantee, no guarantee asked of any collectivité, a département merely informed). Deterministic:
each variant is seeded by its family and number.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from families import NBSP, Letter, LoanSpec, Pdf, _setup, letterhead, write
from families_blind import push_down
from families_blind2 import NUMBERS, no_phb

from infra import pdfgen

# (wording, a short part of it that the rendered text must contain)
GUARANTORS_BLIND3 = (
    ("La garantie d'emprunt accordée par délibération du conseil départemental de la Haute-Savoie en date du "
     "12 mars 2025 couvre 50 % de chacun des prêts.", "conseil départemental de la Haute-Savoie"),
    ("Les prêts sont garantis à hauteur de 100 % par l'établissement public territorial Plaine Commune.",
     "Plaine Commune"),
    ("Ces financements sont consentis avec la garantie solidaire de la communauté de communes du Val de Saône.",
     "communauté de communes du Val de Saône"),
    ("Grenoble-Alpes Métropole se porte garant du remboursement de 85 % des sommes empruntées.",
     "se porte garant"),
    ("Quotité garantie par la Communauté urbaine de Dunkerque : 50 % ; le solde par Action Logement Services.",
     "Communauté urbaine de Dunkerque"),
)
NO_OTHER = (
    None,
    "La commune de {commune} ayant refusé d'accorder sa garantie, celle d'Action Logement Services est sollicitée "
    "pour 100 % des prêts.",
    "Aucune garantie n'a été demandée à une collectivité ou à un établissement public : Action Logement Services "
    "garantit la totalité des prêts.",
    "Le conseil départemental a été informé de l'opération ; aucune garantie ne lui est demandée.",
)
FAMILY_INDEX = {"U": 0, "V": 1, "W": 2, "X": 3, "Y": 4}
ALS = "La garantie d'Action Logement Services est sollicitée à hauteur de 100 % du montant de chaque prêt."


def guarantee(family: str, number: int, commune: str) -> tuple[str | None, bool]:
    """The sentence about guarantees beside ALS's, and whether it names another guarantor."""
    index = FAMILY_INDEX[family]
    if (number + index) % 2 == 1:
        return GUARANTORS_BLIND3[(index + number // 2) % len(GUARANTORS_BLIND3)][0], True
    text = NO_OTHER[(index + number // 2) % len(NO_OTHER)]
    return (text.format(commune=commune) if text else None), False


# ---------------------------------------------------------------- formats


def eur(value: Decimal, style: str) -> str:
    """nbsp (« 1 234 567,89 € »), space (« 1 234 567,89 € » with spaces), euros (« … euros »), whole (no cents
    when there are none), kilo (« 1 234 k€ », only for whole thousands), dots (« 1.234.567,89 € »)."""
    if style == "kilo":
        assert value % 1000 == 0, value
        return f"{value / 1000:,.0f}".replace(",", NBSP) + f"{NBSP}k€"
    whole = value == value.to_integral_value()
    digits = f"{value:,.0f}" if style == "whole" and whole else f"{value:,.2f}"
    if style == "dots":
        return digits.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + f"{NBSP}€"
    text = digits.replace(",", " " if style in ("space", "euros") else NBSP).replace(".", ",")
    return f"{text} euros" if style == "euros" else f"{text}{NBSP}€"


def months(value: int, *, words: bool = False, figure: bool = False, unit: str = "ans") -> str:
    """« 40 ans », « 480 mois », « quarante ans », « quarante (40) ans »."""
    if unit == "ans" and value % 12 == 0:
        count, name = value // 12, "ans" if value != 12 else "an"
    else:
        count, name = value, "mois"
    if words and count in NUMBERS:
        return f"{NUMBERS[count]} ({count}) {name}" if figure else f"{NUMBERS[count]} {name}"
    return f"{count} {name}"


def margin(value: Decimal, style: str) -> str:
    """percent (« Livret A + 0,60 % »), point (« Livret A + 0,6 point »), bp (« Livret A + 60 bp »), words
    (« taux du Livret A majoré de 0,60 point »)."""
    magnitude = abs(value)
    short = format(magnitude.normalize(), "f").replace(".", ",")
    if style == "words":
        return f"taux du Livret A {'minoré' if value < 0 else 'majoré'} de {magnitude:.2f}".replace(".", ",") + \
            " point"
    sign = "-" if value < 0 else "+"
    if style == "bp":
        return f"Livret A {sign} {int(magnitude * 100)} bp"
    if style == "point":
        return f"Livret A {sign} {short} point"
    return f"Livret A {sign} {magnitude:.2f}".replace(".", ",") + f"{NBSP}%"


def rate(loan: LoanSpec, style: str) -> str:
    if loan.index == "livret_a":
        return margin(loan.marge, style)
    return f"taux fixe de {loan.marge:.2f}".replace(".", ",") + f"{NBSP}%"


def nature_of(loan: LoanSpec, rng: random.Random, *, lower: bool = False) -> str:
    if loan.nature == "foncier":
        word = rng.choice(["foncier", "Foncier", "charge foncière"])
    else:
        word = rng.choice(["construction", "bâti", "Construction", "travaux"])
    return word.lower() if lower else word


def ending(pdf: Pdf, text: str | None, *, heading: str | None = "Garanties") -> None:
    if heading:
        pdf.bold(heading)
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 5, "Le Directeur territorial", new_x="LMARGIN", new_y="NEXT")


# ---------------------------------------------------------------- U: two columns, boxed summary on the right


def family_side_summary(number: int) -> Letter:
    """U: the letter in the left column, a boxed « Récapitulatif des prêts » in the right one."""
    rng, bailleur, operation, day, reference, loans = _setup("U", number, 2 + number % 4)
    no_phb(loans)
    pdf = Pdf(footer=f"Réf. {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Financement de l'opération « {operation[0]} » ({operation[1]})")
    style = ["nbsp", "space", "whole", "dots"][number % 4]
    rates = ["percent", "point", "bp"][number % 3]
    total = sum((loan.montant for loan in loans), Decimal(0))
    top = pdf.get_y() + 2
    left_w, gap = 104.0, 6.0
    right_x = pdf.l_margin + left_w + gap
    right_w = pdf.w - pdf.r_margin - right_x
    text, other = guarantee("U", number, operation[1])
    paragraphs = [
        "Madame, Monsieur,",
        f"Suite à votre demande, nous avons le plaisir de vous informer que le comité d'engagement de la Banque des "
        f"Territoires a donné un avis favorable au financement de l'opération « {operation[0]} », située à "
        f"{operation[1]}, pour un montant total de {eur(total, 'nbsp')}.",
        f"Ce financement se compose de {len(loans)} prêts dont les caractéristiques sont reprises dans le "
        "récapitulatif ci-contre. Les taux indiqués sont établis sur la base d'un taux du Livret A de 2,40 % ; ils "
        "seront révisés à chaque variation de cet index.",
        ALS,
    ]
    if text:
        paragraphs.append(text)
    paragraphs += [
        "Les contrats vous seront adressés dès réception des délibérations de garantie et des pièces listées en "
        "annexe. La présente offre est valable trois mois.",
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos sincères salutations.",
    ]
    pdf.set_y(top)
    for paragraph in paragraphs:
        pdf.set_font("Helvetica", size=9.5)
        pdf.multi_cell(left_w, 4.8, paragraph, new_x="LMARGIN", new_y="NEXT", align="J")
        pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.cell(left_w, 5, "Le Directeur régional", new_x="LMARGIN", new_y="NEXT")

    # The right column, drawn by hand: a title box, then one box per loan, continued on the next page.
    pdf.set_auto_page_break(False)
    pdf.page = 1
    y = top
    pdf.set_fill_color(225, 232, 240)
    if len(loans) >= 4:  # a contacts box first: the summary then continues on the next page
        contact = ("Vos interlocuteurs", "Chargée d'affaires : Mme Claire Dumont", "Tél. : 03 80 40 00 00",
                   "Service Prêts : M. Julien Perret", "Pièces à fournir : voir annexe")
        pdf.rect(right_x, y, right_w, 4.2 * len(contact) + 3)
        for row, value in enumerate(contact):
            pdf.set_xy(right_x + 1.5, y + 1.5 + row * 4.2)
            pdf.set_font("Helvetica", "B" if row == 0 else "", 8)
            pdf.cell(right_w - 3, 4.2, value)
        y += 4.2 * len(contact) + 6
    pdf.set_xy(right_x, y)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(right_w, 7, "Récapitulatif des prêts", border=1, align="C", fill=True)
    y += 9
    line = 4.6
    for k, loan in enumerate(loans, start=1):
        rows = [("Montant", eur(loan.montant, style)),
                ("Préfi.", months(loan.prefinancement, unit="mois") if loan.prefinancement else "néant"),
                ("Amort.", months(loan.amortissement, unit=rng.choice(["ans", "mois"]))),
                ("Index", "Livret A" if loan.index == "livret_a" else "Taux fixe"),
                ("Taux", rate(loan, rates) if loan.index == "livret_a" else f"fixe {loan.marge:.2f}".replace(
                    ".", ",") + f"{NBSP}%"),
                ("Échéances", loan.periodicite)]
        height = line * (len(rows) + 1) + 3
        if y + height > pdf.h - 20:
            if pdf.page == pdf.pages_count:
                pdf.add_page()
            else:
                pdf.page += 1
            y = 20
            pdf.set_xy(right_x, y)
            pdf.set_font("Helvetica", "B", 9)
            pdf.cell(right_w, 7, "Récapitulatif des prêts (suite)", border=1, align="C", fill=True)
            y += 9
        pdf.rect(right_x, y, right_w, height)
        pdf.set_xy(right_x + 1.5, y + 1.5)
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(right_w - 3, line, f"Prêt n° {k} – {loan.produit} {nature_of(loan, rng)}")
        for row, (label, value) in enumerate(rows, start=1):
            pdf.set_xy(right_x + 1.5, y + 1.5 + row * line)
            pdf.set_font("Helvetica", size=8)
            pdf.cell(17, line, label)
            pdf.cell(right_w - 20, line, value, align="R")
        y += height + 2
    pdf.set_auto_page_break(True, margin=18)
    return Letter(f"U-recapitulatif-{number:02d}.pdf", "U", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- V: landscape summary annex, many columns


def family_landscape_annex(number: int) -> Letter:
    """V: a short letter, then a landscape annex with one row per loan and many columns in small type."""
    rng, bailleur, operation, day, reference, loans = _setup("V", number, 3 + number % 5 + (number % 2) * 2)
    no_phb(loans)
    pdf = Pdf(footer=f"Offre n° {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt – {operation[0]} à {operation[1]}")
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.para(f"Madame, Monsieur, nous vous prions de trouver ci-joint notre offre de financement de l'opération "
             f"citée en objet, d'un montant total de {eur(total, 'space')}, répartie en {len(loans)} Lignes du "
             "Prêt. Leurs caractéristiques financières figurent dans le tableau récapitulatif annexé à la présente "
             "lettre ; elles sont données sur la base d'un taux du Livret A de 2,40 %.")
    text, other = guarantee("V", number, operation[1])
    ending(pdf, text)
    pdf.add_page(orientation="L")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "ANNEXE 1 – Tableau récapitulatif des Lignes du Prêt", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=7.5)
    pdf.cell(0, 4, f"Emprunteur : {bailleur[0]} – Opération : {operation[0]}", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(2)
    if number % 2 == 1:
        push_down(pdf, 30)
    style = ["space", "nbsp", "dots"][number % 3]
    in_years = number % 3 != 1
    headings = ("N° ligne", "Produit", "Objet", "Montant (€)", "Durée totale", "dont préfi.", "Index", "Marge",
                "Taux actuariel", "Périodicité", "Profil")
    widths = (16, 14, 26, 28, 20, 18, 18, 16, 18, 22, 60)
    pdf.set_font("Helvetica", size=6.5)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=3.4, padding=0.8,
                   width=sum(widths)) as table:
        table.row(headings)
        for loan in loans:
            whole = loan.prefinancement + loan.amortissement
            livret = loan.index == "livret_a"
            actuarial = loan.marge + Decimal("2.40") if livret else loan.marge
            table.row((
                str(rng.randrange(5_100_000, 5_399_999)), loan.produit, nature_of(loan, rng).capitalize(),
                eur(loan.montant, style).removesuffix(f"{NBSP}€"),
                months(whole, unit="ans" if in_years else "mois"),
                months(loan.prefinancement, unit="mois") if loan.prefinancement else "-",
                "Livret A" if livret else "Fixe",
                (f"{loan.marge:+.2f}".replace(".", ",") + f"{NBSP}%") if livret else "-",
                f"{actuarial:.2f}".replace(".", ",") + f"{NBSP}%",
                loan.periodicite.capitalize(),
                rng.choice(["Amortissement prioritaire", "Échéance prioritaire (intérêts différés)"]),
            ))
        table.row(("Total", "", "", eur(total, style).removesuffix(f"{NBSP}€"), "", "", "", "", "", "", ""))
    pdf.set_font("Helvetica", size=7)
    pdf.ln(2)
    pdf.multi_cell(0, 3.5, "Durée totale : préfinancement compris. Taux actuariel indicatif, calculé avec un "
                   "Livret A à 2,40 %, révisable à chaque variation de l'index.", new_x="LMARGIN", new_y="NEXT")
    return Letter(f"V-annexe-paysage-{number:02d}.pdf", "V", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- W: numbered paragraphs, durations in words


def family_numbered(number: int) -> Letter:
    """W: « Offre de financement », one numbered section per loan, its characteristics in numbered sentences."""
    rng, bailleur, operation, day, reference, loans = _setup("W", number, 2 + number % 3)
    no_phb(loans)
    pdf = Pdf(footer=f"Offre de financement {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, "Offre de financement")
    pdf.set_font("Times", size=11)

    def para(text: str) -> None:
        pdf.set_font("Times", size=11)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="J")
        pdf.ln(1.5)

    def heading(text: str, size: float = 11) -> None:
        pdf.set_font("Times", "B", size)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    style = ["euros", "nbsp", "whole"][number % 3]
    figure = number % 2 == 1
    rates = ["point", "bp", "words"][number % 3]
    para("Madame, Monsieur,")
    heading("1. Objet")
    para(f"La Caisse des Dépôts et Consignations, agissant au travers de la Banque des Territoires, propose à "
         f"{bailleur[0]} de financer l'opération « {operation[0]} » à {operation[1]} aux conditions décrites "
         "ci-après, sous réserve de l'accord définitif de ses instances et de la production des garanties.")
    if number % 2 == 0:
        push_down(pdf, 70)
    for k, loan in enumerate(loans, start=2):
        heading(f"{k}. Prêt {loan.produit} – {nature_of(loan, rng)}")
        heading(f"{k}.1 Montant", 10.5)
        para(f"Le montant du prêt est fixé à {eur(loan.montant, style)}.")
        heading(f"{k}.2 Durée", 10.5)
        amort = months(loan.amortissement, words=True, figure=figure)
        if loan.prefinancement:
            prefi = months(loan.prefinancement, words=True, figure=figure, unit="mois")
            para(f"Le prêt comporte une période de préfinancement de {prefi}, suivie d'une période "
                 f"d'amortissement de {amort}.")
        else:
            para(f"Le prêt est amorti sur {amort}, sans période de préfinancement.")
        heading(f"{k}.3 Taux", 10.5)
        if loan.index == "livret_a":
            para(f"Le taux d'intérêt est indexé sur le Livret A : {rate(loan, rates)}, révisable à chaque "
                 "variation de l'index.")
        else:
            para(f"Le prêt porte intérêt au {rate(loan, rates)} l'an pendant toute sa durée.")
        heading(f"{k}.4 Échéances", 10.5)
        para(f"Les échéances sont {loan.periodicite}s" + (f", après un différé d'amortissement de {loan.differe} mois."
                                                          if loan.differe else "."))
    last = len(loans) + 2
    text, other = guarantee("W", number, operation[1])
    heading(f"{last}. Garanties")
    para(ALS)
    if text:
        para(text)
    heading(f"{last + 1}. Validité")
    para(f"La présente offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}. Nous vous prions "
         "d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    return Letter(f"W-paragraphes-{number:02d}.pdf", "W", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- X: accord de principe, footnotes


def family_footnotes(number: int) -> Letter:
    """X: « Lettre d'accord de principe », one sentence per loan, characteristics in parentheses or footnotes."""
    rng, bailleur, operation, day, reference, loans = _setup("X", number, 1 + number % 4)
    no_phb(loans)
    pdf = Pdf(footer="")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Lettre d'accord de principe – {operation[0]}")
    notes = number % 2 == 0
    style = ["whole", "nbsp", "euros"][number % 3]
    rates = ["point", "percent", "bp"][number % 3]
    pdf.para("Madame, Monsieur,")
    pdf.para(f"Vous nous avez sollicités pour le financement de l'opération « {operation[0]} » à {operation[1]}. "
             "Nous avons le plaisir de vous faire part de notre accord de principe pour vous consentir :")
    footnotes = []
    for k, loan in enumerate(loans, start=1):
        what = "destiné à la charge foncière" if loan.nature == "foncier" else rng.choice(
            ["destiné à la construction", "finançant les travaux", "pour la part bâtie"])
        amort = months(loan.amortissement, words=number % 3 == 0)
        prefi = (months(loan.prefinancement, unit="mois") + " de préfinancement") if loan.prefinancement else \
            "sans préfinancement"
        taux = rate(loan, rates)
        details = f"amortissement {amort}, {prefi}, {taux}, échéances {loan.periodicite}s"
        end = " ;" if k < len(loans) else "."
        if notes:
            pdf.para(f"- un prêt {loan.produit.lower()} {what}, d'un montant de {eur(loan.montant, style)} ({k}){end}")
            footnotes.append(f"({k}) Prêt {loan.produit.lower()} : {details}.")
        else:
            pdf.para(f"- un prêt {loan.produit.lower()} {what}, d'un montant de {eur(loan.montant, style)} "
                     f"({details}){end}")
    pdf.para("Cet accord de principe ne vaut pas offre de prêt : l'offre vous sera adressée après instruction du "
             "dossier complet, aux conditions en vigueur à sa date d'émission.")
    text, other = guarantee("X", number, operation[1])
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    if footnotes:
        pdf.set_font("Helvetica", size=7.5)
        height = 3.6 * len(footnotes) + 4
        if pdf.get_y() > pdf.h - 20 - height:
            pdf.add_page()
        pdf.set_y(pdf.h - 20 - height)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 50, pdf.get_y())
        pdf.ln(1.5)
        for note in footnotes:
            pdf.multi_cell(0, 3.6, note, new_x="LMARGIN", new_y="NEXT")
    return Letter(f"X-accord-principe-{number:02d}.pdf", "X", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Y: one paragraph, semicolons


def family_semicolons(number: int) -> Letter:
    """Y: lettre d'intention whose loans are all in one paragraph separated by semicolons."""
    rng, bailleur, operation, day, reference, loans = _setup("Y", number, 2 + number % 5)
    no_phb(loans)
    kilo = number % 3 == 2
    if kilo:
        for loan in loans:
            loan.montant = Decimal(int(loan.montant) // 1000 * 1000)
    style = "kilo" if kilo else ["nbsp", "euros", "space", "dots"][number % 4]
    rates = ["bp", "percent", "words"][number % 3]
    pdf = Pdf(footer=f"{reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Lettre d'intention – {operation[0]} ({operation[1]})")
    pdf.para("Madame, Monsieur,")
    if number % 2 == 1:
        push_down(pdf, 30)
    parts = []
    for loan in loans:
        nature = "foncier" if loan.nature == "foncier" else rng.choice(["bâti", "construction"])
        duration = f"amortissable sur {months(loan.amortissement, unit=rng.choice(['ans', 'mois']))}"
        if loan.prefinancement:
            duration += f" après {months(loan.prefinancement, unit='mois')} de préfinancement"
        taux = f"indexé sur le {rate(loan, rates)}" if loan.index == "livret_a" else f"au {rate(loan, rates)}"
        if loan.index == "livret_a" and rates == "words":
            taux = f"au {rate(loan, rates)}"
        parts.append(f"un prêt {loan.produit} {nature} de {eur(loan.montant, style)}, {duration}, {taux}")
    text, other = guarantee("Y", number, operation[1])
    sentence = ("La Banque des Territoires vous confirme son intention de financer l'opération « "
                f"{operation[0]} » par {len(loans)} prêts : " + " ; ".join(parts) + ".")
    pdf.para(sentence)
    pdf.para("Ces conditions sont indicatives ; elles seront confirmées dans l'offre de prêt, établie aux conditions "
             "en vigueur à sa date d'émission. " + ALS + (" " + text if text else ""))
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    return Letter(f"Y-points-virgules-{number:02d}.pdf", "Y", bytes(pdf.output()), loans, bailleur[1], other)


BLIND3: dict[str, Callable[[int], Letter]] = {
    "U": family_side_summary, "V": family_landscape_annex, "W": family_numbered, "X": family_footnotes,
    "Y": family_semicolons,
}
FIRST_VARIANTS = range(6)  # measured once, blind, before anyone read the extractor
FRESH_VARIANTS = range(6, 18)  # generated after the fixes that run showed, measured once


if __name__ == "__main__":
    write([make(number) for make in BLIND3.values() for number in FIRST_VARIANTS], "corpus-familles-aveugles-3")
