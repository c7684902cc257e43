"""The last reader, for a layout no other reader knows: what every letter keeps whatever its layout is.

A loan is introduced by its product code (« PLS », « prêt pli ») or by its Ligne du Prêt, and an amount in
euros follows before the next loan is introduced: the text from one introduction to the next is the loan's
region. In it, the amount is the one labelled « montant » (else the first one that is no fee nor total), and
the characteristics are read by the words that name them (a duration belongs to the nearest characteristic
named before it). One cue, and a weaker one than a sentence's: every value stays at REGION_CONFIDENCE.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from decimal import Decimal

from ami.domain.extraction import prose
from ami.domain.extraction.document import Document
from ami.domain.extraction.french import AMOUNT_RE, AMOUNT_UNIT_FIRST_RE, euros_str, parse_figures
from ami.domain.extraction.loan_line import LoanLine
from ami.domain.extraction.values import index_of, margin, no_loan_amount, percent_str, without_asides
from ami.domain.extraction.vocabulary import vocabulary

REGION_CONFIDENCE = 0.7
_CODES = "PLI|PLS|PLUS|PLAI|PHB|PAM|PSLA|CPLS|PHARE|PEB"
# The code in capitals, or in lower case after « prêt » (« un prêt pli »), or a Ligne du Prêt, or « Prêt n° 2 ».
_INTRODUCTION = re.compile(
    rf"\b(?:{_CODES})\b|(?i:\bpr[êe]ts?\s+(?:de\s+type\s+)?(?:pli|pls|plai|phb|psla)\b"
    r"|\bligne\s+(?:du\s+)?pr[êe]t\b|\bpr[êe]t\s+n°\s*\d|\bligne\s+(?:n°\s*)?\d{1,2}\b)"
)
_CODE = re.compile(rf"\b({_CODES})\b|(?i:\bpr[êe]ts?\s+(?:de\s+type\s+)?(pli|pls|plai|phb|psla)\b)")
_KILO = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f.]\d{3})*)\s*k€")
_AMOUNT_LABEL = re.compile(r"montant[^\n\d€]{0,60}$", re.IGNORECASE)
_MINIMUM_LOAN = Decimal(1000)
_RATE = re.compile(r"(?i:livret\s*a\b|\bmarge\b)|\bLA\b")  # « LA + 0,60 » in capitals only: « la » is an article
LINE_NUMBER = re.compile(r"ligne\s+(?:n°\s*)?\d", re.IGNORECASE)
INFERRED = 0.6  # a value the region does not say, deduced from the region before
_SIGNED = re.compile(r"\s*(?:[+\-−]|plus\b|moins\b|major|minor)", re.IGNORECASE)


Labelled = Callable[[Document, LoanLine, int, int], None]  # « Label : value » lines of a span, into a loan


def loans(doc: Document, labelled: Labelled) -> list[LoanLine]:
    """The loans of the letter, region by region; the regions without an amount belong to the one before.
    `labelled` reads the region's « Label : value » lines."""
    text = doc.flowing
    found: list[LoanLine] = []
    product: tuple[str, int, int] | None = None  # the last product said, for the Lignes after it that say none
    amounts = _amounts(text)  # (each judged with what comes before it, even before its region's start)
    for start, end in _regions(text, amounts):
        region = text[start:end]
        amount = _amount(text, start, end, amounts)
        if amount is None:
            continue
        at, until, value = amount
        loan = LoanLine(anchor=start)
        said = LoanLine(anchor=start)
        labelled(doc, said, start, end)
        for name, (read, low, high, _) in said.values.items():
            loan.put(name, read, low, high, REGION_CONFIDENCE)
        loan.put("montant_eur", euros_str(value), start + at, start + until, REGION_CONFIDENCE)
        if code := _CODE.match(region) or _CODE.search(region):  # the code that introduces the region first
            product = ((code.group(1) or code.group(2)).upper(), start + code.start(), start + code.end())
            loan.put("produit", product[0], product[1], product[2], REGION_CONFIDENCE)
        elif product is not None and LINE_NUMBER.match(region):
            # « Ligne 2 » after « PLI Ligne 1 »: the Lignes under a product are its own (inferred)
            loan.put("produit", product[0], product[1], product[2], INFERRED)
        if nature := vocabulary().nature(region):
            loan.put("nature", nature, start, end, REGION_CONFIDENCE)
        characteristics(region, start, loan)
        found.append(loan)
    return _without_totals(found)


def characteristics(region: str, offset: int, loan: LoanLine, confidence: float = REGION_CONFIDENCE) -> None:
    """Durations, index, margin and periodicity said in `region`, at `offset` in the text, that `loan` does
    not have yet, at `confidence`."""
    flat = without_asides(prose.figures_for_words(prose.in_figures(region)).replace("\n", " "))
    said = LoanLine(anchor=loan.anchor)
    prose.characteristics(flat, offset, said)
    rate = _RATE.search(flat)
    # after the index, a signed margin only (« Livret A de 2,40 % » is the index's own rate); after « marge », any
    signed = rate is not None and (rate.group(0).lower() == "marge" or _SIGNED.match(flat, rate.end()) is not None)
    if rate and signed and not said.has("marge_pct") and (
            rated := margin(flat[rate.start() : rate.end() + 40])) is not None:
        said.put("marge_pct", percent_str(rated), offset + rate.start(), offset + rate.end() + 40, 1)
        if rate.group(0).lower() != "marge":
            said.put("index", "livret_a", offset + rate.start(), offset + rate.end(), 1)
    if not said.has("index") and (index := index_of(flat)) is not None:
        said.put("index", index, offset, offset + len(flat), 1)  # « taux fixe », « marge : 60 pdb sur Livret A »
    for name, (value, start, end, _) in said.values.items():
        loan.put(name, value, start, end, confidence)


def _regions(text: str, found: list[tuple[int, int, Decimal]]) -> list[tuple[int, int]]:
    """(start, end) of each loan's region: a new region starts at an introduction once the current one has
    an amount (`found`, the amounts of the whole text: a letter naming a product a thousand times and no
    amount stays linear)."""
    amounts = [start for start, _, _ in found]
    regions: list[tuple[int, int]] = []
    current: int | None = None
    for introduction in _INTRODUCTION.finditer(text):
        start = introduction.start()
        if current is None:
            current = start
        elif (after := bisect.bisect_left(amounts, current)) < len(amounts) and amounts[after] < start:
            regions.append((current, start))
            current = start
    if current is not None:
        regions.append((current, len(text)))
    return regions


def _amounts(text: str) -> list[tuple[int, int, Decimal]]:
    """(start, end, value) of every amount of `text` that can be a loan's (no fee, no total of several loans,
    at least _MINIMUM_LOAN), in order, the unit before or after the figures; « 6 175 k€ » is thousands of euros."""
    found = []
    for match in [*AMOUNT_RE.finditer(text), *AMOUNT_UNIT_FIRST_RE.finditer(text), *_KILO.finditer(text)]:
        kilo = match.re is _KILO
        value = parse_figures(match.group(1).replace(".", " ") if kilo else match.group(1),
                              None if kilo else match.group(2))
        if value is None:
            continue
        value = value * 1000 if kilo else value
        if value >= _MINIMUM_LOAN and not no_loan_amount(text[max(0, match.start() - 120) : match.start()]):
            found.append((match.start(), match.end(), value))
    return sorted(found)


def _amount(text: str, region_start: int, region_end: int,
            amounts: list[tuple[int, int, Decimal]]) -> tuple[int, int, Decimal] | None:
    """The loan's amount in its region (offsets from the region's start): the one labelled « montant », else the
    first that is no fee nor total."""
    low = bisect.bisect_left(amounts, (region_start, -1, Decimal(0)))
    candidates = [(not _AMOUNT_LABEL.search(text, max(region_start, start - 60), start), start, end, value)
                  for start, end, value in amounts[low:] if end <= region_end]
    if not candidates:
        return None
    _, start, end, value = min(candidates)
    return start - region_start, end - region_start, value


def _without_totals(found: list[LoanLine]) -> list[LoanLine]:
    """A region whose amount is the sum of the others' is the letter's total, not a loan."""
    amounts = [loan.amount() or Decimal(0) for loan in found]
    total = sum(amounts, Decimal(0))
    return [loan for loan, amount in zip(found, amounts, strict=True)
            if len(found) < 3 or amount != total - amount]
