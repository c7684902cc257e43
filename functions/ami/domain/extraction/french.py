"""French numbers as letters print them: amounts (in figures and in words), durations, rates, dates.

Every parser returns `None` when the text does not say the thing unambiguously: unknown stays unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

# Every space a word processor puts inside a number: normal, no-break, narrow no-break, thin, figure.
SPACES = " \u00a0\u202f\u2009\u2007\u2008\u200a"
_SPACE_CLASS = "[ \u00a0\u202f\u2009\u2007\u2008\u200a]"
_REPLACEMENTS = (
    *((space, " ") for space in SPACES[1:]), ("\u2019", "'"), ("\u2010", "-"), ("\u2011", "-"), ("\r\n", "\n"),
    ("\r", "\n"), ("\u00ad", ""),  # a soft hyphen is no character of the word it splits
)

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_MONTH_ALIASES = {m: i + 1 for i, m in enumerate(MONTHS)} | {"fevrier": 2, "aout": 8, "decembre": 12}
MONTH_RE = "(?:" + "|".join(sorted(_MONTH_ALIASES, key=len, reverse=True)) + ")"


def normalise(text: str) -> str:
    """One kind of space and apostrophe, \\n line ends: what the regular expressions expect."""
    # str.replace per character is an order of magnitude faster than str.translate on long texts.
    for char, replacement in _REPLACEMENTS:
        if char in text:
            text = text.replace(char, replacement)
    return text


# ---------------------------------------------------------------- amounts in figures

# 1 234 567,89 / 1.234.567,89 / 1234567,89 / 1 234 567 — the decimal separator is the comma.
FIGURES = (
    rf"(?<![\d.,])(\d{{1,3}}(?:(?:{_SPACE_CLASS}|\.)\d{{3}})+|\d+)(?:,(\d{{1,2}}))?(?![\d]|,\d|\.\d{{3}})"
)
AMOUNT_RE = re.compile(FIGURES + rf"{_SPACE_CLASS}*(?:€|euros?\b|EUR\b)", re.IGNORECASE)
# « € 1 234 567,89 », « EUR 1.234.567,89 »: the unit before the figures (same groups as AMOUNT_RE).
AMOUNT_UNIT_FIRST_RE = re.compile(rf"(?:€|EUR\b){_SPACE_CLASS}*" + FIGURES, re.IGNORECASE)


def parse_figures(integer: str, cents: str | None) -> Decimal | None:
    """The two groups of FIGURES as a Decimal; mixed separators ("1 234.567") are not a number."""
    separators = {ch for ch in integer if not ch.isdigit()}
    if len(separators) > 1:
        return None
    digits = "".join(ch for ch in integer if ch.isdigit())
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    if cents:
        value += Decimal(cents.ljust(2, "0")) / 100
    return value.quantize(Decimal("0.01"))


def parse_amount(text: str) -> Decimal | None:
    """The first amount in euros written in figures in `text`."""
    match = AMOUNT_RE.search(text)
    return parse_figures(match.group(1), match.group(2)) if match else None


# ---------------------------------------------------------------- numbers in words

_UNITS = {
    "zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60,
}  # fmt: skip
_SCALES = {"mille": 1000, "mil": 1000, "million": 10**6, "millions": 10**6, "milliard": 10**9, "milliards": 10**9}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) | {"cent", "cents", "et"}
_WORD_SPLIT = re.compile(r"[\s\-]+")


def words_to_int(words: str) -> int | None:
    """'un million deux cent trente-quatre mille cinq cent soixante-sept' -> 1234567; None if not a number."""
    tokens = [t for t in _WORD_SPLIT.split(words.lower().strip()) if t]
    if not tokens or all(t == "et" for t in tokens):
        return None
    total, current, last_scale = 0, 0, 10**12
    previous = ""
    for token in tokens:
        if token == "et":
            previous = token
            continue
        if token in ("vingt", "vingts") and previous == "quatre":
            current += 80 - 4  # quatre-vingt(s)
        elif token in _UNITS:
            value = _UNITS[token]
            if value >= 20 and current % 100 >= 20 and previous not in ("cent", "cents"):
                return None  # "trente quarante" is not a number
            current += value
        elif token in ("cent", "cents"):
            if current % 100 >= 100 or current >= 100:
                return None
            current = (current or 1) * 100
        elif token in _SCALES:
            scale = _SCALES[token]
            if scale >= last_scale:
                return None
            total += (current or 1) * scale
            current, last_scale = 0, scale
        else:
            return None
        previous = token
    return total + current


_WORDS_AMOUNT_RE = re.compile(
    r"((?:(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")[\s\-]+)+)"
    r"euros?(?:[\s,]+(?:et[\s]+)?((?:(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")[\s\-]+)+)(?:centimes?|cts?)\b)?",
    re.IGNORECASE,
)


def parse_amount_words(text: str) -> Decimal | None:
    """'deux cent mille euros et cinquante centimes' -> 200000.50; the first such amount in `text`."""
    match = _WORDS_AMOUNT_RE.search(text)
    if not match:
        return None
    euros = words_to_int(match.group(1))
    if euros is None:
        return None
    cents = words_to_int(match.group(2)) if match.group(2) else 0
    if cents is None or cents > 99:
        return None
    return (Decimal(euros) + Decimal(cents) / 100).quantize(Decimal("0.01"))


def words_amount_span(text: str) -> tuple[int, int] | None:
    match = _WORDS_AMOUNT_RE.search(text)
    return match.span() if match else None


# ---------------------------------------------------------------- durations, rates, dates

DURATION_RE = re.compile(
    r"(?<![\d,])(\d{1,3})\s*(ans?|années?|mois)(?:\s*(?:et\s*)?(\d{1,2})\s*mois)?\b", re.IGNORECASE
)


def duration_months(match: re.Match[str]) -> int:
    number, unit, extra = int(match.group(1)), match.group(2).lower(), match.group(3)
    months = number if unit == "mois" else number * 12
    return months + (int(extra) if extra and unit != "mois" else 0)


def parse_duration(text: str) -> int | None:
    """'40 ans 6 mois' -> 486, '24 mois' -> 24, '1 an' -> 12."""
    match = DURATION_RE.search(text)
    return duration_months(match) if match else None


PERCENT_RE = re.compile(rf"([+\-−]|plus|moins)?{_SPACE_CLASS}*(\d{{1,2}}(?:[,.]\d{{1,4}})?){_SPACE_CLASS}*%")


def parse_percent(text: str) -> Decimal | None:
    """'+ 0,60 %' -> 0.60, '- 0,25 %' -> -0.25."""
    match = PERCENT_RE.search(text)
    if not match:
        return None
    value = Decimal(match.group(2).replace(",", ".")).quantize(Decimal("0.01"))
    return -value if (match.group(1) or "") in ("-", "−", "moins") else value


TEXT_DATE = rf"(?:1er|\d{{1,2}}){_SPACE_CLASS}+{MONTH_RE}{_SPACE_CLASS}+\d{{4}}"
DATE_RE = re.compile(
    rf"\b(1er|\d{{1,2}}){_SPACE_CLASS}+({MONTH_RE}){_SPACE_CLASS}+(\d{{4}})\b|\b(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})\b",
    re.IGNORECASE,
)


def date_from_match(match: re.Match[str]) -> dt.date | None:
    try:
        if match.group(1):
            day = 1 if match.group(1).lower() == "1er" else int(match.group(1))
            return dt.date(int(match.group(3)), _MONTH_ALIASES[match.group(2).lower()], day)
        return dt.date(int(match.group(6)), int(match.group(5)), int(match.group(4)))
    except (ValueError, KeyError):
        return None


def parse_date(text: str) -> dt.date | None:
    """'1er mars 2025' or '01/03/2025' -> 2025-03-01."""
    match = DATE_RE.search(text)
    return date_from_match(match) if match else None


def luhn_ok(digits: str) -> bool:
    """The SIREN check digit (Luhn)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def euros_str(value: Decimal) -> str:
    """The JSON form of an amount: '1234567.89'."""
    return f"{value.quantize(Decimal('0.01')):f}"


def format_euros_fr(value: Decimal) -> str:
    """1 234 567,89 € (narrow no-break spaces), for messages."""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def format_decimal_fr(value: Decimal) -> str:
    """A number as French writes it, its digits kept: 12,63 ; 0,8716 ; 2 400 (narrow no-break spaces)."""
    units, _, fraction = f"{value:f}".partition(".")
    grouped = f"{int(units):,}".replace(",", "\u202f")
    sign = "-" if units.startswith("-") and int(units) == 0 else ""  # -0.5: int() drops the sign
    return sign + grouped + ("," + fraction if fraction else "")
