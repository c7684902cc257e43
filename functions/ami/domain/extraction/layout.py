"""Words with their positions, and what geometry says about them: lines, cells, columns, reading order.

A PDF's text comes out in the order its producer wrote it, which is not always the order a person reads
(two columns written line by line across the page, table cells written column by column). Here each word
keeps its box, so lines are the words that share a baseline, a line splits into cells where the gap
between two words is wider than a space, and a page whose lines share a gutter is read column by column.
The readers of tables (`ami.domain.extraction.tables`) work on the same cells.

Words come from pypdfium2 (the box of the first and last character of each word: two calls a word, not
one a character) or from an OCR engine (`ami.domain.extraction.ocr`); coordinates are points from the top-left
corner of the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter, itemgetter, sub
from typing import Any, NamedTuple

_WORD_RE = re.compile(r"\S+")
_LINE_RE = re.compile(r"[^\r\n]*\S[^\r\n]*")
_PLAIN_WIDTH = 0.9  # a character is at most this wide for its height, spaces included: wider hides a gap
_BIN = 2.0  # points: the margin kept free on each side of a cell in the gutter search
_GUTTER_MIN = 8.0  # points: narrower gaps are spaces between cells, not between columns
_ALPHA_WORD = re.compile(r"[^\W\d_]{2,}")


class Word(NamedTuple):
    """A word and its box (a tuple: thousands are made a page, a dataclass costs three times as much)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float = 1.0  # OCR engines say how sure they are of each word; a text layer is sure

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


_X0 = attrgetter("x0")
_TOP_X0 = itemgetter(3, 1)  # (top, x0) of a Word


class Cell:
    """Words of one line close enough to be read together (a table cell, a label, a phrase); its box and
    text are computed once."""

    __slots__ = ("bottom", "text", "top", "words", "x0", "x1")

    def __init__(self, words: list[Word]) -> None:
        self.words = words
        if len(words) == 1:
            word = words[0]
            self.x0, self.x1, self.top, self.bottom, self.text = word.x0, word.x1, word.top, word.bottom, word.text
            return
        texts, _, x1s, tops, bottoms, _ = zip(*words, strict=True)  # one pass in C, not four generators
        self.x0, self.x1, self.top, self.bottom = words[0].x0, max(x1s), min(tops), max(bottoms)
        self.text = " ".join(texts)

    @property
    def confidence(self) -> float:
        return min(w.confidence for w in self.words)


class Line:
    """Words sharing a baseline, left to right, and their cells."""

    __slots__ = ("bottom", "cells", "text", "top", "words")

    def __init__(self, words: list[Word]) -> None:
        if len(words) == 1:  # most lines of a text layer: one run of text
            word = words[0]
            self.words, self.top, self.bottom, self.text = words, word.top, word.bottom, word.text
            self.cells = [Cell(words)]
            return
        self.words = sorted(words, key=_X0)
        _, _, _, tops, bottoms, _ = zip(*words, strict=True)
        self.top, self.bottom = min(tops), max(bottoms)
        self.cells = split_cells(self.words)
        self.text = " ".join(cell.text for cell in self.cells)


@dataclass
class PageLayout:
    """One page: its words, then (computed once) its lines and its text in reading order."""

    number: int  # 1-based
    width: float
    height: float
    words: list[Word]
    ocr: bool = False

    @cached_property
    def lines(self) -> list[Line]:
        return build_lines(self.words)

    @cached_property
    def reading(self) -> list[Line]:
        return reading_order(self.lines, self.width)

    @cached_property
    def text(self) -> str:
        return "\n".join(line.text for line in self.reading)


# ---------------------------------------------------------------- words from a text layer

# (stems: a header may hyphenate them, « Préfinan-cement », « Amortis-sement »)
_LOAN_TERMS = ("montant", "durée", "préfinan", "amortis", "marge", "périodicité", "échéance", "ligne du prêt",
               "identifiant")


def has_loan_terms(text: str) -> bool:
    """Whether a page names at least three loan characteristics: only such a page is worth the words'
    positions (a page of prose keeps pdfium's text, which reads the same)."""
    lower = text.lower()
    return sum(term in lower for term in _LOAN_TERMS) >= 3


_QUARTER = math.pi / 2
_SAMPLES = 5  # characters whose angle is asked, spread over the page's text


def quarter_turn(textpage: Any, text: str) -> int:
    """+1 when most of the page's text reads upwards (a table set sideways on a portrait page, turned a quarter
    to the left), -1 when it reads downwards, 0 otherwise (pdfium's character angles, clockwise)."""
    import pypdfium2.raw as pdfium_c

    if not text or textpage.count_chars() != len(text):
        return 0
    angle, raw = pdfium_c.FPDFText_GetCharAngle, textpage.raw
    step = max(1, len(text) // _SAMPLES)
    quarters = [round(angle(raw, start) / _QUARTER) % 4 for start in range(step // 2, len(text), step)
                if not text[start].isspace()]
    for turn, quarter in ((1, 3), (-1, 1)):
        if quarters.count(quarter) * 2 > len(quarters):
            return turn
    return 0


# A character's angle (radians) from which its line is no horizontal line of the page.
_SIDEWAYS_MIN, _SIDEWAYS_MAX = 0.3, 2 * math.pi - 0.3


def pdfium_words(textpage: Any, text: str, page_height: float, *, turn: int = 0,
                 page_width: float = 0.0) -> list[Word] | None:
    """Words of a pdfium text page whose full text is `text`; None when its characters cannot be mapped
    to the text (a character outside the BMP shifts the indices), so the caller keeps the plain text.

    pdfium gives, in one call a line, the rectangles of the line's text objects. A line drawn by one text
    object of ordinary spacing (a line of prose, a label and its value) is one run of text, kept as one
    `Word` spanning the rectangle: no call a word, and nothing to split in it. A line of several objects
    (table cells, two columns) or with gaps wider than text (columns spaced inside one object) gets each
    word's box from its first and last characters.

    With `turn` (see quarter_turn), the words are placed as a reader who turned the page would see them (x along
    the lines, y across them, the page `page_height` wide and `page_width` high), and the lines drawn the other
    way (a footer) are left out.
    """
    import ctypes

    import pypdfium2.raw as pdfium_c

    if textpage.count_chars() != len(text):
        return None
    if turn:
        return _turned_words(textpage, text, turn, page_width, page_height)
    raw = textpage.raw
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    get_box, count_rects, get_rect = pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_CountRects, \
        pdfium_c.FPDFText_GetRect
    angle = pdfium_c.FPDFText_GetCharAngle
    words: list[Word] = []
    for line in _LINE_RE.finditer(text):
        start, end = line.span()
        if count_rects(raw, start, end - start) == 1:
            get_rect(raw, 0, left, top, right, bottom)
            x0, width = left.value, right.value - left.value
            y_top, y_bottom = page_height - top.value, page_height - bottom.value
            chars = end - start
            if y_bottom - y_top > width and chars > 1 and _SIDEWAYS_MIN < angle(raw, start) < _SIDEWAYS_MAX:
                continue  # a line set sideways in the margin (a contract's reference) runs across every line
            if 0 < width <= chars * _PLAIN_WIDTH * (y_bottom - y_top):
                # One run of text of ordinary spacing is one cell: kept whole, as one "word".
                words.append(Word(" ".join(line.group().split()), x0, x0 + width, y_top, y_bottom))
                continue
        for match in _WORD_RE.finditer(text, start, end):
            first, last = match.span()
            get_box(raw, first, left, right, bottom, top)
            x0, y_top, y_bottom = left.value, top.value, bottom.value
            get_box(raw, last - 1, left, right, bottom, top)
            x1, y_top_last, y_bottom_last = right.value, top.value, bottom.value
            # Conditional expressions rather than max() and min(): this runs for every word of a table.
            words.append(Word(text[first:last], x0, x1 if x1 > x0 + 0.1 else x0 + 0.1,
                              page_height - (y_top if y_top > y_top_last else y_top_last),
                              page_height - (y_bottom if y_bottom < y_bottom_last else y_bottom_last)))
    return words


def _turned_words(textpage: Any, text: str, turn: int, page_width: float, page_height: float) -> list[Word]:
    """The words of a page whose lines read upwards (`turn` +1) or downwards (-1), as if the page were turned:
    each word's box from its first and last characters, in the turned page's coordinates."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    quarter = 3 if turn > 0 else 1

    def box(index: int) -> tuple[float, float, float, float]:
        """(start and end along the line, top and bottom across it) of a character."""
        pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
        if turn > 0:  # reading up the page, the next line to the right
            return bottom.value, top.value, left.value, right.value
        return page_height - top.value, page_height - bottom.value, page_width - right.value, page_width - left.value

    words: list[Word] = []
    for line in _LINE_RE.finditer(text):
        if round(pdfium_c.FPDFText_GetCharAngle(raw, line.start()) / _QUARTER) % 4 != quarter:
            continue
        for match in _WORD_RE.finditer(text, *line.span()):
            x0, _, top0, bottom0 = box(match.start())
            _, x1, top1, bottom1 = box(match.end() - 1)
            words.append(Word(match.group(), x0, max(x1, x0 + 0.1), min(top0, top1), max(bottom0, bottom1)))
    return words


# ---------------------------------------------------------------- lines and cells


def build_lines(words: Iterable[Word]) -> list[Line]:
    """Words whose middles fall within one another's height, left to right; lines top to bottom."""
    groups: list[list[Word]] = []
    open_lines: list[tuple[float, float, list[Word]]] = []  # (top, bottom) band of each recent line
    for word in sorted(words, key=_TOP_X0):
        middle = (word.top + word.bottom) / 2
        target = None
        for top, bottom, group in reversed(open_lines[-4:]):
            last = group[-1]
            if top <= middle <= bottom and not (last.x0 < word.x1 and word.x0 < last.x1):
                target = group
                break
        if target is None:
            target = [word]
            groups.append(target)
            open_lines.append((word.top, word.bottom, target))
        else:
            target.append(word)
    lines = [Line(group) for group in groups]
    lines.sort(key=lambda line: line.top)
    return lines


def split_cells(words: list[Word]) -> list[Cell]:
    """A gap wider than about half an em starts a new cell (a space is a quarter of an em)."""
    if not words:
        return []
    texts, x0s, x1s, tops, bottoms, _ = zip(*words, strict=True)
    chars = sum(map(len, texts))
    width = sum(x1s) - sum(x0s)
    heights = sorted(map(sub, bottoms, tops))
    height = heights[len(heights) // 2]
    char = width / chars if chars else height / 2
    threshold = max(1.15 * char, 0.5 * height, 2.5)
    between = list(map(sub, x0s[1:], x1s))  # each word's start minus the previous word's end
    gaps = sorted(between)
    if len(gaps) >= 5:
        # A justified line widens every space alike: only a gap well above the usual one is a cell border
        # (up to an em and a half: wider is a column, however many there are).
        threshold = max(threshold, min(1.8 * gaps[len(gaps) // 4], 1.5 * height))
    groups = [[words[0]]]
    for word, gap in zip(words[1:], between, strict=True):
        if gap > threshold:
            groups.append([word])
        else:
            groups[-1].append(word)
    return [Cell(group) for group in groups]


# ---------------------------------------------------------------- columns and reading order


def reading_order(lines: list[Line], page_width: float) -> list[Line]:
    """Lines in the order a person reads them: a run of lines split by a common gutter in the middle of
    the page, with text (not values) on its right, is two columns; the left one is read first. A blank
    band across the page ends the run."""
    if not lines:
        return []
    x_min = min(line.words[0].x0 for line in lines)
    x_max = max(cell.x1 for line in lines for cell in line.cells)
    span = x_max - x_min
    if span <= 0:
        return lines
    low, high = x_min + 0.3 * span, x_min + 0.7 * span
    out: list[Line] = []
    region: list[Line] = []
    free: list[tuple[float, float]] = []

    def flush() -> None:
        gutter = _gutter(free)
        if len(region) >= 3 and gutter is not None and _is_two_columns(region, gutter):
            out.extend(_two_columns(region, gutter))
        else:
            out.extend(region)

    heights = sorted(w.bottom - w.top for line in lines for w in line.words)
    band_gap = heights[len(heights) // 2]
    for line in lines:
        # A blank band across the whole width ends a run of columns (the next blocks start below it).
        apart = bool(region) and line.top - region[-1].bottom > band_gap
        line_free = _free(line, low, high)
        together = _intersect(free, line_free) if region else line_free
        if region and not apart and _gutter(together) is not None:
            region.append(line)
            free = together
            continue
        if region:
            flush()
        region, free = [line], line_free
    flush()
    return out


def _free(line: Line, low: float, high: float) -> list[tuple[float, float]]:
    """The stretches of [low, high] that no cell of the line covers (with a margin of `_BIN`)."""
    out = []
    cursor = low
    for cell in line.cells:
        left, right = cell.x0 - _BIN, cell.x1 + _BIN
        if right <= cursor:
            continue
        if left > cursor:
            out.append((cursor, min(left, high)))
        cursor = right
        if cursor >= high:
            break
    if cursor < high:
        out.append((cursor, high))
    return [(a, b) for a, b in out if b > a]


def _intersect(first: list[tuple[float, float]], second: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    i = j = 0
    while i < len(first) and j < len(second):
        (low_a, high_a), (low_b, high_b) = first[i], second[j]
        low = low_a if low_a > low_b else low_b  # max and min, without a call: run for every line of a page
        high = high_a if high_a < high_b else high_b
        if high > low:
            out.append((low, high))
        if high_a < high_b:
            i += 1
        else:
            j += 1
    return out


def _gutter(free: list[tuple[float, float]]) -> float | None:
    """The middle of the widest free stretch, if it is wide enough to part two columns."""
    if not free:
        return None
    low, high = max(free, key=lambda stretch: stretch[1] - stretch[0])
    return (low + high) / 2 if high - low >= _GUTTER_MIN else None


def _is_two_columns(region: list[Line], gutter: float) -> bool:
    both = [line for line in region if line.cells[0].x1 < gutter < line.cells[-1].x0]
    if len(both) < 3:
        return False
    right = [cell.text for line in region for cell in line.cells if cell.x0 > gutter]
    wordy = sum(1 for text in right if ":" in text or len(_ALPHA_WORD.findall(text)) >= 4)
    return wordy * 2 >= len(right)


def _two_columns(region: list[Line], gutter: float) -> list[Line]:
    """The left column's lines, then the right one's: each line of the region cut at the gutter (its words
    already share a baseline, so no line need be built again from words)."""
    left = [Line(words) for line in region if (words := [w for w in line.words if w.x1 <= gutter])]
    right = [Line(words) for line in region if (words := [w for w in line.words if w.x1 > gutter])]
    return left + right
