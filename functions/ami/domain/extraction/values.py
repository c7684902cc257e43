"""A characteristic's value as a letter writes it, read for the field its label announced.

`read_value(kind, text)` gives the (field, value) pairs a cell says: an amount cell gives `montant_eur`,
a rate cell ("Livret A + 0,60 %") gives `index` and `marge_pct`, a total duration gives both durations.
A cell that does not say the thing plainly gives nothing: unknown stays unknown.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ami.domain.extraction.french import (
    DATE_RE,
    DURATION_RE,
    FIGURES,
    date_from_match,
    duration_months,
    euros_str,
    parse_figures,
)
from ami.domain.extraction.vocabulary import Vocabulary, vocabulary

_AMOUNT_CELL_RE = re.compile(r"^\s*(?:€|EUR\b)?\s*" + FIGURES + r"\s*(?:€|euros?|EUR)?\s*$", re.IGNORECASE)
_AMOUNT_IN_RE = re.compile(FIGURES + r"\s*(?:€|euros?\b|EUR\b)", re.IGNORECASE)
_PERIODICITY_RE = re.compile(r"\b(annuel|semestriel|trimestriel|mensuel)(?:le)?s?\b", re.IGNORECASE)
# « + 0,60 % », « 0,60 point », « majorée de 0,6 % », and in basis points « + 60 pb », « 60 points de base ».
MARGIN_RE = re.compile(
    r"([+\-−]|plus|moins|major[ée]e?\s+de|minor[ée]e?\s+de)?\s*(?:(\d{1,2}(?:[,.]\d{1,4})?)\s*"
    r"(?:%|points?\b(?!\s+de\s+base))|(\d{1,3})\s*(?:pb|pdb|bp|points?\s+de\s+base)\b)",
    re.IGNORECASE,
)
_LIVRET_RE = re.compile(r"\blivret\s*a\b|\bLA\b", re.IGNORECASE)
_FIXED_RE = re.compile(r"\btaux\s+fixe\b|^\s*fixe\b|\bTF\b|%\s*fixe\b", re.IGNORECASE)  # « 3,10 % fixe »
_EURIBOR_RE = re.compile(r"\beuribor\b", re.IGNORECASE)
_PREFI_IN_RE = re.compile(r"préfinancement\s*(?:de\s*)?(?::\s*)?" + DURATION_RE.pattern, re.IGNORECASE)
_AMORT_IN_RE = re.compile(r"(?<!différé\s)(?<!différé\sd')amortissement\s*(?:de\s*)?(?::\s*)?" + DURATION_RE.pattern,
                          re.IGNORECASE)
# « 40 ans + 18 mois de préfinancement » in a duration cell: the amortisation and the préfinancement.
_PREFI_AFTER_RE = re.compile(DURATION_RE.pattern + r"\s+(?:de\s+)?préfinancement", re.IGNORECASE)
_NO_PREFI_RE = re.compile(r"sans\s+(?:période\s+de\s+)?préfinancement", re.IGNORECASE)

# « sur 63 ans dont 3 ans de préfinancement », « Durée : 62 ans dont 2 ans de préfi. »: the total duration, of
# which the préfinancement.
_TOTAL_WITH_PREFI_RE = re.compile(
    r"(?:\bsur\s+)?" + DURATION_RE.pattern + r"\s*,?\s*dont\s+" + DURATION_RE.pattern.replace(r"(?<![\d,])", "")
    + r"\s+(?:de\s+|d'une\s+période\s+de\s+|de\s+période\s+de\s+)?préfi(?:nancement\b|\.|\b)",
    re.IGNORECASE,
)

# The index's own rate beside it, « Livret A (2,40 %) + 0,60 % », and the rate that results, « … soit 3,00 % »: no
# margin.
_INDEX_ASIDE_RE = re.compile(
    r"(?:(?<=livret a)|(?<=\bLA))\s*\([^()]*%[^()]*\)|\bsoit\s+(?:un\s+taux\s+de\s+)?\d{1,2}(?:[,.]\d{1,4})?\s*%",
    re.IGNORECASE,
)


def without_asides(text: str) -> str:
    """`text` with the index's own rate and the resulting rate blanked (offsets kept), so that only the margin is
    a percentage after the index."""
    if "(" not in text and "soit" not in text.lower():
        return text  # (most cells: nothing to blank)
    return _INDEX_ASIDE_RE.sub(lambda match: " " * len(match.group(0)), text)


# What comes before an amount that is no loan's: a fee, a resource of the financing plan; or a total, of loans
# in the plural (« un prêt PLI d'un montant total de … » is the loan's).
_NOT_A_LOAN_RE = re.compile(r"(?:commission|frais|coût|prix|subvention|fonds\s+propres)[^\n€]{0,40}$", re.IGNORECASE)
# « - Commission d'instruction : 0,06 % (6 points de base) du montant de la Ligne du Prêt soit 3 051 € »: the value
# of a label that names a fee is no loan's amount, however far the amount is from the label.
_FEE_VALUE_RE = re.compile(r"(?:commission|frais|indemnit)[^:\n€]{0,60}:[^:\n€]{0,120}$", re.IGNORECASE)
_TOTAL_RE = re.compile(r"\btota(?:l|le|ux)\b[^\n€]{0,40}$", re.IGNORECASE)
_PLURAL_RE = re.compile(r"\b(?:prêts|financements|lignes)\b", re.IGNORECASE)

Values = list[tuple[str, str | int, float]]  # (field, value, confidence)
TOTAL_DURATION = "duree_totale_mois"  # a loan's whole duration, préfinancement included: read, never given


def total_with_prefinancing(text: str, start: int = 0, end: int | None = None) -> tuple[int, int, int, int] | None:
    """(amortisation months, préfinancement months, start, end) of « sur 63 ans dont 3 ans de
    préfinancement »: the total includes the préfinancement, as « Durée totale : … dont … » does."""
    end = len(text) if end is None else end
    if all(text.find(word, start, end) < 0 for word in ("dont", "DONT", "Dont")):
        return None  # (the regular expression tries every figure)
    match = _TOTAL_WITH_PREFI_RE.search(text, start, end)
    if not match:
        return None
    total = _months(match.group(1), match.group(2), match.group(3))
    prefi = _months(match.group(4), match.group(5), match.group(6))
    return (total - prefi, prefi, match.start(), match.end()) if 0 < prefi < total else None


_PERIOD_RE = re.compile(r"\b(?:du|de)\s+(.{6,24}?)\s+(?:au|à|jusqu'au)\s+(.{6,24}?)(?=\s*(?:[,;)(]|$))", re.IGNORECASE)


def period_months(text: str) -> int | None:
    """The whole months of a period given by its dates, « du 01/09/2028 au 01/09/2068 » (480); None when the text
    gives no such period or its days differ (not a whole number of months)."""
    period = _PERIOD_RE.search(text)
    if period is None:
        return None
    start, end = (DATE_RE.fullmatch(part.strip()) for part in period.groups())
    first, last = (date_from_match(start) if start else None), (date_from_match(end) if end else None)
    if first is None or last is None or first.day != last.day or last <= first:
        return None
    return (last.year - first.year) * 12 + last.month - first.month


def no_loan_amount(before: str) -> bool:
    """Whether the text just before an amount says it is a fee or a total rather than a loan's amount."""
    near = before[-60:]
    return bool(_NOT_A_LOAN_RE.search(near) or (_TOTAL_RE.search(near) and _PLURAL_RE.search(before[-120:]))
                or _FEE_VALUE_RE.search(before[-200:]))


def _months(number: str, unit: str, extra: str | None) -> int:
    months = int(number) if unit.lower() == "mois" else int(number) * 12
    return months + (int(extra) if extra and unit.lower() != "mois" else 0)


def is_amount(text: str) -> bool:
    """Whether `text` is only an amount in figures (« 886 097,20 », « 1 250 000 € »)."""
    return _AMOUNT_CELL_RE.match(text) is not None


def amount_cell(text: str) -> Decimal | None:
    """A cell that is only an amount (with or without its unit)."""
    match = _AMOUNT_CELL_RE.match(text)
    if not match:
        match = _AMOUNT_IN_RE.search(text)
    return parse_figures(match.group(1), match.group(2)) if match else None


# « LA+0.45 », « Livret A + 0,60 »: a signed bare number right after the index is its margin.
_BARE_MARGIN_RE = re.compile(
    r"(?:\blivret\s*a|\bLA)\s*([+\-−])\s*(\d{1,2}[,.]\d{1,4})(?![\d,.]|\s*(?:%|ans?\b|mois\b))", re.IGNORECASE
)


def margin(text: str) -> Decimal | None:
    text = without_asides(text)
    match = MARGIN_RE.search(text) or _BARE_MARGIN_RE.search(text)
    return margin_of(match) if match else None


def margin_of(match: re.Match[str]) -> Decimal:
    """The margin in percent a match of MARGIN_RE (or _BARE_MARGIN_RE) says (basis points divided by a hundred)."""
    if match.re is _BARE_MARGIN_RE:
        said = Decimal(match.group(2).replace(",", "."))
        return -said.quantize(Decimal("0.01")) if match.group(1) in "-−" else said.quantize(Decimal("0.01"))
    said = Decimal(match.group(2).replace(",", ".")) if match.group(2) else Decimal(match.group(3)) / 100
    value = said.quantize(Decimal("0.01"))
    sign = (match.group(1) or "").lower()
    return -value if sign in ("-", "−", "moins") or sign.startswith("minor") else value


def percent_str(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def index_of(text: str) -> str | None:
    if _FIXED_RE.search(text):
        return "taux_fixe"
    if _LIVRET_RE.search(text):
        return "livret_a"
    if _EURIBOR_RE.search(text):
        return "euribor"
    return None


def read_value(kind: str, text: str, confidence: float, vocab: Vocabulary | None = None) -> Values:
    """What `text` says for a field of this kind (see `valeur` in vocabulaire.toml)."""
    vocab = vocab or vocabulary()
    text = text.strip()
    if not text:
        return []
    empty = vocab.is_empty(text)
    if kind == "produit":
        out: Values = []
        if code := vocab.product(text):
            out.append(("produit", code, confidence))
        if nature := vocab.nature(text):
            out.append(("nature", nature, confidence))
        return out
    if kind == "nature":
        nature = vocab.nature(text)
        return [("nature", nature, confidence)] if nature else []
    if kind == "montant":
        value = amount_cell(text)
        return [("montant_eur", euros_str(value), confidence)] if value is not None else []
    if kind in ("duree", "duree_ou_neant"):
        if empty:
            return [("", 0, confidence)] if kind == "duree_ou_neant" else []
        if kind == "duree" and (prefi := _PREFI_AFTER_RE.search(text)):
            rest = text[: prefi.start()] + " " * (prefi.end() - prefi.start()) + text[prefi.end() :]
            amort = DURATION_RE.search(rest)
            if amort is not None:
                return [("", duration_months(amort), confidence),
                        ("duree_prefinancement_mois", duration_months(prefi), confidence)]
        match = DURATION_RE.search(text)
        if match is None and (months := period_months(text)) is not None:
            return [("", months, confidence)]  # « du 01/09/2028 au 01/09/2068 »
        return [("", duration_months(match), confidence)] if match else []
    if kind == "pourcentage":
        value = None if empty else margin(text)
        return [("marge_pct", percent_str(value), confidence)] if value is not None else []
    if kind == "index":
        index = index_of(text)
        return [("index", index, confidence)] if index else []
    if kind == "taux":
        index = index_of(text)
        if index is None:
            return []
        out = [("index", index, confidence)]
        if index == "livret_a" and (value := margin(text)) is not None:
            out.append(("marge_pct", percent_str(value), confidence))
        return out
    if kind == "periodicite":
        match = _PERIODICITY_RE.search(text)
        return [("periodicite", match.group(1).lower() + "le", confidence)] if match else []
    if kind == "duree_totale":
        return _total_duration(text, confidence)
    if kind == "durees_prefi_amort":
        return _both_durations(text, confidence, vocab)
    return []


def _both_durations(text: str, confidence: float, vocab: Vocabulary) -> Values:
    """« 18 mois / 40 ans » under « Durées (préfi. / amort.) »; « – / 40 ans »: no préfinancement."""
    prefinancing, slash, amortisation = text.partition("/")
    amort = DURATION_RE.search(amortisation) if slash else None
    if amort is None:
        return []
    prefi = DURATION_RE.search(prefinancing)
    out: Values = [("duree_amortissement_mois", duration_months(amort), confidence)]
    if prefi is not None:
        out.append(("duree_prefinancement_mois", duration_months(prefi), confidence))
    elif vocab.is_empty(prefinancing.strip()) or prefinancing.strip() in ("-", "–", "—"):
        out.append(("duree_prefinancement_mois", 0, confidence))
    return out


def _total_duration(text: str, confidence: float) -> Values:
    """'624 mois dont préfinancement 24 mois et amortissement 50 ans': the parts agree with the total
    (two cues); '50 ans, sans préfinancement' says both."""
    total = DURATION_RE.search(text)
    prefi = _PREFI_IN_RE.search(text)
    amort = _AMORT_IN_RE.search(text)
    if total is None:
        return []
    months = duration_months(total)
    if prefi and amort:
        p, a = duration_months(prefi), duration_months(amort)  # their groups are DURATION_RE's
        agree = p + a == months
        sure = confidence if agree else min(confidence, 0.8)
        return [("duree_prefinancement_mois", p, sure), ("duree_amortissement_mois", a, sure)]
    if prefi and 0 < (p := duration_months(prefi)) < months and prefi.start() > total.end():
        # « 53 ans, dont phase de préfinancement : 36 mois »: the amortisation is the rest, read from two figures
        return [("duree_prefinancement_mois", p, confidence), ("duree_amortissement_mois", months - p,
                                                                min(confidence, 0.85))]
    if _NO_PREFI_RE.search(text) and total.start() < 3:
        return [("duree_prefinancement_mois", 0, confidence), ("duree_amortissement_mois", months, confidence)]
    if total.start() < 3 and not prefi and not amort:
        # the total alone: the amortisation once the préfinancement is known (`lettre_offre.rest_of_total`)
        return [(TOTAL_DURATION, months, confidence)]
    return []
