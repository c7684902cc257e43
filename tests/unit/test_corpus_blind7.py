"""The seventh blind corpus's generator (tests/corpus/families_blind7.py), not the extractor: every letter of Z16–Z20
says what its ground truth says, so that a measurement on it counts extractor errors only."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))

import families
import families_blind7

VARIANTS = (*families_blind7.FIRST_VARIANTS, *families_blind7.FRESH_VARIANTS, *families_blind7.AFTER_FIXES)
LETTERS = [(name, number) for name in families_blind7.BLIND7 for number in VARIANTS]
# How each family shows one loan: counted, it must give the truth's number of loans.
ONE_LOAN = {
    "Z16": r"Ligne du Prêt n° \d+ : (?:PLI|PLS) ",
    "Z17": r"TABLEAU D'AMORTISSEMENT PRÉVISIONNEL",
    "Z18": r"\b\d (?:PLI|PLS) (?:Foncier|Charge foncière|Acquisition foncière|Construction|Bâti|Travaux) \d{7}\b",
    "Z19": r"PRÊT N° \d+",
    "Z20": r"Prêt (?:PLI|PLS) [^:]{3,25} :",
}
# Families that state the amortisation otherwise than « 40 ans » / « 480 mois » (tested below, in the truth's order).
UNUSUAL = {"Z17", "Z19", "Z20"}
Z17_TOTAL = re.compile(r"Durée totale de la Ligne du Prêt : (\d+) ans(?: et (\d+) mois)?")
Z17_PREFI = re.compile(r"Durée de la phase de préfinancement : (\d+ mois|Sans objet)")
Z19_AMORT = re.compile(r"Durée d'amortissement \((années|mois)\) : (\d+)")
Z19_PREFI = re.compile(r"Durée de préfinancement \(mois\) : (\d+)")
Z20_TOTAL = re.compile(
    r"durée totale du prêt : (\d+) ans(?: et (\d+) mois)?, (?:dont phase de préfinancement : (\d+) mois|sans "
    r"préfinancement)"
)


def _rendered(letter: families.Letter) -> tuple[str, str]:
    """The letter's text as pypdfium2 reads it: without spaces and dots (to find amounts), and with its whitespace
    runs made single spaces (to find wordings)."""
    text = " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(letter.data))
    return re.sub(r"[\s\u00a0.]", "", text), re.sub(r"[\s\u00a0]+", " ", text)


def _pages(letter: families.Letter) -> list[str]:
    return [
        re.sub(r"[\s\u00a0]+", " ", page.get_textpage().get_text_range()) for page in pdfium.PdfDocument(letter.data)
    ]


def _margin_forms(value: Decimal) -> tuple[str, ...]:
    """Patterns of a margin: « 0,60 » (not after a sign or a digit), « -0,20 », « + 60 points de base »."""
    size = abs(value)
    sign = r"(?:- ?)" if value < 0 else r"(?:\+ ?|(?<![-+] )(?<![-+\d,.]))"
    points = ("- " if value < 0 else r"\+ ") + f"{int(size * 100)} points de base"
    return (sign + f"{size:.2f}".replace(".", ",") + r"(?!\d)", points)


@pytest.mark.parametrize(("family", "number"), LETTERS)
def test_seventh_blind_families_render_their_ground_truth(family: str, number: int) -> None:
    """Every loan's amount is in the text, every Livret A margin beside its index, both durations, the other
    guarantor's wording exactly when the truth says so, and as many loans shown as the truth has."""
    letter = families_blind7.BLIND7[family](number)
    digits, flat = _rendered(letter)
    pages = len(pdfium.PdfDocument(letter.data))
    assert 1 <= pages <= 5 and 1 <= len(letter.loans) <= 8, letter.name
    assert {loan.produit for loan in letter.loans} <= {"PLI", "PLS"}, letter.name
    for loan in letter.loans:
        said = f"{loan.montant:.2f}".replace(".", ",")
        assert said in digits or (said.endswith(",00") and said[:-3] in digits), (letter.name, said)
        if loan.index == "livret_a":
            near = r"(?:LA|Livret A|[Mm]arge fixe sur index|Marge sur index \(%\))[^;€%]{0,90}?"
            found = [form for form in _margin_forms(loan.marge) if re.search(near + form, flat)]
            assert found, (letter.name, loan.marge)
        if family not in UNUSUAL:
            amort = rf"\b{loan.amortissement} mois\b|\b{loan.amortissement // 12} ans\b"
            assert re.search(amort, flat), (letter.name, loan.amortissement)
            if loan.prefinancement:
                assert re.search(rf"\b{loan.prefinancement} mois\b", flat), (letter.name, loan.prefinancement)
    named = [key for _, key in families_blind7.GUARANTORS_BLIND7 if key in flat]
    assert bool(named) == letter.autre_garant, (letter.name, named)
    assert len(re.findall(ONE_LOAN[family], flat)) == letter.truth()["prets.nombre"], letter.name


@pytest.mark.parametrize(("family", "number"), LETTERS)
def test_the_truth_lists_the_loans_in_the_letters_order(family: str, number: int) -> None:
    """Each loan's amount first appears after the previous loan's: the truth is in the order the letter gives."""
    letter = families_blind7.BLIND7[family](number)
    text = " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(letter.data))
    grouped = r"(?<![\d,])\d{1,3}(?:[ \u00a0.]\d{3})+(?!\d)"  # « 1 234 567 » or « 1.234.567 », made « 1234567 »
    joined = re.sub(grouped, lambda found: re.sub(r"[ \u00a0.]", "", found.group()), text)
    where = []
    for loan in letter.loans:
        said = f"{loan.montant:.2f}".replace(".", ",")
        whole = said[:-3] + r"(?![\d,])" if said.endswith(",00") else r"(?!)"
        found = re.search(rf"(?<![\d,])(?:{said}(?!\d)|{whole})", joined)
        assert found, (letter.name, said)
        where.append(found.start())
    assert where == sorted(where), letter.name


@pytest.mark.parametrize("number", VARIANTS)
def test_amortisation_pages_give_the_total_duration_and_one_row_a_year(number: int) -> None:
    """Z17: each Ligne's page gives the préfinancement and the total duration (their difference is the truth's
    amortisation, never written), and its schedule has one dated row per year of amortisation."""
    letter = families_blind7.BLIND7["Z17"](number)
    _, flat = _rendered(letter)
    totals = [int(years) * 12 + int(extra or 0) for years, extra in Z17_TOTAL.findall(flat)]
    assert totals == [loan.prefinancement + loan.amortissement for loan in letter.loans], letter.name
    prefis = Z17_PREFI.findall(flat)
    assert prefis == [f"{loan.prefinancement} mois" if loan.prefinancement else "Sans objet" for loan in letter.loans]
    for page, loan in zip(_pages(letter)[1:], letter.loans, strict=True):
        dates = re.findall(r"\b\d{2}/\d{2}/\d{4}\b", page)
        assert len(dates) - 1 == loan.amortissement // 12, letter.name  # less the « Édité le » date
        assert "Durée de la phase d'amortissement" not in page


@pytest.mark.parametrize("number", VARIANTS)
def test_two_tables_give_the_same_loans_in_the_same_order(number: int) -> None:
    """Z18: Tableau 1 and Tableau 2 list the same loans in the same order; keyed by identifiant in a third of the
    variants, the 7-digit identifiants of Tableau 2 repeat those of Tableau 1."""
    letter = families_blind7.BLIND7["Z18"](number)
    _, flat = _rendered(letter)
    first, second = flat.split("Tableau 2 – Conditions financières", 1)
    assert "Tableau 1 – Lignes du Prêt" in first
    ids = re.findall(r"\b\d{7}\b", first.split("Tableau 1 – Lignes du Prêt", 1)[1])
    assert len(ids) == len(letter.loans), letter.name
    if number % 3 == 2:
        assert re.findall(r"\b\d{7}\b", second) == ids, letter.name
    else:
        assert not re.findall(r"\b\d{7}\b", second), letter.name
    months = re.findall(r"\b(\d+) (mois|ans)\b", second)
    expected = [
        part
        for loan in letter.loans
        for part in (
            *([(str(loan.prefinancement), "mois")] if loan.prefinancement else []),
            (str(loan.amortissement), "mois") if number % 2 else (str(loan.amortissement // 12), "ans"),
        )
    ]
    assert months == expected, letter.name


@pytest.mark.parametrize("number", VARIANTS)
def test_form_ticks_one_box_per_question_and_states_durations_in_its_units(number: int) -> None:
    """Z19: one ticked product, nature and index per loan, the truth's; durations bare numbers whose unit is the
    label's."""
    letter = families_blind7.BLIND7["Z19"](number)
    _, flat = _rendered(letter)
    assert re.findall(r"\[X\] (PLS|PLI|PLUS|PLAI)", flat) == [loan.produit for loan in letter.loans]
    natures = re.findall(r"\[X\] (Charge foncière|Bâti)", flat)
    assert natures == ["Charge foncière" if loan.nature == "foncier" else "Bâti" for loan in letter.loans]
    indexes = re.findall(r"\[X\] (Livret A|Taux fixe)", flat)
    assert indexes == ["Livret A" if loan.index == "livret_a" else "Taux fixe" for loan in letter.loans]
    amort = [int(value) * (12 if unit == "années" else 1) for unit, value in Z19_AMORT.findall(flat)]
    assert amort == [loan.amortissement for loan in letter.loans], letter.name
    assert [int(v) for v in Z19_PREFI.findall(flat)] == [loan.prefinancement for loan in letter.loans]
    assert ("[X] Oui" in flat) == letter.autre_garant, letter.name


@pytest.mark.parametrize("number", VARIANTS)
def test_modification_gives_superseded_values_then_the_truth(number: int) -> None:
    """Z20: the former délibération's amount is none of the loans nor their total, and the new conditions give
    each loan's total duration « dont » its préfinancement, in the truth's order."""
    letter = families_blind7.BLIND7["Z20"](number)
    _, flat = _rendered(letter)
    former = re.search(r"un emprunt de ([\d  .]+)", flat)
    assert former, letter.name
    value = re.sub(r"[\s\u00a0.]", "", former.group(1))
    total = sum((loan.montant for loan in letter.loans), Decimal(0))
    amounts = {f"{loan.montant:.2f}".replace(".", ",")[:-3] for loan in letter.loans}
    assert value not in amounts and value != f"{total:.0f}", letter.name
    said = [
        (int(prefi or 0), int(years) * 12 + int(extra or 0) - int(prefi or 0))
        for years, extra, prefi in Z20_TOTAL.findall(flat)
    ]
    assert said == [(loan.prefinancement, loan.amortissement) for loan in letter.loans], letter.name


@pytest.mark.parametrize("number", [n for n in VARIANTS if n % 2 == 1])
def test_recueil_guarantee_is_the_departements_article(number: int) -> None:
    """Z16's odd variants are a « Garantie d'emprunt » whose Article 1 is the first wording; the recueil numbers its
    pages its own way."""
    letter = families_blind7.BLIND7["Z16"](number)
    _, flat = _rendered(letter)
    assert "Garantie d'emprunt" in flat and "Article 1 : La Commission permanente" in flat, letter.name
    assert re.search(r"Recueil des actes administratifs n° \d{4}-\d{2} page (\d+)", flat), letter.name


def test_the_guarantee_wordings_are_new_and_the_traps_name_no_guarantor() -> None:
    """Five wordings no earlier family used, traps that contain none of them, and half the letters flagged."""
    import families_blind
    import families_blind2
    import families_blind3
    import families_blind4
    import families_blind5
    import families_blind6

    earlier = " ".join(
        (
            *families.GUARANTORS_DEVELOPMENT,
            *families.GUARANTORS_HELD_OUT,
            *families_blind.GUARANTORS_BLIND,
            *(w for w, _ in families_blind2.GUARANTORS_BLIND2),
            *(w for w, _ in families_blind3.GUARANTORS_BLIND3),
            *(w for w, _ in families_blind4.GUARANTORS_BLIND4),
            *(w for w, _ in families_blind5.GUARANTORS_BLIND5),
            *(w for w, _ in families_blind6.GUARANTORS_BLIND6),
        )
    )
    keys = [key for _, key in families_blind7.GUARANTORS_BLIND7]
    assert len(set(keys)) == 5 and not any(key in earlier for key in keys)
    assert all(key in wording for wording, key in families_blind7.GUARANTORS_BLIND7)
    traps = [trap for trap in families_blind7.NO_OTHER if trap]
    assert len(traps) == 4 and not any(key in trap for key in keys for trap in traps)
    for family in families_blind7.BLIND7:
        flags = [families_blind7.guarantee(family, number, "Dijon")[1] for number in VARIANTS]
        assert flags.count(True) == flags.count(False), family
        used = {families_blind7.guarantee(family, number, "Dijon")[0] for number in VARIANTS}
        assert len(used) >= 4, family  # wordings and traps vary within a family


@pytest.mark.parametrize("family", list(families_blind7.BLIND7))
def test_letters_are_deterministic(family: str) -> None:
    make = families_blind7.BLIND7[family]
    first, again = make(7), make(7)
    assert first.truth() == again.truth() and first.autre_garant == again.autre_garant
