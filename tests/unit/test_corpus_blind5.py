"""The fifth blind corpus's generator (tests/corpus/families_blind5.py), not the extractor: every letter of Z6–Z10
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
import families_blind5

VARIANTS = (*families_blind5.FIRST_VARIANTS, *families_blind5.FRESH_VARIANTS, *families_blind5.AFTER_FIXES)
LETTERS = [(name, number) for name in families_blind5.BLIND5 for number in VARIANTS]
# How each family shows one loan: counted, it must give the truth's number of loans.
ONE_LOAN = {
    "Z6": r"Ligne du Prêt (\d+) :",
    "Z7": r"Ligne du Prêt n° (\d+) –",  # a heading row repeated on a new page counts once
    "Z8": r"Préfinancement : ",
    "Z9": r"amortissement sur ",
    "Z10": r"Ligne du Prêt n° (\d+) –",
}
# « Durée totale : 43 ans et 6 mois dont : - Durée de la phase de préfinancement : 18 mois - Durée de la phase
# d'amortissement : 40 ans », the page's footer between two items when the list crosses a page.
SEAM = r" (?:Délibération n° [\w-]+ — page \d+/\d+ )?"
TOTAL = re.compile(
    rf"Durée totale : (\d+) ans(?: et (\d+) mois)? dont :{SEAM}- Durée de la phase de préfinancement : "
    rf"(\d+) mois{SEAM}- Durée de la phase d'amortissement : (\d+) (ans|mois)"
)


def _rendered(letter: families.Letter) -> tuple[str, str]:
    """The letter's text as pypdfium2 reads it: without spaces and dots (to find amounts), and with its whitespace
    runs made single spaces (to find wordings)."""
    text = " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(letter.data))
    return re.sub(r"[\s\u00a0.]", "", text), re.sub(r"[\s\u00a0]+", " ", text)


def _margin_forms(value: Decimal) -> tuple[str, ...]:
    """Patterns of a margin: « + 0,60 », « majoré de 0,60 », « 0,60 » (not after a sign or a digit), « -0,20 »,
    « minoré de 0,20 », « + 60 pdb », « - 20 pb »."""
    size = abs(value)
    sign = r"(?:- ?|minoré de )" if value < 0 else r"(?:\+ ?|majoré de |(?<![-+] )(?<![-+\d,.]))"
    return sign + f"{size:.2f}".replace(".", ",") + r"(?!\d)", sign + f"{int(size * 100)} pd?b"


def _bare_units(letter: families.Letter) -> bool:
    return letter.family == "Z10" and "Amortissement (années)" in _rendered(letter)[1]


@pytest.mark.parametrize(("family", "number"), LETTERS)
def test_fifth_blind_families_render_their_ground_truth(family: str, number: int) -> None:
    """Every loan's amount is in the text, every Livret A margin beside its index, both durations, the other
    guarantor's wording exactly when the truth says so, and as many loans shown as the truth has."""
    letter = families_blind5.BLIND5[family](number)
    digits, flat = _rendered(letter)
    pages = len(pdfium.PdfDocument(letter.data))
    assert 1 <= pages <= 5 and 1 <= len(letter.loans) <= 8, letter.name
    assert {loan.produit for loan in letter.loans} <= {"PLI", "PLS"}, letter.name
    bare = _bare_units(letter)
    for loan in letter.loans:
        said = f"{loan.montant:.2f}".replace(".", ",")
        assert said in digits or (said.endswith(",00") and said[:-3] in digits), (letter.name, said)
        if loan.index == "livret_a":
            near = r"(?:LA|Livret A|[Mm]arge fixe sur index)[^;€%]{0,90}?"
            found = [form for form in _margin_forms(loan.marge) if re.search(near + form, flat)]
            assert found, (letter.name, loan.marge)
        if not bare:
            amort = rf"\b{loan.amortissement} mois\b|\b{loan.amortissement // 12} ans\b"
            assert re.search(amort, flat), (letter.name, loan.amortissement)
            if loan.prefinancement:
                assert re.search(rf"\b{loan.prefinancement} mois\b", flat), (letter.name, loan.prefinancement)
    named = [key for _, key in families_blind5.GUARANTORS_BLIND5 if key in flat]
    assert bool(named) == letter.autre_garant, (letter.name, named)
    shown = re.findall(ONE_LOAN[family], flat)
    count = len(set(shown)) if family == "Z7" else len(shown)
    assert count == letter.truth()["prets.nombre"], (letter.name, shown)


@pytest.mark.parametrize("number", VARIANTS)
def test_deliberation_total_durations_add_the_truths_two_periods(number: int) -> None:
    """Z6 gives « Durée totale : 43 ans et 6 mois dont : » then both phases: the total is their sum, and every
    loan with a préfinancement is said that way."""
    letter = families_blind5.BLIND5["Z6"](number)
    _, flat = _rendered(letter)
    said = []
    for years, extra, prefi, amort, unit in TOTAL.findall(flat):
        total = int(years) * 12 + int(extra or 0)
        amortisation = int(amort) * (12 if unit == "ans" else 1)
        assert total == int(prefi) + amortisation, letter.name
        said.append((int(prefi), amortisation))
    expected = [(loan.prefinancement, loan.amortissement) for loan in letter.loans if loan.prefinancement]
    assert sorted(said) == sorted(expected), letter.name


@pytest.mark.parametrize("number", [n for n in VARIANTS if n % 3 == 2])
def test_units_only_in_the_headers_leave_bare_durations_in_the_truths_row_order(number: int) -> None:
    """Z10 with the units in the headers: each value row reads amount, préfinancement months, amortisation
    years, in the truth's order."""
    letter = families_blind5.BLIND5["Z10"](number)
    assert _bare_units(letter)
    _, flat = _rendered(letter)
    rows = re.findall(r"\(%\) Périodicité ([\d ,]+?) (\d+) (\d+) (?:Livret A|Taux fixe)", flat)
    expected = [
        (
            f"{loan.montant:,.2f}".replace(",", " ").replace(".", ","),
            str(loan.prefinancement),
            str(loan.amortissement // 12),
        )
        for loan in letter.loans
    ]
    assert rows == expected, letter.name


def test_the_guarantee_wordings_are_new_and_the_traps_name_no_guarantor() -> None:
    """Five wordings no earlier family used, traps that contain none of them, and half the letters flagged."""
    import families_blind
    import families_blind2
    import families_blind3
    import families_blind4

    earlier = " ".join(
        (
            *families.GUARANTORS_DEVELOPMENT,
            *families.GUARANTORS_HELD_OUT,
            *families_blind.GUARANTORS_BLIND,
            *(w for w, _ in families_blind2.GUARANTORS_BLIND2),
            *(w for w, _ in families_blind3.GUARANTORS_BLIND3),
            *(w for w, _ in families_blind4.GUARANTORS_BLIND4),
        )
    )
    keys = [key for _, key in families_blind5.GUARANTORS_BLIND5]
    assert len(set(keys)) == 5 and not any(key in earlier for key in keys)
    assert all(key in wording for wording, key in families_blind5.GUARANTORS_BLIND5)
    traps = [trap for trap in families_blind5.NO_OTHER if trap]
    assert len(traps) == 4 and not any(key in trap for key in keys for trap in traps)
    for family in families_blind5.BLIND5:
        flags = [families_blind5.guarantee(family, number, "Dijon")[1] for number in VARIANTS]
        assert flags.count(True) == flags.count(False), family
        used = {families_blind5.guarantee(family, number, "Dijon")[0] for number in VARIANTS}
        assert len(used) >= 4, family  # wordings and traps vary within a family
