"""The fourth blind corpus's generator (tests/corpus/families_blind4.py), not the extractor: every letter of Z1–Z5
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
import families_blind4

VARIANTS = (*families_blind4.FIRST_VARIANTS, *families_blind4.FRESH_VARIANTS, *families_blind4.AFTER_FIXES)
LETTERS = [(name, number) for name in families_blind4.BLIND4 for number in VARIANTS]
DATES = re.compile(r"du (\d\d)/(\d\d)/(\d{4})\s+au (\d\d)/(\d\d)/(\d{4})")
TOTAL = re.compile(r"(\d+) (ans|mois) dont (\d+) (ans?|mois) de préfinancement")
# How each family shows one loan: counted, it must give the truth's number of loans.
ONE_LOAN = {
    "Z1": r"Identifiant de la Ligne du Prêt\s*:?\s*(\d{7})",  # a heading row repeated on a new page counts once
    "Z2": r"(?:LA ?[+-] ?\d|Livret A [+-] \d|taux fixe \d|TF \d)",
    "Z3": r"\bLivret A (?:\(2,40 %\) )?[+-] \d|\bTaux fixe \d",
    "Z4": r"\bLigne \d\b",
    "Z5": r"Prêt PL[IS] – ",
}


def _rendered(letter: families.Letter) -> tuple[str, str, str]:
    """The letter's text as pypdfium2 reads it: as is, without spaces and dots (to find amounts), and with its
    whitespace runs made single spaces (to find wordings)."""
    text = " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(letter.data))
    return text, re.sub(r"[\s\u00a0.]", "", text), re.sub(r"\s+", " ", text)


def _margin_forms(value: Decimal) -> tuple[str, ...]:
    """Patterns of a margin: « + 0,60 », « 0,60 » (not after a minus), « -0,20 », « +0.60 », « 60 pdb »."""
    size = abs(value)
    sign = r"- ?" if value < 0 else r"(?:\+ ?|(?<![-+] )(?<![-+\d,.]))"
    return (sign + f"{size:.2f}".replace(".", ","), ("-" if value < 0 else r"\+") + f"{size:.2f}".replace(".", r"\."),
            sign + f"{int(size * 100)} pdb")


@pytest.mark.parametrize(("family", "number"), LETTERS)
def test_fourth_blind_families_render_their_ground_truth(family: str, number: int) -> None:
    """Every loan's amount is in the text, every Livret A margin beside its index (a legend's example does not
    count), the other guarantor's wording exactly when the truth says so, and as many loans shown as the truth
    has."""
    letter = families_blind4.BLIND4[family](number)
    _, digits, flat = _rendered(letter)
    pages = len(pdfium.PdfDocument(letter.data))
    assert 1 <= pages <= 5 and 1 <= len(letter.loans) <= 8, letter.name
    for loan in letter.loans:
        said = f"{loan.montant:.2f}".replace(".", ",")
        assert said in digits or (said.endswith(",00") and said[:-3] in digits), (letter.name, said)
        if loan.index == "livret_a":
            # The index said just before the margin: « LA+0.60 », « Livret A (2,40 %) + 0,60 % », « marge : 60
            # pdb », « Marge fixe sur index 0,60 % »; with no « ; » between (the legends have one).
            near = r"(?:LA|Livret A|[Mm]arge)[^;€]{0,30}?"
            found = [form for form in _margin_forms(loan.marge) if re.search(near + form, flat)]
            assert found, (letter.name, loan.marge)
    named = [key for _, key in families_blind4.GUARANTORS_BLIND4 if key in flat]
    assert bool(named) == letter.autre_garant, (letter.name, named)
    shown = re.findall(ONE_LOAN[family], flat)
    count = len(set(shown)) if family == "Z1" else len(shown)
    assert count == letter.truth()["prets.nombre"], (letter.name, shown)


@pytest.mark.parametrize("number", VARIANTS)
def test_sideways_annex_periods_last_the_truths_durations(number: int) -> None:
    """Z3 gives the periods as dates only: from one date to the other, exactly the préfinancement and the
    amortisation months of the truth."""
    letter = families_blind4.BLIND4["Z3"](number)
    _, _, flat = _rendered(letter)
    spans = sorted((int(y2) - int(y1)) * 12 + int(m2) - int(m1)
                   for d1, m1, y1, d2, m2, y2 in DATES.findall(flat) if d1 == d2)
    assert len(spans) == len(DATES.findall(flat))
    expected = sorted([loan.amortissement for loan in letter.loans]
                      + [loan.prefinancement for loan in letter.loans if loan.prefinancement])
    assert spans == expected, letter.name


@pytest.mark.parametrize(("family", "number"), [(f, n) for f in ("Z4", "Z5") for n in VARIANTS])
def test_total_durations_leave_the_truths_amortisation(family: str, number: int) -> None:
    """« 50 ans dont 2 ans de préfinancement »: the total less the préfinancement is the truth's amortisation."""
    letter = families_blind4.BLIND4[family](number)
    _, _, flat = _rendered(letter)
    said = []
    for whole, unit, prefi, prefi_unit in TOTAL.findall(flat):
        total = int(whole) * (1 if unit == "mois" else 12)
        before = int(prefi) * (1 if prefi_unit == "mois" else 12)
        said.append((total - before, before))
    expected = [(loan.amortissement, loan.prefinancement) for loan in letter.loans]
    assert all(pair in expected for pair in said), (letter.name, said, expected)


def test_the_guarantee_wordings_are_new_and_the_traps_name_no_guarantor() -> None:
    """Five wordings no earlier family used, and traps that contain none of them."""
    import families_blind
    import families_blind2
    import families_blind3

    earlier = " ".join((*families.GUARANTORS_DEVELOPMENT, *families.GUARANTORS_HELD_OUT,
                        *families_blind.GUARANTORS_BLIND, *(w for w, _ in families_blind2.GUARANTORS_BLIND2),
                        *(w for w, _ in families_blind3.GUARANTORS_BLIND3)))
    keys = [key for _, key in families_blind4.GUARANTORS_BLIND4]
    assert len(set(keys)) == 5 and not any(key in earlier for key in keys)
    traps = [trap for trap in families_blind4.NO_OTHER if trap]
    assert traps and not any(key in trap for key in keys for trap in traps)
    flags = [families_blind4.guarantee(family, number, "Dijon")[1] for family in families_blind4.BLIND4
             for number in VARIANTS]
    assert flags.count(True) == flags.count(False)
