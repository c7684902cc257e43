"""What both generators share: an A4 PDF in core Helvetica, and numbers, dates and amounts written
the French way (in figures, and in words as an offer letter spells them).

Only the core Helvetica font is used, so the output is the same on every machine; core fonts encode
windows-1252, which has €, œ, « », — and the no-break space, and the few characters it lacks are
replaced by a close one.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Literal

from ami.domain.models import Loan
from fpdf import FPDF

NBSP = "\u00a0"  # thousands separator: the narrow U+202F is not in windows-1252
FONT = "Helvetica"

_SUBSTITUTES = str.maketrans({"\u202f": NBSP, "\u2009": " ", "\u2011": "-", "\u2212": "-", "\u2010": "-"})
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


class FrenchPdf(FPDF):
    """A4 document in core Helvetica, numbered pages, with any text made encodable."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.footer_text = footer_text
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_font(FONT, size=10)

    def normalize_text(self, text: str) -> str:
        text = text.translate(_SUBSTITUTES)
        text = text.encode("cp1252", errors="replace").decode("cp1252")
        return super().normalize_text(text)

    def footer(self) -> None:
        if not self.footer_text:  # a scan carries no printed text at all
            return
        self.set_y(-14)
        self.set_font(FONT, size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} — page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 12) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="J")
        self.ln(2)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


# ---------------------------------------------------------------- French formats


def format_euros(amount: Decimal) -> str:
    """1 234 567,89 € with no-break spaces, so a line never breaks inside an amount.

    fpdf2 writes them as plain spaces once the line is laid out: text extracted from the PDF has
    "1 234 567,89 €".
    """
    grouped = f"{amount:,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{grouped}{NBSP}€"


def format_percent(value: Decimal, signed: bool = False) -> str:
    """0,60 % (or + 0,60 % for a margin), the French way."""
    number = f"{abs(value):.2f}".replace(".", ",")
    sign = ("- " if value < 0 else "+ ") if signed else ("-" if value < 0 else "")
    return f"{sign}{number}{NBSP}%"


def format_rate(loan: Loan) -> str:
    """Livret A + 0,60 %, or Taux fixe 3,20 % (for a fixed rate the margin is the rate itself)."""
    if loan.index == "livret_a":
        return f"Livret A {format_percent(loan.marge_pct, signed=True)}"
    return f"Taux fixe {format_percent(loan.marge_pct)}"


def format_m2(surface: Decimal) -> str:
    """1 234,5 m²."""
    return f"{surface:,.1f}".replace(",", NBSP).replace(".", ",") + f"{NBSP}m²"


def format_date(day: dt.date) -> str:
    """1er mars 2025, 12 juin 2025."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[day.month - 1]} {day.year}"


def format_duration(months: int) -> str:
    years, rest = divmod(months, 12)
    if not rest:
        return f"{years} ans"
    return f"{years} ans {rest} mois" if years else f"{rest} mois"


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the end of a shorter month (30 novembre + 3 → 28 février)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


AmountStyle = Literal["nbsp", "space", "dots", "plain", "eur"]


def format_amount(amount: Decimal, style: AmountStyle = "nbsp") -> str:
    """Every way a French letter writes an amount."""
    if style == "nbsp":
        return format_euros(amount)
    grouped = f"{amount:,.2f}"
    if style == "dots":
        return grouped.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + " €"
    if style == "plain":
        return f"{amount:.2f}".replace(".", ",") + " €"
    spaced = grouped.replace(",", " ").replace(".", ",")
    return spaced + (" EUR" if style == "eur" else " €")


_UNITS_FR = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
    "treize", "quatorze", "quinze", "seize",
)  # fmt: skip
_TENS_FR = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n <= 16:
        return _UNITS_FR[n]
    if n < 20:
        return "dix-" + _UNITS_FR[n - 10]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = unit + 10
        joiner = "-et-" if (tens == 7 and unit == 1) else "-"
        return base + joiner + _below_100(rest)
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _UNITS_FR[unit]
    if unit == 0:
        return _TENS_FR[tens]
    return _TENS_FR[tens] + ("-et-un" if unit == 1 else "-" + _UNITS_FR[unit])


def _below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_100(rest)
    head = "cent" if hundreds == 1 else _UNITS_FR[hundreds] + (" cents" if rest == 0 else " cent")
    return head if rest == 0 else head + " " + _below_100(rest)


def number_words(n: int) -> str:
    """1234567 -> 'un million deux cent trente-quatre mille cinq cent soixante-sept'."""
    if n == 0:
        return "zéro"
    parts = []
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    if millions:
        parts.append(_below_1000(millions) + (" million" if millions == 1 else " millions"))
    if thousands:
        parts.append("mille" if thousands == 1 else _below_1000(thousands).replace(" cents", " cent") + " mille")
    if units:
        parts.append(_below_1000(units))
    return " ".join(parts)


def amount_words(amount: Decimal) -> str:
    euros = int(amount)
    cents = int((amount - euros) * 100)
    text = f"{number_words(euros)} euros"
    return text + (f" et {number_words(cents)} centimes" if cents else "")
