"""Precision and recall of the loan fields over ten layout families (tests/corpus/families.py), the
development half and the held-out half measured apart, and over five more families written blind
(tests/corpus/families_blind.py, K–O: written without reading the extractor, after F–J had been used to fix it),
five more written blind after K–O had been used to fix it (tests/corpus/families_blind2.py, P–T), and five more
written blind after P–T had been used to fix it (tests/corpus/families_blind3.py, U–Y).

Targets (issue 14), on the held-out families: precision 100 % (no wrong value given with high confidence),
recall ≥ 95 % of the loan fields (nature, amount, amortisation and préfinancement months, margin), every
other guarantor flagged. The figures are printed (`pytest -s`) and reported in docs/intake.md, the README
and benchmarks/README.md. The first run on the held-out half, before any change, gave recall 66.3 %
(docs/intake.md); the extractor was then fixed with what it showed, so the held-out variants 0–5 are no
longer unseen: variants 6–17, generated after the fixes, are measured apart.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ami.domain.extraction import HIGH_CONFIDENCE
from ami.domain.pieces import PieceContext, examine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
import families
import families_blind
import families_blind2
import families_blind3
import families_blind4
import families_blind5
import families_blind6
import families_blind7

RECALL_U_Y = 1.0  # after the fixes (docs/intake.md)
LOAN_FIELDS = ("nature", "montant_eur", "duree_amortissement_mois", "duree_prefinancement_mois", "marge_pct")
OTHER_FIELDS = ("produit", "index", "prets.nombre")


@dataclass
class Score:
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    given: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    correct: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    correct_sure: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wrong: list[str] = field(default_factory=list)
    confident_wrong: list[str] = field(default_factory=list)
    guarantors: int = 0
    guarantors_flagged: int = 0
    false_alarms: list[str] = field(default_factory=list)
    missed_guarantors: list[str] = field(default_factory=list)
    letters: int = 0

    def precision(self, names: tuple[str, ...]) -> float:
        given = sum(self.given[n] for n in names)
        return sum(self.correct[n] for n in names) / given if given else 0.0

    def recall(self, names: tuple[str, ...], sure: bool = False) -> float:
        expected = sum(self.expected[n] for n in names)
        correct = self.correct_sure if sure else self.correct
        return sum(correct[n] for n in names) / expected if expected else 0.0


def merge(scores: list[Score]) -> Score:
    out = Score()
    for part in scores:
        for name in ("expected", "given", "correct", "correct_sure"):
            for key, count in getattr(part, name).items():
                getattr(out, name)[key] += count
        out.wrong += part.wrong
        out.confident_wrong += part.confident_wrong
        out.false_alarms += part.false_alarms
        out.missed_guarantors += part.missed_guarantors
        out.guarantors += part.guarantors
        out.guarantors_flagged += part.guarantors_flagged
        out.letters += part.letters
    return out


def _kind(name: str) -> str:
    return name.split(".", 1)[1] if name.startswith("prets[") else name


def score(letters: list[families.Letter]) -> Score:
    out = Score()
    for letter in letters:
        out.letters += 1
        report = examine(letter.data, "lettre_offre", context=PieceContext(siren=letter.siren), ocr=None)
        got: dict[str, Any] = {}
        sure: dict[str, float] = {}
        for f in report.fields:
            got.setdefault(f.name, f.value)
            sure.setdefault(f.name, f.confidence)
        truth = letter.truth()
        for name, value in truth.items():
            kind = _kind(name)
            out.expected[kind] += 1
            if name not in got:
                out.wrong.append(f"{letter.name}: {name} manquant (attendu {value!r})")
                continue
            out.given[kind] += 1
            if got[name] == value:
                out.correct[kind] += 1
                out.correct_sure[kind] += sure[name] >= HIGH_CONFIDENCE
            else:
                out.wrong.append(f"{letter.name}: {name} = {got[name]!r}, attendu {value!r} ({sure[name]})")
                if sure[name] >= HIGH_CONFIDENCE:
                    out.confident_wrong.append(out.wrong[-1])
        for name in set(got) - set(truth):
            kind = _kind(name)
            if name.startswith("prets[") and kind in LOAN_FIELDS + OTHER_FIELDS:
                out.given[kind] += 1
                out.wrong.append(f"{letter.name}: {name} inattendu ({got[name]!r}, {sure[name]})")
                if sure[name] >= HIGH_CONFIDENCE:
                    out.confident_wrong.append(out.wrong[-1])
        flagged = any(c.code == "autre_garant" for c in report.checks)
        out.guarantors += letter.autre_garant
        out.guarantors_flagged += letter.autre_garant and flagged
        if flagged and not letter.autre_garant:
            out.false_alarms.append(letter.name)
        if letter.autre_garant and not flagged:
            out.missed_guarantors.append(letter.name)
    return out


def table(title: str, result: Score) -> str:
    rows = [f"{title} — {result.letters} lettres"]
    for name in (*LOAN_FIELDS, *OTHER_FIELDS):
        if result.expected[name]:
            rows.append(f"  {name:<28} attendus {result.expected[name]:>4}  précision {result.precision((name,)):6.1%}"
                        f"  rappel {result.recall((name,)):6.1%}"
                        f"  (confiance haute {result.recall((name,), True):6.1%})")
    rows.append(f"  {'champs de prêt (5)':<28} attendus {sum(result.expected[n] for n in LOAN_FIELDS):>4}  "
                f"précision {result.precision(LOAN_FIELDS):6.1%}  rappel {result.recall(LOAN_FIELDS):6.1%}  "
                f"(confiance haute {result.recall(LOAN_FIELDS, True):6.1%})")
    rows.append(f"  valeurs fausses en confiance haute : {len(result.confident_wrong)}")
    rows.append(f"  autres garants signalés : {result.guarantors_flagged}/{result.guarantors}, "
                f"fausses alertes : {len(result.false_alarms)}")
    return "\n".join(rows)


def by_family(title: str, scores: dict[str, Score]) -> str:
    """One line per family: the loan fields together, then each field's recall."""
    rows = [title]
    for family, result in scores.items():
        fields = "  ".join(f"{name.removeprefix('duree_').removesuffix('_mois')} {result.recall((name,)):6.1%}"
                           for name in LOAN_FIELDS)
        rows.append(f"  {family} ({result.letters} lettres) précision {result.precision(LOAN_FIELDS):6.1%}  "
                    f"rappel {result.recall(LOAN_FIELDS):6.1%} (confiance haute "
                    f"{result.recall(LOAN_FIELDS, True):6.1%})  [{fields}]  fausses en confiance haute "
                    f"{len(result.confident_wrong)}  garants {result.guarantors_flagged}/{result.guarantors}  "
                    f"fausses alertes {len(result.false_alarms)}")
    return "\n".join(rows)


def blind_scores(variants: range, blind: dict[str, Any] | None = None) -> dict[str, Score]:
    makers = families_blind.BLIND if blind is None else blind
    return {family: score([make(number) for number in variants]) for family, make in makers.items()}


@pytest.fixture(scope="module")
def development() -> Score:
    return score(families.letters(families.DEVELOPMENT))


@pytest.fixture(scope="module")
def held_out() -> Score:
    return score(families.letters(families.HELD_OUT))


def test_development_families_meet_the_targets(development: Score) -> None:
    print("\n" + table("Familles de développement (A–E)", development))
    for line in development.wrong[:30]:
        print("   ", line)
    assert not development.confident_wrong, development.confident_wrong
    assert development.recall(LOAN_FIELDS) >= 0.95
    assert development.guarantors_flagged == development.guarantors and not development.false_alarms


def test_held_out_families_as_reported(held_out: Score) -> None:
    print("\n" + table("Familles tenues à l'écart (F–J)", held_out))
    for line in held_out.wrong[:40]:
        print("   ", line)
    assert not held_out.confident_wrong, held_out.confident_wrong
    assert held_out.recall(LOAN_FIELDS) >= 0.95
    assert held_out.guarantors_flagged == held_out.guarantors


def test_fresh_variants_of_the_held_out_families() -> None:
    fresh = score([make(number) for make in families.HELD_OUT.values() for number in range(6, 18)])
    print("\n" + table("Familles tenues à l'écart, variantes 6 à 17", fresh))
    assert not fresh.confident_wrong, fresh.confident_wrong
    assert fresh.recall(LOAN_FIELDS) >= 0.95
    assert fresh.guarantors_flagged == fresh.guarantors and not fresh.false_alarms


# ---------------------------------------------------------------- blind families (K–O)


def test_blind_families_render_their_ground_truth() -> None:
    """The generator itself, not the extractor: every loan's amount is in the letter's text, and the other
    guarantor's wording (or none) is where the truth says; a ground-truth error is not an extractor error."""
    for make in families_blind.BLIND.values():
        for number in (*families_blind.FIRST_VARIANTS, *families_blind.FRESH_VARIANTS):
            letter = make(number)
            text, digits, flat = _rendered(letter)
            for loan in letter.loans:
                said = f"{loan.montant:.2f}".replace(".", ",")
                assert said in digits or (said.endswith(",00") and said[:-3] in digits), (letter.name, said)
            named = [w for w in families_blind.GUARANTORS_BLIND
                     if (w.split("|")[1] if "|" in w else w[:40]) in flat]
            assert bool(named) == letter.autre_garant, (letter.name, named)
            headings = {"L": r"Ligne du Prêt n° \d", "M": r"PRÊT \d", "N": r"un prêt (?:PLI|PLS|PHB)"}
            if letter.family in headings:  # K and O: one column or row per loan, counted by the amounts above
                assert len(re.findall(headings[letter.family], text)) == letter.truth()["prets.nombre"], letter.name


def _rendered(letter: families.Letter) -> tuple[str, str, str]:
    """A generated letter's text as pypdfium2 reads it: as is, without spaces and dots (to find amounts), and
    with its whitespace runs made single spaces (to find wordings)."""
    import pypdfium2 as pdfium

    text = " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(letter.data))
    return text, re.sub(r"[\s\u00a0.]", "", text), re.sub(r"\s+", " ", text)


def _meets_the_targets(result: Score, letters: int, recall: float = 0.95) -> None:
    """The issue's targets on a blind measurement: every letter read, none wrong with high confidence, the loan
    fields' recall, every other guarantor flagged and no false alarm."""
    assert result.letters == letters
    assert not result.confident_wrong, result.confident_wrong
    assert result.recall(LOAN_FIELDS) >= recall
    assert result.guarantors_flagged == result.guarantors and not result.false_alarms


def _print_blind(title: str, scores: dict[str, Score]) -> Score:
    blind = merge(list(scores.values()))
    print("\n" + table(title, blind))
    print(by_family("  par famille :", scores))
    for line in blind.confident_wrong:
        print("    fausse en confiance haute :", line)
    for line in blind.wrong:
        print("   ", line)
    for line in blind.missed_guarantors:
        print("    autre garant non signalé :", line)
    for line in blind.false_alarms:
        print("    fausse alerte :", line)
    return blind


def test_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """K–O, variants 0–5: written without reading the extractor and measured once (precision 90.8 %,
    recall 51.7 %, 24 wrong values with high confidence, other guarantors 12/15 and 5 false alarms:
    docs/intake.md); the extractor was then fixed with what that run showed, so they are no longer unseen."""
    blind = _print_blind("Familles aveugles (K–O), variantes 0 à 5, après correction", blind_scores(
        families_blind.FIRST_VARIANTS))
    _meets_the_targets(blind, 30)


def test_fresh_variants_of_the_blind_families() -> None:
    """K–O, variants 6–17, generated after those fixes and measured once: precision 99.6 %, recall 99.4 %, none
    wrong with high confidence, other guarantors 30/30 and no false alarm (docs/intake.md). Four durations of
    one family were then wrong below high confidence (a list item read into the next one) and were fixed, so
    these variants are no longer unseen either."""
    fresh = _print_blind("Familles aveugles (K–O), variantes 6 à 17", blind_scores(families_blind.FRESH_VARIANTS))
    _meets_the_targets(fresh, 60)


# ---------------------------------------------------------------- second blind families (P–T)


def test_second_blind_families_render_their_ground_truth() -> None:
    """P–T's generator, not the extractor: every loan's amount is in the letter's text, the other guarantor's
    wording (or none) is where the truth says, and each letter shows as many BdT loans as the truth has (R's
    financing plan has other resources that are not loans of the Banque des Territoires)."""
    for make in families_blind2.BLIND2.values():
        for number in (*families_blind2.FIRST_VARIANTS, *families_blind2.FRESH_VARIANTS):
            letter = make(number)
            text, digits, flat = _rendered(letter)
            for loan in letter.loans:
                said = f"{loan.montant:.2f}".replace(".", ",")
                assert said in digits or (said.endswith(",00") and said[:-3] in digits), (letter.name, said)
            if letter.family == "S":
                flat = families_blind2.plain(flat)
            named = [key for _, key in families_blind2.GUARANTORS_BLIND2
                     if (families_blind2.plain(key) if letter.family == "S" else key) in flat]
            assert bool(named) == letter.autre_garant, (letter.name, named)
            headings = {"P": r"Caractéristiques de la Ligne du Prêt n° \d{7}", "Q": r"Ligne \d{7}",
                        "R": r"Prêt (?:PLI|PLS) (?:foncier|construction|bâti)", "S": r"PRET \d+/\d+ :",
                        "T": r"ANNEXE \d+ – TABLEAU D'AMORTISSEMENT"}
            found = re.findall(headings[letter.family], text)
            if letter.family == "Q":  # the two header rows are repeated when a table crosses a page
                found = list(dict.fromkeys(found))
            assert len(found) == letter.truth()["prets.nombre"], letter.name
            if letter.family == "R":
                assert "Prêt Action Logement" in text and "Subvention" in text, letter.name


def test_second_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """P–T, variants 0–5: written without reading the extractor, its vocabulary or how docs/intake.md says
    letters are read, and measured once (docs/intake.md): loan fields precision 93.4 %, recall 12.6 % (57 of
    453; 5.7 % with high confidence), P, R and T not read at all, one loan count wrong with high confidence,
    other guarantors 6/15 and 3 false alarms. The extractor was then fixed with what that run showed, so they
    are no longer unseen."""
    blind = _print_blind("Familles aveugles (P–T), variantes 0 à 5, après correction",
                         blind_scores(families_blind2.FIRST_VARIANTS, families_blind2.BLIND2))
    _meets_the_targets(blind, 30)


def test_fresh_variants_of_the_second_blind_families() -> None:
    """P–T, variants 6–17, generated after those fixes and measured once: precision 99.9 %, recall 99.8 % (78.9 %
    with high confidence), none wrong with high confidence, other guarantors 30/30 and no false alarm
    (docs/intake.md); below high confidence, a fixed-rate loan of P read as a Livret A one (0.8) and two
    margins of R not read. Those were then fixed (an article ends at the next loan's title; a space is
    narrower than 0.8 of the words' height), so these variants are no longer unseen either."""
    fresh = _print_blind("Familles aveugles (P–T), variantes 6 à 17",
                         blind_scores(families_blind2.FRESH_VARIANTS, families_blind2.BLIND2))
    _meets_the_targets(fresh, 60)


# ---------------------------------------------------------------- third blind families (U–Y)


def test_third_blind_families_render_their_ground_truth() -> None:
    """U–Y's generator, not the extractor: every loan's amount is in the letter's text (in k€ where Y says so),
    every Livret A margin in one of the ways the families write it, the other guarantor's wording (or none)
    where the truth says, and each letter shows as many loans as the truth has."""
    for make in families_blind3.BLIND3.values():
        for number in (*families_blind3.FIRST_VARIANTS, *families_blind3.FRESH_VARIANTS):
            letter = make(number)
            text, digits, flat = _rendered(letter)
            for loan in letter.loans:
                said = f"{loan.montant:.2f}".replace(".", ",")
                kilo = f"{loan.montant / 1000:.0f}k€"
                assert said in digits or (said.endswith(",00") and said[:-3] in digits) or kilo in digits, (
                    letter.name, said)
                if loan.index == "livret_a":
                    size = abs(loan.marge)
                    forms = (f"{size:.2f}".replace(".", ","), format(size.normalize(), "f").replace(".", ",")
                             + " point", f"{int(size * 100)} bp")
                    assert any(form in flat for form in forms), (letter.name, forms)
            named = [key for _, key in families_blind3.GUARANTORS_BLIND3 if key in flat]
            assert bool(named) == letter.autre_garant, (letter.name, named)
            headings = {"U": r"Prêt n° \d – ", "V": r"\n5\d{6} PL[IS] ", "W": r"\n\d+\.1 Montant",
                        "X": r"- un\s+prêt\s+pl[is]\s", "Y": r"un\s+prêt\s+PL[IS]\s"}
            found = re.findall(headings[letter.family], text)
            assert len(found) == letter.truth()["prets.nombre"], (letter.name, found)


def test_third_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """U–Y, variants 0–5: written without reading the extractor, its vocabulary or how docs/intake.md says
    letters are read, and measured once (commit a3483ea asserted that run as it was; docs/intake.md): loan
    fields precision 100 % (192 values given, none wrong), recall 37.5 % (192 of 512; 174 with high
    confidence), W and X not read at all, no préfinancement read in any family, other guarantors 15/15 and 4
    false alarms (« La commune de … ayant refusé d'accorder sa garantie »). The extractor was then fixed with
    what that run showed, so they are no longer unseen."""
    scores = blind_scores(families_blind3.FIRST_VARIANTS, families_blind3.BLIND3)
    blind = _print_blind("Familles aveugles (U–Y), variantes 0 à 5, après correction", scores)
    _meets_the_targets(blind, 30, RECALL_U_Y)
    assert blind.guarantors == 15


def test_fresh_variants_of_the_third_blind_families() -> None:
    """U–Y, variants 6–17, generated after those fixes and measured once (docs/intake.md): precision 100 %,
    recall 98.7 % (37.7 % with high confidence), none wrong with high confidence, other guarantors 30/30, no
    false alarm; the only misses were 14 préfinancements of Y that the letter does not say (none): a loan listed
    beside others that say theirs now has none, inferred (0.75), and these variants are no longer unseen."""
    fresh = _print_blind("Familles aveugles (U–Y), variantes 6 à 17",
                         blind_scores(families_blind3.FRESH_VARIANTS, families_blind3.BLIND3))
    _meets_the_targets(fresh, 60, RECALL_U_Y)
    assert fresh.guarantors == 30


# ---------------------------------------------------------------- fourth blind families (Z1–Z5)


def test_fourth_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """Z1–Z5, variants 0–5: written without reading the extractor, and measured once after the last reader (by
    regions) was added (docs/intake.md): loan fields precision 84.6 %, recall 46.3 % (26.3 % without the reader
    by regions), 14 wrong with high confidence (11 amounts of Z2 cut after their first group of digits), other
    guarantors 3/15 and 9 false alarms. The extractor was then fixed with what that run showed (a table set
    sideways, merged cells, a double-entry table, periods given by dates, the index's own rate beside the margin,
    five wordings of another guarantee and four of none), so they are no longer unseen."""
    scores = blind_scores(families_blind4.FIRST_VARIANTS, families_blind4.BLIND4)
    blind = _print_blind("Familles aveugles (Z1–Z5), variantes 0 à 5, après correction", scores)
    _meets_the_targets(blind, 30, 1.0)
    assert blind.guarantors == 15


def test_variants_of_the_fourth_blind_families_generated_after_the_fixes() -> None:
    """Z1–Z5, variants 18–41, generated after those fixes (variants 6–17 had been measured in the first run).
    Measured once, 18–29 gave recall 97.6 % and 19 wrong values with high confidence, all in one Z2 letter
    whose one missed loan (« 90 180 » aligned right, ending where « Total (€) » starts) shifted the others; once
    that was fixed, 30–41, measured once: precision and recall 100 %, none wrong, 30/30, no false alarm. (Three
    margins and a product of 18–29, wrapped beside a product's total, were then read too.)"""
    fresh = _print_blind("Familles aveugles (Z1–Z5), variantes 18 à 41",
                         blind_scores(families_blind4.AFTER_FIXES, families_blind4.BLIND4))
    _meets_the_targets(fresh, 120)
    assert fresh.guarantors == 60


# ---------------------------------------------------------------- fifth blind families (Z6–Z10)


def test_fifth_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """Z6–Z10, variants 0–5: written without reading the extractor, each after a public document, and measured
    once after the guards by the letter's own total and count were added (docs/intake.md): loan fields precision
    85.3 %, recall 46.2 % (29.5 % without the reader by regions), 9 wrong with high confidence (33 without the
    guards), other guarantors 12/15 and 6 false alarms. The extractor was then fixed with what that run showed
    (phase columns, one small table per Ligne under its title, headers wrapped centred, parts under a product's
    global amount, several pairs on a line, a margin in a rate's sentence, more wordings of a guarantee and of
    none), so they are no longer unseen."""
    scores = blind_scores(families_blind5.FIRST_VARIANTS, families_blind5.BLIND5)
    blind = _print_blind("Familles aveugles (Z6–Z10), variantes 0 à 5, après correction", scores)
    _meets_the_targets(blind, 30, 1.0)
    assert blind.guarantors == 15


def test_later_variants_of_the_fifth_blind_families() -> None:
    """Z6–Z10, variants 6–41: 6–17 were measured in the first run (51.5 %); 18–29, never measured nor looked at
    before the fixes, measured once after them: precision and recall 100 %, none wrong, 30/30 and one false
    alarm (« … n'est pas garante du Prêt » just after a guarantee table), then fixed; 30–41, measured once after
    that: 100 % / 100 %, none wrong, 30/30, no false alarm."""
    later = _print_blind("Familles aveugles (Z6–Z10), variantes 6 à 41",
                         blind_scores((*families_blind5.FRESH_VARIANTS, *families_blind5.AFTER_FIXES),
                                      families_blind5.BLIND5))
    _meets_the_targets(later, 180, 1.0)
    assert later.guarantors == 90


# ---------------------------------------------------------------- sixth blind families (Z11–Z15)


def test_sixth_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """Z11–Z15, variants 0–5: written without reading the extractor and measured once (docs/intake.md): loan fields
    precision 73.3 %, recall 54.6 %, 47 wrong with high confidence (all in Z14, two loans' boxes side by side),
    other guarantors 15/15 and 3 false alarms. The extractor was then fixed with what that run showed (boxes side by
    side, values aligned right, a two-level header, a fee's value, a product wrapped around its row, pdfium's
    hyphenation mark, « n'intervient pas »), so they are no longer unseen."""
    scores = blind_scores(families_blind6.FIRST_VARIANTS, families_blind6.BLIND6)
    blind = _print_blind("Familles aveugles (Z11–Z15), variantes 0 à 5, après correction", scores)
    _meets_the_targets(blind, 30, 1.0)
    assert blind.guarantors == 15


def test_later_variants_of_the_sixth_blind_families() -> None:
    """Z11–Z15, variants 6–41: 6–17 were measured in the first run (58.3 %); 18–29, measured once after the fixes:
    precision and recall 100 %, none wrong, 30/30, no false alarm; 30–41, measured once after that: recall 99.2 %,
    none wrong with high confidence, 30/30, no false alarm, the misses all in one Z13 letter whose annex columns
    had been misplaced by a stray start (fixed since)."""
    later = _print_blind("Familles aveugles (Z11–Z15), variantes 6 à 41",
                         blind_scores((*families_blind6.FRESH_VARIANTS, *families_blind6.AFTER_FIXES),
                                      families_blind6.BLIND6))
    _meets_the_targets(later, 180, 1.0)
    assert later.guarantors == 90


# ---------------------------------------------------------------- seventh blind families (Z16–Z20)


def test_seventh_blind_families_after_the_fixes_their_first_run_showed() -> None:
    """Z16–Z20, variants 0–5: written without reading the extractor and measured once (docs/intake.md): loan fields
    precision 90.8 %, recall 58.4 %, 34 wrong with high confidence (all in Z19, a form's unticked options), other
    guarantors 15/15 and 4 false alarms. The extractor was then fixed with what that run showed (tick boxes, units
    in labels, a whole duration and its préfinancement, a table of conditions apart from the amounts, boxes side by
    side in a tableau d'amortissement's header), so they are no longer unseen."""
    scores = blind_scores(families_blind7.FIRST_VARIANTS, families_blind7.BLIND7)
    blind = _print_blind("Familles aveugles (Z16–Z20), variantes 0 à 5, après correction", scores)
    _meets_the_targets(blind, 30, 1.0)
    assert blind.guarantors == 15


def test_later_variants_of_the_seventh_blind_families() -> None:
    """Z16–Z20, variants 6–41: 6–17 were measured in the first run (56.8 %); 18–29 and 30–41, never measured nor
    looked at before the fixes, each measured once after them: precision and recall 100 %, none wrong, 30/30, no
    false alarm."""
    later = _print_blind("Familles aveugles (Z16–Z20), variantes 6 à 41",
                         blind_scores((*families_blind7.FRESH_VARIANTS, *families_blind7.AFTER_FIXES),
                                      families_blind7.BLIND7))
    _meets_the_targets(later, 180, 1.0)
    assert later.guarantors == 90
