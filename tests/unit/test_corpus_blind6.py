"""The sixth blind corpus's generator (tests/corpus/families_blind6.py), not the extractor: every letter of Z11–Z15
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
import families_blind6

VARIANTS = (*families_blind6.FIRST_VARIANTS, *families_blind6.FRESH_VARIANTS, *families_blind6.AFTER_FIXES)
LETTERS = [(name, number) for name in families_blind6.BLIND6 for number in VARIANTS]
# How each family shows one loan: counted, it must give the truth's number of loans.
ONE_LOAN = {
    "Z11": r"Typologie Gissler : 1A",
    "Z12": r"\bCDC (?:PLI|PLS) ",
    "Z13": r"– une Ligne du Prêt ",  # the prose; the annex restates the same loans
    "Z14": r"Ligne du Prêt (\d+) / \d+",
    "Z15": r"(?:^| )(\d) (?:PLI|PLS) ",  # a row's N° and product; the header repeated on a new page has neither
}
# Z13's prose: « d'une durée totale de 42 ans et 6 mois dont 18 mois de préfinancement » or « …, sans préfinancement ».
TOTAL = re.compile(r"d'une durée totale de (\d+) ans(?: et (\d+) mois)?(?: dont (\d+) mois de préfinancement|, sans)")


def _rendered(letter: families.Letter) -> tuple[str, str]:
    """The letter's text as pypdfium2 reads it: without spaces and dots (to find amounts), and with its whitespace
    runs made single spaces (to find wordings)."""
    text = " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(letter.data))
    return re.sub(r"[\s\u00a0.]", "", text), re.sub(r"[\s\u00a0]+", " ", text)


def _margin_forms(value: Decimal) -> tuple[str, ...]:
    """Patterns of a margin: « + 0,60 », « 0,60 » (not after a sign or a digit), « -0,20 », « - 0,20% »."""
    size = abs(value)
    sign = r"(?:- ?)" if value < 0 else r"(?:\+ ?|(?<![-+] )(?<![-+\d,.]))"
    return (sign + f"{size:.2f}".replace(".", ",") + r"(?!\d)",)


@pytest.mark.parametrize(("family", "number"), LETTERS)
def test_sixth_blind_families_render_their_ground_truth(family: str, number: int) -> None:
    """Every loan's amount is in the text, every Livret A margin beside its index, both durations, the other
    guarantor's wording exactly when the truth says so, and as many loans shown as the truth has."""
    letter = families_blind6.BLIND6[family](number)
    digits, flat = _rendered(letter)
    pages = len(pdfium.PdfDocument(letter.data))
    assert 1 <= pages <= 5 and 1 <= len(letter.loans) <= 8, letter.name
    assert {loan.produit for loan in letter.loans} <= {"PLI", "PLS"}, letter.name
    for loan in letter.loans:
        said = f"{loan.montant:.2f}".replace(".", ",")
        assert said in digits or (said.endswith(",00") and said[:-3] in digits), (letter.name, said)
        if loan.index == "livret_a":
            near = r"(?:LA|Livret A|[Mm]arge fixe sur index)[^;€%]{0,90}?"
            found = [form for form in _margin_forms(loan.marge) if re.search(near + form, flat)]
            assert found, (letter.name, loan.marge)
        amort = rf"\b{loan.amortissement} mois\b|\b{loan.amortissement // 12} ans\b"
        assert re.search(amort, flat), (letter.name, loan.amortissement)
        if loan.prefinancement:
            assert re.search(rf"\b{loan.prefinancement} mois\b", flat), (letter.name, loan.prefinancement)
    named = [key for _, key in families_blind6.GUARANTORS_BLIND6 if key in flat]
    assert bool(named) == letter.autre_garant, (letter.name, named)
    shown = re.findall(ONE_LOAN[family], flat)
    count = len(set(shown)) if family in ("Z14", "Z15") else len(shown)
    assert count == letter.truth()["prets.nombre"], (letter.name, shown)


@pytest.mark.parametrize("number", VARIANTS)
def test_decision_says_aucune_and_a_commission_in_euros_for_every_line(number: int) -> None:
    """Z11: « Durée de la phase de préfinancement : aucune » for every loan without one, in the truth's order, and a
    commission « soit … € » (0,06 % of the line) in every line's block."""
    letter = families_blind6.BLIND6["Z11"](number)
    _, flat = _rendered(letter)
    said = re.findall(r"Durée de la phase de préfinancement : (aucune|\d+ mois)", flat)
    assert said == [f"{loan.prefinancement} mois" if loan.prefinancement else "aucune" for loan in letter.loans]
    commissions = re.findall(r"du montant de la Ligne du Prêt soit ([\d ]+) €", flat)
    expected = [round(loan.montant * Decimal("0.0006")) for loan in letter.loans]
    assert [int(c.replace(" ", "")) for c in commissions] == expected, letter.name


@pytest.mark.parametrize("number", VARIANTS)
def test_rapport_derived_column_is_a_share_only_with_another_guarantor(number: int) -> None:
    """Z12: a « Montant garanti (quotité N %) » column exactly when another guarantor is named, an « Annuité
    prévisionnelle » otherwise: the last amount of each row is never the loan itself unless the quotité is 100 %."""
    letter = families_blind6.BLIND6["Z12"](number)
    _, flat = _rendered(letter)
    quota = re.search(r"Montant garanti \(quotité (\d+) %\)", flat)
    assert bool(quota) == letter.autre_garant, letter.name
    assert ("Annuité prévisionnelle" in flat) != letter.autre_garant, letter.name
    assert ("Demande de garantie d'emprunt" in flat) == letter.autre_garant, letter.name


@pytest.mark.parametrize("number", VARIANTS)
def test_prose_total_durations_add_the_truths_two_periods(number: int) -> None:
    """Z13's prose gives the total duration « dont » the préfinancement: the total less it is the amortisation, in
    the truth's order, and the annex states every loan's amount a second time."""
    letter = families_blind6.BLIND6["Z13"](number)
    digits, flat = _rendered(letter)
    said = [
        (int(prefi or 0), int(years) * 12 + int(extra or 0) - int(prefi or 0))
        for years, extra, prefi in TOTAL.findall(flat)
    ]
    assert said == [(loan.prefinancement, loan.amortissement) for loan in letter.loans], letter.name
    for loan in letter.loans:
        assert digits.count(f"{loan.montant:.2f}".replace(".", ",")[:-3]) >= 2, letter.name


@pytest.mark.parametrize("number", [n for n in VARIANTS if n % 3 == 2])
def test_landscape_table_repeats_its_two_header_rows_when_it_crosses_a_page(number: int) -> None:
    """Z15 with the contract's definitions before the table: the table starts low on the annex page and, with four
    loans or more, continues on the next one (at least its « Total » row); every page with a row of the table has
    the two header rows (the phase groups, then « Durée Index Marge Durée … »)."""
    letter = families_blind6.BLIND6["Z15"](number)
    document = pdfium.PdfDocument(letter.data)
    texts = [re.sub(r"\s+", " ", page.get_textpage().get_text_range()) for page in document]
    with_rows = [text for text in texts if re.search(ONE_LOAN["Z15"] + r"|\bTotal \d", text)]
    assert all("Phase de préfinancement Phase d'amortissement" in text for text in with_rows), letter.name
    assert all("Durée Index Marge Durée Index Marge" in text for text in with_rows), letter.name
    assert len(with_rows) == (2 if len(letter.loans) >= 4 else 1), (letter.name, len(with_rows))


def test_the_guarantee_wordings_are_new_and_the_traps_name_no_guarantor() -> None:
    """Five wordings no earlier family used, traps that contain none of them, and half the letters flagged."""
    import families_blind
    import families_blind2
    import families_blind3
    import families_blind4
    import families_blind5

    earlier = " ".join(
        (
            *families.GUARANTORS_DEVELOPMENT,
            *families.GUARANTORS_HELD_OUT,
            *families_blind.GUARANTORS_BLIND,
            *(w for w, _ in families_blind2.GUARANTORS_BLIND2),
            *(w for w, _ in families_blind3.GUARANTORS_BLIND3),
            *(w for w, _ in families_blind4.GUARANTORS_BLIND4),
            *(w for w, _ in families_blind5.GUARANTORS_BLIND5),
        )
    )
    keys = [key for _, key in families_blind6.GUARANTORS_BLIND6]
    assert len(set(keys)) == 5 and not any(key in earlier for key in keys)
    assert all(key in wording for wording, key in families_blind6.GUARANTORS_BLIND6)
    traps = [trap for trap in families_blind6.NO_OTHER if trap]
    assert len(traps) == 4 and not any(key in trap for key in keys for trap in traps)
    for family in families_blind6.BLIND6:
        flags = [families_blind6.guarantee(family, number, "Dijon")[1] for number in VARIANTS]
        assert flags.count(True) == flags.count(False), family
        used = {families_blind6.guarantee(family, number, "Dijon")[0] for number in VARIANTS}
        assert len(used) >= 4, family  # wordings and traps vary within a family


@pytest.mark.parametrize("family", list(families_blind6.BLIND6))
def test_letters_are_deterministic(family: str) -> None:
    make = families_blind6.BLIND6[family]
    first, again = make(7), make(7)
    assert first.truth() == again.truth() and first.autre_garant == again.autre_garant
