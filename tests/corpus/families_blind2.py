"""Five more layout families of Banque des Territoires letters (P–T), written without reading the extractor, for
a second blind measurement: K–O (families_blind.py) were used to fix the extractor after their first run, so
none of A–O is unseen any more.

They use the framework of `families.py` and `families_blind.py` (Pdf, letterhead, the Letter and LoanSpec
ground truth, the formats of amounts and durations) and layouts that none of A–O has:

- P: a « Contrat de prêt » whose loans are numbered articles, one per Ligne du Prêt (« Article 3 –
  Caractéristiques de la Ligne du Prêt n° 5432109 »), each with sub-clauses in sentences: the product and what
  it finances, the amount in figures and in words (« 1 234 567,89 euros (un million …) »), the durations
  (« une phase de préfinancement de dix-huit (18) mois, suivie d'une phase d'amortissement de quarante (40)
  années »), the rate (« taux du Livret A en vigueur majoré de 0,60 % l'an », « Livret A + 60 pdb », a fixed
  rate), an indicative actuarial rate and a deferral that are not loan fields.
- Q: a summary table with two header rows (the line's number, then its product), a first column of groups
  spanning several rows (« Préfinancement » over « Durée » and « Intérêts », « Amortissement » over « Durée »,
  « Index », « Marge »…), « Livret A » and « 0,60 % » in separate rows, « 40 ans » beside « 18 mois »; more than
  three lines continue in a second table « (suite) » with the labels repeated.
- R: an accord de principe whose loans are in the « Plan de financement prévisionnel » of the operation, among
  resources that are not BdT loans (prêt Action Logement, prêt bancaire, subventions, fonds propres), with a
  share-of-total column in %; amounts in whole euros. Only the BdT loans are in the truth.
- S: a lettre d'intention sent by email / fax: Courier, capitals without accents (« MONTANT ...... : »,
  « DUREE AMORT : 40 ANS », « PREFI : 18 MOIS », « MARGE : +60 PDB »), amounts « 1234567,89 EUR » or with dots,
  a quoted previous message above.
- T: an offer with one « Tableau d'amortissement » per Ligne du Prêt annexed: a header of characteristics two
  pairs a line (« Montant : … » beside « N° de la Ligne du Prêt : … »), then the schedule (every échéance with
  its rate, amortisation, interest and capital due, amounts in euros without the sign) crossing pages.

Other guarantors in five new wordings (`GUARANTORS_BLIND2`): a syndicat mixte, a « cautionnement solidaire »
of the Métropole Aix-Marseille-Provence, a mortgage (« hypothèque conventionnelle de premier rang … au profit
de la Caisse des Dépôts »), a bank guarantee (« caution bancaire ») and ALS beside Toulouse Métropole. The
cahier des charges lets ALS guarantee an operation only « dès lors que le plan de financement ne prévoit pas
d'autres types de garantie »: a mortgage or a bank's caution is another type of guarantee, so they count as
another guarantor here (a judgement: the truth says so). Three letters a family have one, three have none,
two of those with a trap (« sans garantie d'une collectivité territoriale », « Aucune hypothèque ni caution
bancaire ne sera exigée », « En l'absence de garantie de la commune de … »); R always names a commune (its
subsidy) and Action Logement (its loan) in the financing plan. Deterministic: each variant is seeded by its
family and number.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from families import NBSP, Letter, LoanSpec, Pdf, _setup, letterhead, write
from families_blind import months_or_years, push_down

from infra import pdfgen

# (wording, a short part of it that the rendered text must contain)
GUARANTORS_BLIND2 = (
    ("Le Syndicat mixte de l'habitat du Pays de Gex s'est engagé à garantir 30 % des sommes dues au titre de "
     "chaque Ligne du Prêt.", "Syndicat mixte de l'habitat"),
    ("Sûreté : cautionnement solidaire de la Métropole Aix-Marseille-Provence à concurrence de 50 % du capital "
     "emprunté.", "Aix-Marseille-Provence"),
    ("Les Lignes du Prêt seront assorties d'une hypothèque conventionnelle de premier rang sur le terrain "
     "d'assiette de l'opération, inscrite au profit de la Caisse des Dépôts.", "hypothèque conventionnelle"),
    ("Une caution bancaire délivrée par la Banque Populaire Auvergne Rhône Alpes couvrira 100 % de l'encours de "
     "chaque Ligne du Prêt.", "caution bancaire délivrée"),
    ("Garanties sollicitées : Action Logement Services (50 %) et Toulouse Métropole (50 %).", "Toulouse Métropole"),
)
NO_OTHER = (
    None,
    "Ces prêts sont consentis sans garantie d'une collectivité territoriale : la garantie d'Action Logement "
    "Services est sollicitée à hauteur de 100 %.",
    "Aucune hypothèque ni caution bancaire ne sera exigée dès lors que la garantie d'Action Logement Services "
    "aura été obtenue.",
    "En l'absence de garantie de la commune de {commune}, chaque Ligne du Prêt sera garantie à 100 % par Action "
    "Logement Services.",
)
FAMILY_INDEX = {"P": 0, "Q": 1, "R": 2, "S": 3, "T": 4}
ALS = "La garantie d'Action Logement Services est requise à hauteur de 100 % de chaque Ligne du Prêt."


def guarantee(family: str, number: int, commune: str) -> tuple[str | None, bool]:
    """The sentence about guarantees beside ALS's, and whether it names another guarantor."""
    index = FAMILY_INDEX[family]
    if (number + index) % 2 == 1:
        return GUARANTORS_BLIND2[(index + number // 2) % len(GUARANTORS_BLIND2)][0], True
    text = NO_OTHER[(index + number // 2) % len(NO_OTHER)]
    return (text.format(commune=commune) if text else None), False


def plain(text: str) -> str:
    """Capitals without accents, as a fax or an old mail system writes."""
    flat = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(c for c in flat if not unicodedata.combining(c)).upper()


def no_phb(loans: list[LoanSpec]) -> list[LoanSpec]:
    for loan in loans:
        if loan.produit == "PHB":
            loan.produit = "PLI"
    return loans


# ---------------------------------------------------------------- formats

NUMBERS = {1: "un", 2: "deux", 3: "trois", 12: "douze", 18: "dix-huit", 24: "vingt-quatre", 25: "vingt-cinq",
           30: "trente", 36: "trente-six", 40: "quarante", 50: "cinquante", 60: "soixante"}


def euros(value: Decimal, style: str) -> str:
    """space_euros (« 1 234 567,89 euros »), nbsp (« 1 234 567,89 € »), whole (no cents, « € »), eur_plain
    (« 1234567,89 EUR », no separator), eur_dots (« 1.234.567,89 EUR »), bare (« 1 234 567,89 »)."""
    whole = value == value.to_integral_value()
    digits = f"{value:,.0f}" if style == "whole" and whole else f"{value:,.2f}"
    if style == "eur_dots":
        return digits.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + " EUR"
    if style == "eur_plain":
        return digits.replace(",", "").replace(".", ",") + " EUR"
    text = digits.replace(",", " " if style in ("space_euros", "bare") else NBSP).replace(".", ",")
    return {"space_euros": f"{text} euros", "bare": text}.get(style, f"{text}{NBSP}€")


def pct(value: Decimal, sign: bool = False) -> str:
    text = f"{abs(value):.2f}".replace(".", ",") + f"{NBSP}%"
    if value < 0:
        return f"-{text}" if not sign else f"- {text}"
    return f"+ {text}" if sign else text


def said_months(months: int, words: bool, unit: str) -> str:
    """« dix-huit (18) mois », « quarante (40) années », « 480 mois », « 40 ans »."""
    if unit != "mois" and months % 12 == 0:
        count, name = months // 12, unit
    else:
        count, name = months, "mois"
    if words and count in NUMBERS:
        return f"{NUMBERS[count]} ({count}) {name}"
    return f"{count} {name}"


def nature_phrase(loan: LoanSpec, rng: random.Random) -> str:
    if loan.nature == "foncier":
        return rng.choice(["la charge foncière", "l'acquisition du terrain d'assiette", "la part foncière"])
    return rng.choice(["les travaux de construction", "la construction des logements", "la part bâtie"])


def closing_lines(pdf: Pdf, day: dt.date) -> None:
    pdf.para(f"Fait à Lyon, le {pdfgen.format_date(day)}, en deux exemplaires originaux.")
    pdf.para("Pour la Caisse des Dépôts, le Directeur territorial, par délégation")


# ---------------------------------------------------------------- P: numbered articles


def family_articles(number: int) -> Letter:
    """P: « Contrat de prêt », one article per Ligne du Prêt with sub-clauses in sentences."""
    rng, bailleur, operation, day, _reference, loans = _setup("P", number, 2 + number % 4)
    no_phb(loans)
    contract = f"{rng.randrange(140000, 179999)}"
    pdf = Pdf(footer=f"Contrat de prêt n° {contract} — Paraphes :")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "CAISSE DES DÉPÔTS ET CONSIGNATIONS — Banque des Territoires", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 9, f"CONTRAT DE PRÊT N° {contract}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.para(f"ENTRE {bailleur[0]}, SIREN {bailleur[1]}, ci-après « l'Emprunteur », d'une part, et la Caisse des "
             "Dépôts et Consignations, ci-après « le Prêteur », d'autre part, il a été convenu ce qui suit.")
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.bold("Article 1 – Objet")
    pdf.para(f"Le Prêt est destiné au financement de l'opération « {operation[0]} » à {operation[1]}, construction "
             "de logements locatifs intermédiaires.")
    pdf.bold("Article 2 – Montant du Prêt")
    pdf.para(f"Le montant total du Prêt est de {euros(total, 'space_euros')} ({pdfgen.amount_words(total)}). Il est "
             f"constitué de {len(loans)} Lignes du Prêt dont les caractéristiques font l'objet des articles 3 à "
             f"{2 + len(loans)}.")
    if number % 3 == 1:
        push_down(pdf, 25)
    style = ["space_euros", "nbsp", "space_euros", "whole"][number % 4]
    words = number % 2 == 0
    unit = ["ans", "années", "mois"][number % 3]
    numbering = ["decimal", "letters", "dash"][number % 3]
    for k, loan in enumerate(loans):
        article = 3 + k
        pdf.bold(f"Article {article} – Caractéristiques de la Ligne du Prêt n° {rng.randrange(5_000_000, 5_999_999)}")
        clauses = [
            ("Produit", f"La présente Ligne du Prêt relève du produit {loan.produit}. Elle finance "
                        f"{nature_phrase(loan, rng)} de l'opération."),
            ("Montant", f"Le montant de la Ligne du Prêt est fixé à {euros(loan.montant, style)} "
                        f"({pdfgen.amount_words(loan.montant)})."),
        ]
        amort = said_months(loan.amortissement, words, unit)
        if loan.prefinancement:
            clauses.append(("Durée", "La Ligne du Prêt comporte une phase de préfinancement de "
                                     f"{said_months(loan.prefinancement, words, 'mois')}, suivie d'une phase "
                                     f"d'amortissement de {amort}."))
        else:
            clauses.append(("Durée", "La Ligne du Prêt ne comporte pas de phase de préfinancement. La phase "
                                     f"d'amortissement a une durée de {amort}."))
        if loan.index == "livret_a":
            way = rng.choice(["majore", "pdb", "marge"])
            if way == "majore":
                verb = "majoré" if loan.marge >= 0 else "minoré"
                rate = (f"Le taux d'intérêt est égal au taux du Livret A en vigueur {verb} de {pct(abs(loan.marge))} "
                        "l'an ; il est révisé à chaque variation du taux du Livret A.")
            elif way == "pdb":
                sign = "+" if loan.marge >= 0 else "-"
                rate = f"Taux d'intérêt : Livret A {sign} {int(abs(loan.marge) * 100)} pdb, révisable."
            else:
                rate = f"Le taux est indexé sur le Livret A ; marge : {pct(loan.marge)} l'an."
            rate += f" À titre indicatif, le taux actuariel annuel s'élève à {pct(loan.marge + Decimal('2.40'))}."
        else:
            rate = f"Le taux d'intérêt est fixe, égal à {pct(loan.marge)} l'an pendant toute la durée de la Ligne."
        clauses.append(("Taux d'intérêt", rate))
        repay = f"Les échéances sont {loan.periodicite}s, selon un profil d'amortissement à échéance prioritaire"
        repay += f", après un différé d'amortissement de {loan.differe} mois." if loan.differe else "."
        clauses.append(("Remboursement", repay))
        for j, (title, text) in enumerate(clauses, start=1):
            mark = {"decimal": f"{article}.{j}", "letters": f"{'abcdef'[j - 1]})", "dash": "–"}[numbering]
            pdf.set_x(pdf.l_margin + 4)
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5, f"{mark} {title}. {text}", new_x="LMARGIN", new_y="NEXT", align="J")
            pdf.ln(1)
        pdf.ln(2)
    text, other = guarantee("P", number, operation[1])
    pdf.bold(f"Article {3 + len(loans)} – Garanties")
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.bold(f"Article {4 + len(loans)} – Commission d'instruction")
    pdf.para("Le présent Contrat ne donne lieu à aucune commission d'instruction.")
    closing_lines(pdf, day)
    return Letter(f"P-articles-{number:02d}.pdf", "P", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- Q: two header rows, groups spanning rows


def family_two_headers(number: int) -> Letter:
    """Q: a transposed table with two header rows and a first column of groups spanning rows, three lines a
    table, the next ones in a « (suite) » table."""
    rng, bailleur, operation, day, reference, loans = _setup("Q", number, 3 + number % 4)
    no_phb(loans)
    pdf = Pdf(footer=f"Offre de prêt {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — « {operation[0]} » ({operation[1]})")
    pdf.para("Madame, Monsieur, la Caisse des Dépôts vous propose le financement de l'opération citée en objet au "
             "moyen des Lignes du Prêt récapitulées dans le tableau ci-dessous.")
    if number % 3 == 2:
        push_down(pdf, 60)
    style = ["nbsp", "bare", "space_euros"][number % 3]
    product_with_nature = number % 2 == 1
    years = number % 4 != 3
    width = pdf.w - pdf.l_margin - pdf.r_margin
    per_table = 3
    for start in range(0, len(loans), per_table):
        chunk = loans[start:start + per_table]
        pdf.bold("Récapitulatif des Lignes du Prêt" + (" (suite)" if start else ""))
        groups: list[tuple[str, list[tuple[str, list[str]]]]] = []
        financing = []
        if not product_with_nature:
            financing.append(("Nature", [("Foncier" if loan.nature == "foncier" else "Construction")
                                         for loan in chunk]))
        financing += [("Montant" + (" (en €)" if style == "bare" else ""),
                       [euros(loan.montant, style) for loan in chunk]),
                      ("Commission d'instruction", ["Néant"] * len(chunk))]
        groups.append(("Financement", financing))
        groups.append(("Préfinancement", [
            ("Durée", [f"{loan.prefinancement} mois" if loan.prefinancement else "Sans objet" for loan in chunk]),
            ("Intérêts", ["Capitalisés" if loan.prefinancement else "Sans objet" for loan in chunk]),
        ]))
        groups.append(("Amortissement", [
            ("Durée", [months_or_years(loan.amortissement, "ans" if years else "mois") for loan in chunk]),
            ("Index", ["Livret A" if loan.index == "livret_a" else "Taux fixe" for loan in chunk]),
            ("Marge", [pct(loan.marge) if loan.index == "livret_a" else "Sans objet" for loan in chunk]),
            ("Taux fixe", ["Sans objet" if loan.index == "livret_a" else pct(loan.marge) for loan in chunk]),
            ("Périodicité", [loan.periodicite.capitalize() for loan in chunk]),
            ("Différé", [f"{loan.differe} mois" if loan.differe else "Néant" for loan in chunk]),
        ]))
        groups.append(("Conditions indicatives", [
            ("Taux actuariel", [pct(loan.marge + Decimal("2.40") if loan.index == "livret_a" else loan.marge)
                                for loan in chunk]),
            ("Garantie", ["Action Logement Services – 100 %"] * len(chunk)),
        ]))
        label_widths = (30, 34)
        column = (width - sum(label_widths)) / per_table
        pdf.set_font("Helvetica", size=8)
        with pdf.table(col_widths=(*label_widths, *([column] * len(chunk))), width=sum(label_widths) +
                       column * len(chunk), align="LEFT", text_align="LEFT", line_height=4, padding=1,
                       num_heading_rows=2) as table:
            row = table.row()
            row.cell("N° de la Ligne du Prêt", colspan=2)
            for _ in chunk:
                row.cell(f"Ligne {rng.randrange(5_000_000, 5_999_999)}")
            row = table.row()
            row.cell("Produit", colspan=2)
            for loan in chunk:
                row.cell(f"{loan.produit} {'foncier' if loan.nature == 'foncier' else 'construction'}"
                         if product_with_nature else loan.produit)
            for group, rows in groups:
                for j, (label, values) in enumerate(rows):
                    row = table.row()
                    if j == 0:
                        row.cell(group, rowspan=len(rows))
                    row.cell(label)
                    for value in values:
                        row.cell(value)
        pdf.set_font("Helvetica", size=10)
        pdf.ln(4)
    text, other = guarantee("Q", number, operation[1])
    pdf.bold("Garanties")
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para(f"La présente offre est valable jusqu'au {pdfgen.format_date(pdfgen.add_months(day, 3))}.")
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    return Letter(f"Q-deux-en-tetes-{number:02d}.pdf", "Q", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- R: the financing plan


OTHER_RESOURCES = (
    ("Prêt Action Logement", "Action Logement Services", "40 ans", "1,00 % fixe"),
    ("Prêt bancaire complémentaire", "Caisse d'Épargne Rhône Alpes", "25 ans", "3,45 % fixe"),
    ("Subvention", "Commune de {commune}", "—", "—"),
    ("Subvention", "Région Auvergne-Rhône-Alpes", "—", "—"),
    ("Fonds propres", "{bailleur}", "—", "—"),
)


def family_financing_plan(number: int) -> Letter:
    """R: an accord de principe with the BdT loans among the other resources of the financing plan."""
    rng, bailleur, operation, day, reference, loans = _setup("R", number, 2 + number % 3, cents=False)
    no_phb(loans)
    pdf = Pdf("L" if number % 3 == 2 else "P", footer=f"Accord de principe {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Accord de principe — opération « {operation[0]} », {operation[1]}")
    pdf.para("Madame, Monsieur, nous avons examiné votre demande de financement et vous confirmons l'accord de "
             "principe de la Banque des Territoires pour les prêts désignés ci-dessous, sur la base du plan de "
             "financement prévisionnel que vous nous avez transmis.")
    resources: list[tuple[str, str, Decimal, str, str, str, bool]] = []
    separate_prefi = number % 2 == 0
    for loan in loans:
        nature = "foncier" if loan.nature == "foncier" else rng.choice(["construction", "bâti"])
        amort = months_or_years(loan.amortissement, "ans")
        if separate_prefi:
            term = amort
            prefi = f"{loan.prefinancement} mois" if loan.prefinancement else "—"
        else:
            term = amort + (f" + {loan.prefinancement} mois de préfinancement" if loan.prefinancement else "")
            prefi = ""
        if loan.index == "livret_a":
            rate = rng.choice(["LA", "Livret A"]) + " " + pct(loan.marge, sign=True)
        else:
            rate = f"{pct(loan.marge)} fixe"
        lender = ["Banque des Territoires", "CDC", "Banque des Territoires (CDC)"][number % 3]
        resources.append((f"Prêt {loan.produit} {nature}", lender, loan.montant, term, prefi, rate, True))
    for title, lender, term, rate in OTHER_RESOURCES:
        if title == "Prêt bancaire complémentaire" and number % 2:
            continue
        value = Decimal(rng.randrange(40, 900) * 1000)
        resources.append((title, lender.format(commune=operation[1], bailleur=bailleur[0]), value, term,
                          "—" if separate_prefi else "", rate, False))
    loans_first = resources[:len(loans)]
    others = resources[len(loans):]
    # Action Logement's loan between the BdT loans in half the variants, as bailleurs order them by lender or kind.
    ordered = loans_first[:1] + others[:1] + loans_first[1:] + others[1:] if number % 2 == 0 else loans_first + others
    total = sum((r[2] for r in ordered), Decimal(0))
    pdf.bold("Plan de financement prévisionnel")
    pdf.para(f"Prix de revient prévisionnel de l'opération : {euros(total, 'whole')} TTC.")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    headers = ["Ressources", "Financeur", "Montant (€)", "Durée" if separate_prefi else "Durée (amortissement)"]
    weights = [1.6, 1.7, 1.1, 1.0 if separate_prefi else 1.8]
    if separate_prefi:
        headers.append("Préfinancement")
        weights.append(1.5)
    headers += ["Taux", "Part"]
    weights += [1.2, 0.6]
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=tuple(width * w / sum(weights) for w in weights), text_align="LEFT",
                   line_height=4.2, padding=1) as table:
        table.row(headers)
        for title, lender, value, term, prefi, rate, _ in ordered:
            share = (value * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            cells = [title, lender, euros(value, "whole").removesuffix(f"{NBSP}€"), term]
            if separate_prefi:
                cells.append(prefi)
            cells += [rate, f"{share}".replace(".", ",") + f"{NBSP}%"]
            table.row(cells)
        cells = ["Total", "", euros(total, "whole").removesuffix(f"{NBSP}€"), ""]
        if separate_prefi:
            cells.append("")
        table.row([*cells, "", f"100{NBSP}%"])
    pdf.set_font("Helvetica", size=10)
    pdf.ln(3)
    bdt = sum((loan.montant for loan in loans), Decimal(0))
    pdf.para(f"Les prêts de la Banque des Territoires représentent ainsi {euros(bdt, 'whole')}. Les taux indiqués "
             "sont ceux en vigueur à ce jour ; ils seront ceux applicables à la date d'émission des contrats.")
    text, other = guarantee("R", number, operation[1])
    pdf.bold("Garanties")
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Cet accord de principe ne constitue pas une offre de prêt ; il est valable six mois.")
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    return Letter(f"R-plan-{number:02d}.pdf", "R", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- S: email / fax in capitals

CONDITIONS = (
    "1. LES CONDITIONS DEFINITIVES SERONT CELLES EN VIGUEUR A LA DATE D'EMISSION DU CONTRAT.",
    "2. LE TAUX DU LIVRET A RETENU A TITRE INDICATIF EST DE 2,40 %.",
    "3. LA PRESENTE INTENTION EST VALABLE SIX MOIS A COMPTER DE SA DATE D'ENVOI.",
    "4. LES FONDS SONT VERSES SELON L'AVANCEMENT DES TRAVAUX, SUR JUSTIFICATIFS.",
    "5. LE DOSSIER COMPLET DOIT ETRE TRANSMIS AU PLUS TARD TROIS MOIS AVANT LE PREMIER",
    "   VERSEMENT : DELIBERATIONS, PLAN DE FINANCEMENT, PRIX DE REVIENT, AGREMENT.",
    "6. TOUT REMBOURSEMENT ANTICIPE DONNE LIEU A UNE INDEMNITE ACTUARIELLE.",
    "7. LES INTERETS DE PREFINANCEMENT SONT CAPITALISES A LA FIN DE LA PHASE.",
    "8. L'EMPRUNTEUR INFORME LE PRETEUR DE TOUTE MODIFICATION DE L'OPERATION.",
    "9. LES FRAIS DE DOSSIER SONT NULS POUR LES PRETS AUX LOGEMENTS INTERMEDIAIRES.",
    "10. LES ECHEANCES SONT PRELEVEES SUR LE COMPTE DESIGNE PAR L'EMPRUNTEUR.",
    "11. LES PRETS SONT SOUMIS AUX CONDITIONS GENERALES EN VIGUEUR A LEUR EMISSION.",
    "12. LE TABLEAU D'AMORTISSEMENT DEFINITIF EST JOINT AU CONTRAT.",
)


def family_fax(number: int) -> Letter:
    """S: lettre d'intention sent by email or fax: Courier, capitals, no accents, padded labels."""
    rng, bailleur, operation, day, reference, loans = _setup("S", number, 2 + number % 4,
                                                             cents=number % 3 != 2)
    no_phb(loans)
    pdf = Pdf(footer="")
    pdf.add_page()
    pdf.set_font("Courier", size=9)

    def line(text: str = "") -> None:
        pdf.set_font("Courier", size=9)
        pdf.cell(0, 4.2, text, new_x="LMARGIN", new_y="NEXT")

    for text in ("DE     : BANQUE DES TERRITOIRES - DR AUVERGNE-RHONE-ALPES",
                 f"A      : {plain(bailleur[0])} - SIREN {bailleur[1]}",
                 f"DATE   : {day:%d/%m/%Y}",
                 f"OBJET  : LETTRE D'INTENTION - {plain(operation[0])} ({plain(operation[1])})",
                 f"REF    : {reference}", "=" * 78):
        line(text)
    if number % 2 == 1:
        line("> MESSAGE D'ORIGINE :")
        for text in ("> BONJOUR, POURRIEZ-VOUS NOUS CONFIRMER LES CONDITIONS DE FINANCEMENT DE L'OPERATION",
                     "> AFIN DE COMPLETER NOTRE DOSSIER DE DEMANDE DE GARANTIE AUPRES D'ACTION LOGEMENT ?",
                     "> CORDIALEMENT, LA DIRECTION FINANCIERE"):
            line(text)
        line()
    for text in ("MADAME, MONSIEUR,", "",
                 "NOUS AVONS LE PLAISIR DE VOUS CONFIRMER NOTRE INTENTION DE FINANCER L'OPERATION CITEE",
                 "EN OBJET, SOUS RESERVE DE L'ACCORD DE NOTRE COMITE, AUX CONDITIONS INDICATIVES",
                 "SUIVANTES :", ""):
        line(text)
    if number % 3 == 0:
        line("CONDITIONS GENERALES DE L'INTENTION DE FINANCEMENT :")
        for text in CONDITIONS:
            line(text)
        line()
    style = ["eur_plain", "eur_dots", "eur_plain", "bare"][number % 4]
    dotted = number % 2 == 0

    def field(label: str, value: str) -> None:
        padded = f"{label} ".ljust(22, ".") + " : " if dotted else f"{label} : "
        line(f"   {padded}{value}")

    for i, loan in enumerate(loans, start=1):
        if pdf.get_y() > pdf.h - 30 and number % 2:
            pdf.add_page()
        nature = "FONCIER" if loan.nature == "foncier" else rng.choice(["CONSTRUCTION", "TRAVAUX", "BATI"])
        line(f"PRET {i}/{len(loans)} : {loan.produit} {nature}")
        value = euros(loan.montant, style)
        field("MONTANT", value if style != "bare" else f"{value} EUROS")
        field("DUREE PREFI" if dotted else "PREFINANCEMENT",
              f"{loan.prefinancement} MOIS" if loan.prefinancement else "SANS")
        field("DUREE AMORT" if dotted else "DUREE",
              plain(months_or_years(loan.amortissement, rng.choice(["ans", "mois"]))))
        if loan.index == "livret_a":
            field("INDEX", "LIVRET A")
            sign = "+" if loan.marge >= 0 else "-"
            field("MARGE", rng.choice([f"{sign}{int(abs(loan.marge) * 100)} PDB",
                                       f"{sign}{abs(loan.marge):.2f}".replace(".", ",") + " %"]))
        else:
            field("INDEX", "TAUX FIXE")
            field("TAUX", f"{loan.marge:.2f}".replace(".", ",") + " %")
        field("ECHEANCES", plain(loan.periodicite))
        line("-" * 40)
    total = sum((loan.montant for loan in loans), Decimal(0))
    line(f"TOTAL DES FINANCEMENTS BANQUE DES TERRITOIRES : {euros(total, 'eur_dots')}")
    line()
    text, other = guarantee("S", number, operation[1])
    line("GARANTIE : ACTION LOGEMENT SERVICES A HAUTEUR DE 100 %.")
    if text:
        pdf.set_font("Courier", size=9)
        pdf.multi_cell(0, 4.2, plain(text), new_x="LMARGIN", new_y="NEXT")
    line()
    line("CORDIALEMENT,")
    line("LE CHARGE D'AFFAIRES - BANQUE DES TERRITOIRES")
    return Letter(f"S-telecopie-{number:02d}.pdf", "S", bytes(pdf.output()), loans, bailleur[1], other)


# ---------------------------------------------------------------- T: amortisation tables annexed


def family_schedules(number: int) -> Letter:
    """T: a short offer, then one « Tableau d'amortissement » per Ligne du Prêt: a header of characteristics two
    pairs a line, the schedule of every échéance after it."""
    rng, bailleur, operation, day, reference, loans = _setup("T", number, 1 + number % 4)
    no_phb(loans)
    pdf = Pdf(footer=f"Offre {reference}")
    pdf.add_page()
    letterhead(pdf, bailleur, day, reference, f"Offre de prêt — « {operation[0]} » à {operation[1]}")
    total = sum((loan.montant for loan in loans), Decimal(0))
    pdf.para(f"Madame, Monsieur, nous vous adressons notre offre de prêt d'un montant total de {euros(total, 'nbsp')}, "
             f"composée de {len(loans)} Ligne(s) du Prêt. Vous trouverez en annexe, pour chaque Ligne du Prêt, le "
             "tableau d'amortissement prévisionnel établi sur la base de ses caractéristiques financières et d'un "
             "taux du Livret A de 2,40 %.")
    text, other = guarantee("T", number, operation[1])
    pdf.bold("Garanties")
    pdf.para(ALS)
    if text:
        pdf.para(text)
    pdf.para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    style = ["nbsp", "space_euros", "whole"][number % 3]
    for k, loan in enumerate(loans, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, f"ANNEXE {k} – TABLEAU D'AMORTISSEMENT", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 4, f"En euros — édité le {day:%d/%m/%Y}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(0, 4.6, f"Emprunteur : {bailleur[0]}", new_x="LMARGIN", new_y="NEXT")
        livret = loan.index == "livret_a"
        rate = loan.marge + Decimal("2.40") if livret else loan.marge
        pairs = [
            ("N° du Contrat", reference[1:]), ("Produit", loan.produit),
            ("N° de la Ligne du Prêt", str(rng.randrange(5_000_000, 5_999_999))), ("Emprunteur n°", bailleur[1]),
            ("Objet", "Charge foncière" if loan.nature == "foncier" else rng.choice(["Construction", "Bâti"])),
            ("Montant", euros(loan.montant, style)),
            ("Durée de préfinancement", f"{loan.prefinancement} mois" if loan.prefinancement else "Sans objet"),
            ("Durée d'amortissement", months_or_years(loan.amortissement, rng.choice(["ans", "mois"]))),
            ("Index", "Livret A" if livret else "Taux fixe"),
            ("Marge fixe sur index" if livret else "Taux fixe", pct(loan.marge) if livret else pct(rate)),
            ("Taux actuariel annuel", pct(rate)), ("Périodicité", loan.periodicite.capitalize()),
            ("Taux de progressivité", pct(Decimal(0))), ("Différé d'amortissement",
                                                         f"{loan.differe} mois" if loan.differe else "Néant"),
        ]
        head, rest = pairs[:4], pairs[4:]
        if number % 2:
            rng.shuffle(rest)
        pairs = head + rest
        half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
        for start in range(0, len(pairs), 2):
            y = pdf.get_y()
            for column, (label, value) in enumerate(pairs[start:start + 2]):
                pdf.set_xy(pdf.l_margin + column * half, y)
                pdf.set_font("Helvetica", "B", 8.5)
                pdf.cell(42, 4.6, f"{label} :")
                pdf.set_font("Helvetica", size=8.5)
                pdf.cell(half - 42, 4.6, value)
            pdf.set_xy(pdf.l_margin, y + 4.6)
        pdf.ln(4)
        per_year = 4 if loan.periodicite == "trimestrielle" else 1
        count = loan.amortissement // 12 * per_year
        period_rate = rate / 100 / per_year
        payment = loan.montant * period_rate / (1 - (1 + period_rate) ** -count)
        capital = loan.montant
        start_day = pdfgen.add_months(day, loan.prefinancement + 12)
        shown = min(count, 48)
        pdf.set_font("Helvetica", size=7.5)
        with pdf.table(col_widths=(10, 22, 18, 26, 26, 26, 30), text_align="RIGHT", line_height=3.6,
                       padding=0.8) as table:
            table.row(("N°", "Date d'échéance", "Taux d'intérêt", "Échéance", "Amortissement", "Intérêts",
                       "Capital dû après remboursement"))
            for n in range(1, shown + 1):
                interest = (capital * period_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
                principal = (payment - interest).quantize(Decimal("0.01"), ROUND_HALF_UP)
                if n == count:
                    principal = capital
                capital -= principal
                due = pdfgen.add_months(start_day, (n - 1) * 12 // per_year)
                table.row((str(n), f"{due:%d/%m/%Y}", pct(rate), euros(principal + interest, "bare"),
                           euros(principal, "bare"), euros(interest, "bare"), euros(capital, "bare")))
        pdf.set_font("Helvetica", size=7)
        if shown < count:
            pdf.cell(0, 4, f"Extrait : les {shown} premières échéances sur {count}.", new_x="LMARGIN",
                     new_y="NEXT")
        pdf.cell(0, 4, "Tableau établi à titre indicatif sur la base du taux de l'index en vigueur à la date "
                 "d'édition.", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
    return Letter(f"T-tableaux-{number:02d}.pdf", "T", bytes(pdf.output()), loans, bailleur[1], other)


BLIND2: dict[str, Callable[[int], Letter]] = {
    "P": family_articles, "Q": family_two_headers, "R": family_financing_plan, "S": family_fax,
    "T": family_schedules,
}
FIRST_VARIANTS = range(6)  # measured once, blind, before anyone read the extractor
FRESH_VARIANTS = range(6, 18)


if __name__ == "__main__":
    write([make(number) for make in BLIND2.values() for number in FIRST_VARIANTS], "corpus-familles-aveugles-2")
