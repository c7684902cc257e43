"""The text of a document page by page, with what every extractor needs: page of an offset, source line."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from ami.domain.extraction import ExtractedField
from ami.domain.extraction.french import normalise
from ami.domain.extraction.layout import PageLayout

PAGE_BREAK = "\n\f\n"
SOURCE_MAX = 240
_FOOTER_RE = re.compile(r"\bpage\s+\d+\s*(?:/|sur)\s*\d+\s*$", re.IGNORECASE)
# The only characters re.IGNORECASE equates with a letter that str.lower() turns into something else
# (İ, ı, ſ; checked over all of Unicode for a-z and French accented letters).
_LOWER_EXCEPTIONS = ("\u0130", "\u0131", "\u017f")


@dataclass
class Document:
    """Pages joined by a form feed line; offsets map back to (1-based) pages. `layouts`, when the words'
    positions are known, lets the table readers work on geometry; `scanned` says they came from OCR."""

    pages: list[str]
    layouts: list[PageLayout] | None = None
    text: str = field(init=False)
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.starts = []
        parts = []
        offset = 0
        for page in self.pages:
            clean = ticked_only(normalise(page).replace("\f", " "))
            self.starts.append(offset)
            parts.append(clean)
            offset += len(clean) + len(PAGE_BREAK)
        self.text = PAGE_BREAK.join(parts)

    @property
    def scanned(self) -> bool:
        return bool(self.layouts) and any(layout.ocr for layout in self.layouts or ())

    @cached_property
    def lower(self) -> str | None:
        """`text.lower()`, character for character, or None when it cannot stand for re.IGNORECASE."""
        lower = self.text.lower()
        if len(lower) != len(self.text) or any(char in self.text for char in _LOWER_EXCEPTIONS):
            return None
        return lower

    @cached_property
    def flowing(self) -> str:
        """`text` with its page breaks and page footers turned into spaces (offsets unchanged): a sentence
        or a list item continued on the next page reads as one."""
        text = self.text
        ends = [start - len(PAGE_BREAK) for start in self.starts[1:]] + [len(text)]
        parts = []
        cursor = 0
        for start, end in zip(self.starts, ends, strict=True):
            # The page's last line, when it is its footer (« … page 1/2 »), then the page break.
            last = text.rfind("\n", start, end)
            cut = last if last >= 0 and is_footer(text[last + 1 : end]) else end
            parts.append(text[cursor:cut])
            parts.append(" " * (end - cut + (len(PAGE_BREAK) if end < len(text) else 0)))
            cursor = end + len(PAGE_BREAK)
        flowing = "".join(parts)
        return flowing[: len(text)]

    def search_at(self, pattern: re.Pattern[str], words: tuple[str, ...]) -> re.Match[str] | None:
        """`pattern.search(self.text)` for a case-insensitive pattern whose every match starts with one of
        `words` (lower case): only the places where a word occurs are tried, the same first match."""
        if self.lower is None:
            return pattern.search(self.text)
        return match_at(pattern, self.text, self.lower, words)

    def finditer_at(self, pattern: re.Pattern[str], words: tuple[str, ...]) -> Iterator[re.Match[str]]:
        """`pattern.finditer(self.text)`, the same way as `search_at` (the pattern never matches empty)."""
        if self.lower is None:
            return pattern.finditer(self.text)
        return iter_at(pattern, self.text, self.lower, words)

    def page_of(self, position: int) -> int:
        return max(1, bisect.bisect_right(self.starts, position))

    def source(self, start: int, end: int) -> str:
        """The whole lines spanning [start, end), on one line, trimmed."""
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", max(end - 1, start))
        if line_end < 0:
            line_end = len(self.text)
        snippet = self.text[line_start:line_end]
        if "\n" in snippet or "\f" in snippet:  # (most values are read on one line)
            snippet = " ".join(part.strip() for part in snippet.split("\n") if part.strip()).replace("\f", "")
        snippet = snippet.strip()
        return snippet if len(snippet) <= SOURCE_MAX else snippet[: SOURCE_MAX - 1] + "…"

    def field(self, name: str, value: str | int, start: int, end: int, confidence: float) -> ExtractedField:
        return extracted(name, value, self.page_of(start), self.source(start, end), confidence)

    def lines(self) -> list[tuple[int, str]]:
        """(offset, line) for each line, page-break lines included as '\\f'."""
        out = []
        offset = 0
        for line in self.text.split("\n"):
            out.append((offset, line))
            offset += len(line) + 1
        return out


def match_at(pattern: re.Pattern[str], text: str, haystack: str, words: tuple[str, ...]) -> re.Match[str] | None:
    """The first `pattern.match(text, position)` over the positions where one of `words` occurs in
    `haystack` (the text itself, or its lower case aligned on it): `pattern.search(text)` when every match
    starts with one of the words, without scanning the whole text with the regular expression."""
    return next(iter_at(pattern, text, haystack, words), None)


def iter_at(pattern: re.Pattern[str], text: str, haystack: str, words: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` as `match_at` finds the first match: the next match is tried only from the
    end of the previous one (a pattern that cannot match an empty string)."""
    positions = {position for word in words for position in occurrences(haystack, word)}
    resume = 0
    for position in sorted(positions):
        if position >= resume and (match := pattern.match(text, position)):
            yield match
            resume = max(match.end(), position + 1)


def extracted(name: str, value: str | int, page: int | None, source: str, confidence: float) -> ExtractedField:
    """A value a reader found, its confidence rounded (validated: pydantic's core is faster than
    `model_construct` here)."""
    return ExtractedField(name=name, value=value, page=page, source=source, confidence=round(confidence, 2))


# A form's tick boxes: « [X] PLI », « [ ] PLS », « ☒ Livret A », « ☐ Taux fixe ». An option runs to the next box or
# the line's end.
_UNTICKED_RE = re.compile(r"(?:\[ ?\]|☐|□)[^\[\]\n☐□☒☑■]*")
_TICKED_RE = re.compile(r"\[[xX✓✗]\]|☒|☑|■")


def ticked_only(text: str) -> str:
    """`text` with the options of its tick boxes that are not ticked blanked out, and the boxes themselves, so that
    only what the form says remains (same length: offsets unchanged)."""
    if "[" not in text and not any(box in text for box in "☐□☒☑■"):
        return text
    text = _UNTICKED_RE.sub(lambda option: " " * len(option.group()), text)
    return _TICKED_RE.sub(lambda box: " " * len(box.group()), text)


def occurrences(haystack: str, word: str) -> list[int]:
    """Every position where `word` occurs in `haystack`, overlapping ones included."""
    out, position = [], haystack.find(word)
    while position >= 0:
        out.append(position)
        position = haystack.find(word, position + 1)
    return out


def is_footer(line: str) -> bool:
    return bool(_FOOTER_RE.search(line.strip()))


DocumentKind = Literal["lettre_offre", "dossier_presentation"]

# Matched on lower-case text: a case-sensitive search is several times faster than re.IGNORECASE.
_LETTER_MARKERS = re.compile(
    r"lettre\s+d'offre|offre\s+de\s+(?:prêts?|financement)|lettre\s+d'intention|intention\s+de\s+financement|"
    r"offre\s+valable"
)
_DOSSIER_MARKERS = re.compile(
    r"dossier\s+de\s+présentation|présentation\s+de\s+l'opération|notice\s+de\s+présentation"
)
CLASSIFY_PAGES = 3


def classify(pages: list[str]) -> DocumentKind | None:
    """Which piece the first pages say this is; None when they say neither, or both as clearly."""
    head = normalise("\n".join(pages[:CLASSIFY_PAGES])).lower()
    letter = _LETTER_MARKERS.search(head) is not None  # whether, not how often: the first one is enough
    dossier = _DOSSIER_MARKERS.search(head) is not None
    if letter and not dossier:
        return "lettre_offre"
    if dossier and not letter:
        return "dossier_presentation"
    if letter and dossier:
        # A letter may cite "la présentation de l'opération"; a dossier may quote the offer once.
        first = normalise(pages[0])[:600].lower() if pages else ""
        if _DOSSIER_MARKERS.search(first) and not _LETTER_MARKERS.search(first):
            return "dossier_presentation"
        if _LETTER_MARKERS.search(first) and not _DOSSIER_MARKERS.search(first):
            return "lettre_offre"
    return None


def decimal_str(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
