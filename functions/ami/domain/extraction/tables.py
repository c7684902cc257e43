"""Loan tables read from geometry: the transposed table of BdT offers (one column per Ligne du Prêt, one
row per characteristic) and the table with one row per loan, each possibly continued on later pages.

Both work on the words' positions (`ami.domain.extraction.layout`), never on the order the text came out in:
columns are where the value cells start, a row of a transposed table is the block of label lines in the
first column (a label wrapped over two lines is one block) and every value whose middle falls beside it.
A value is given with high confidence when its label is a known one and it sits in a loan's column (two
cues); a label recognised only by its first words lowers it.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from ami.domain.extraction.layout import Cell, Line, PageLayout, Word, build_lines
from ami.domain.extraction.values import is_amount, read_value
from ami.domain.extraction.vocabulary import IGNORED, Vocabulary, fold, vocabulary

SURE = 0.95
PREFIX_ONLY = 0.85
INFERRED = 0.8  # a value deduced from its neighbours, not read: one cue
_TOLERANCE = 4.0  # points: a cell starts at its column's left edge, give or take
_PARENTHESES = re.compile(r"\([^)]*\)")
_FOOTNOTE = re.compile(r"(?<=\w)[¹²³⁴⁵⁶⁷⁸⁹⁰*]+|\s\*+$")  # « Index¹ », « Taux d'intérêt² »: a note's mark
# (« LA » in capitals only: « la » is an article)
_INDEXED_RATE = re.compile(r"(?:(?i:livret\s*a)\b|\bLA\b)[^%;]{0,80}?"
                           r"(?:[+\-−]\s*\d|(?i:\b(?:major|minor)[ée]e?\s+de\s+\d))")
_HEADING = re.compile(r"^\s*(?:ligne(?:\s+du\s+pr[êe]t)?|pr[êe]t)\s*(?:n°|no|numéro)?\s*\d{1,2}\b", re.IGNORECASE)
_KEY_FIELDS = {"montant_eur", "duree_amortissement_mois", "duree_prefinancement_mois", "marge_pct", "nature",
               "index"}


@dataclass(frozen=True)
class Placed:
    """A value read from geometry: where it is, what the page says there, how sure the reading is."""

    value: str | int
    page: int
    source: str
    confidence: float


Loan = dict[str, Placed]


def label_field(text: str, vocab: Vocabulary) -> tuple[str | None, float]:
    """The field a label cell announces: exactly a known label (units in parentheses and a colon aside)
    is sure; a cell that only starts with one is less so."""
    return _label_field(text) if vocab is vocabulary() else _match_label(text, vocab)


@lru_cache(maxsize=4096)
def _label_field(text: str) -> tuple[str | None, float]:
    return _match_label(text, vocabulary())


def indexed_rate(label: str, value: str) -> bool:
    """Whether a rate this service does not read (« Taux d'intérêt actuariel annuel ») is said as the index and a
    margin (« taux du Livret A en vigueur à la date d'effet du Contrat + 45 pdb »): then it says the margin."""
    return fold(label).lstrip("-–•·* ").startswith("taux") and _INDEXED_RATE.search(value) is not None


def _match_label(text: str, vocab: Vocabulary) -> tuple[str | None, float]:
    full = _FOOTNOTE.sub("", text).strip().rstrip(":").strip().lstrip("-–•·*▪ ")  # (a list item's bullet)
    bare = _PARENTHESES.sub(" ", full).strip()
    # (the words in parentheses may be the label's own: « Durées (préfi. / amort.) »)
    exact = vocab.field_exact(bare) or vocab.field_exact(full)
    if exact is not None:
        return exact, SURE
    found, _ = vocab.field_of(bare) if bare else vocab.field_of(full)
    return (found, PREFIX_ONLY) if found is not None else (None, 0.0)


# ---------------------------------------------------------------- transposed tables


@dataclass
class _Row:
    page: int
    label: str
    top: float
    bottom: float
    values: dict[int, list[Word]] = field(default_factory=dict)
    group: str | None = None  # the cell spanning this row and its neighbours in a first column of groups
    grouped: bool = False  # the label is in the second label column, beside a column of groups
    # A row of phase titles over the value columns (« Phase de préfinancement | Phase d'amortissement »): each
    # column's section, for the rows below it; the columns are then the phases of one loan.
    phases: dict[int, str] | None = None
    heading: bool = False  # a sheet's title line (« Ligne du Prêt n° 2 – … »), whatever its width


def transposed_loans(layouts: list[PageLayout]) -> list[Loan]:
    """Loans of every transposed table of the letter, in column order, tables in page order. A table at
    the top of a page whose only repeated rows are the header (product, nature) continues the last table
    of the page before (a table crossing a page break with its header repeated)."""
    vocab = vocabulary()
    tables: list[tuple[list[Loan], set[str], int]] = []  # (loans by column, fields read, page)
    carried = _Carried()  # « Phase d'amortissement », or the phase columns, go on over a page break
    for layout in layouts:
        for rows, columns in _page_tables(layout, vocab):
            for table, names in _tables_from_rows(rows, columns, vocab, carried):
                if tables and tables[-1][2] == layout.number - 1 and _continues(tables[-1], table, names):
                    previous, seen, _ = tables[-1]
                    for before, after in zip(previous, table, strict=False):
                        for name, placed in after.items():
                            before.setdefault(name, placed)
                    tables[-1] = (previous, seen | names, layout.number)
                else:
                    tables.append((table, names, layout.number))
    loans: list[Loan] = []
    for table, names, _ in tables:
        if len(names & _KEY_FIELDS) >= 2:
            building_beside_land([loan for loan in table if loan])
            loans.extend(loan for loan in table if loan)
    return loans


def building_beside_land(loans: list[Loan]) -> None:
    """« PLS foncier » beside a bare « PLS » or « PLI », as CDC contracts name their lines (the land's line says
    so, the building's does not): a bare product beside a land one is the building. Inferred, so one cue:
    below high confidence."""
    if not any(loan.get("nature") is not None and loan["nature"].value == "foncier" and "produit" in loan
               and loan["nature"].source == loan["produit"].source for loan in loans):
        return
    for loan in loans:
        product = loan.get("produit")
        if product is not None and "nature" not in loan:
            loan["nature"] = Placed("bati", product.page, product.source, INFERRED)


def _continues(previous: tuple[list[Loan], set[str], int], table: list[Loan], names: set[str]) -> bool:
    header = {"produit", "nature"}
    return len(previous[0]) == len(table) and not (names - header) & (previous[1] - header)


def _page_tables(layout: PageLayout, vocab: Vocabulary) -> list[tuple[list[_Row], int]]:
    return _tables_of(layout.lines, layout.number, vocab)


def _tables_of(lines: list[Line], page: int, vocab: Vocabulary) -> list[tuple[list[_Row], int]]:
    # Seed rows: a label cell that is exactly a known label (read or ignored) and values beside it.
    seeds = [line for line in lines if len(line.cells) >= 2 and label_field(line.cells[0].text, vocab)[1] == SURE]
    if len(seeds) < 2:
        return []
    label_x = statistics.median(line.cells[0].x0 for line in seeds)
    if (second := _second_labels(lines, len(seeds), vocab)) is not None:
        x, where = second
        first = min(lines.index(seeds[0]), where[0])
        last = max(lines.index(seeds[-1]), where[-1])
        return _side_by_side(lines[max(0, first - 2) : last + 1], x, page, vocab)
    starts = sorted(cell.x0 for line in seeds for cell in line.cells[1:] if cell.x0 > label_x + 20)
    if not starts:
        return []
    columns: list[float] = [starts[0]]
    for x in starts[1:]:
        if x - columns[-1] > 3 * _TOLERANCE and x - _last_start(starts, x) > 3 * _TOLERANCE:
            columns.append(x)
    columns = _value_columns(columns, seeds, label_x)
    heights = [w.bottom - w.top for line in seeds for w in line.words]
    height = statistics.median(heights)
    # From the first seed to the last, and beyond either while the lines stay close together (rows whose
    # label wraps are no seeds).
    first, last = lines.index(seeds[0]), lines.index(seeds[-1])
    while first > 0 and lines[first].top - lines[first - 1].bottom <= 2.5 * height and (not _crosses(
            lines[first - 1], label_x, columns[0]) or _HEADING.match(lines[first - 1].text)) and len(
            lines[first - 1].cells) <= len(columns) + 1:
        first -= 1
    while last + 1 < len(lines) and lines[last + 1].top - lines[last].bottom <= 2.5 * height and not _crosses(
            lines[last + 1], label_x, columns[0]):
        last += 1
    # (a sheet's title, « Ligne du Prêt n° 2 – PLI foncier – identifiant … », may run across the columns)
    region = [line for line in lines[first : last + 1]
              if not _crosses(line, label_x, columns[0]) or _HEADING.match(line.text)]
    rows = _rows(region, label_x, columns, page, 1.2 * height, vocab)
    return [(rows, len(columns))]


def _value_columns(starts: list[float], seeds: list[Line], label_x: float) -> list[float]:
    """The value columns among the places values start. Values aligned right (or centred) under one heading start
    at different places: starts that no seed line has values at together, and whose values end (or are centred)
    where the others' do, are one column. A column that fewer than two seed lines use is a stray start (a wrapped
    value), no column."""
    reached = [x - _TOLERANCE for x in starts]
    cells: list[list[Cell]] = [[] for _ in starts]
    used: list[set[int]] = []
    for line in seeds:
        here = set()
        for cell in line.cells[1:]:
            if cell.x0 > label_x + 20:
                index = bisect.bisect_right(reached, cell.x0) - 1
                here.add(index)
                cells[index].append(cell)
        used.append(here)
    groups: list[set[int]] = []
    for index in range(len(starts)):
        if groups and not any(index in said and said & groups[-1] for said in used) and _aligned(
                cells[index], [cell for other in groups[-1] for cell in cells[other]]):
            groups[-1].add(index)
        else:
            groups.append({index})
    kept = [starts[min(group)] for group in groups if sum(1 for said in used if said & group) >= 2]
    return kept or starts[:1]


def _aligned(cells: list[Cell], others: list[Cell]) -> bool:
    """Whether one of `cells` ends, or is centred, where one of `others` is."""
    return any(abs(cell.x1 - other.x1) <= _TOLERANCE or abs(cell.x0 + cell.x1 - other.x0 - other.x1) <= 2 * _TOLERANCE
               for cell in cells for other in others)


def _second_labels(lines: list[Line], seeds: int, vocab: Vocabulary) -> tuple[float, list[int]] | None:
    """Where a second column of labels starts, and on which lines, when two boxes of « label value » lines stand
    side by side (a portal's summary: « Ligne du Prêt 1 » beside « Ligne du Prêt 2 »; a tableau d'amortissement's
    header): a known label (exactly, or ending with a colon) after a label and a value, at the same place on three
    lines or more."""
    found = sorted((cell.x0, number) for number, line in enumerate(lines) for cell in line.cells[2:]
                   if _is_label(cell.text, vocab))
    for index, (x, _) in enumerate(found):
        same = [number for other, number in found[index:] if other - x <= 3 * _TOLERANCE]
        if len(same) >= max(3, seeds // 3):
            return x, sorted(same)
    return None


def _is_label(text: str, vocab: Vocabulary) -> bool:
    name, sure = label_field(text, vocab)
    return sure == SURE or (name is not None and text.rstrip().endswith(":"))


def _side_by_side(lines: list[Line], second: float, page: int, vocab: Vocabulary) -> list[tuple[list[_Row], int]]:
    """Two boxes side by side read box by box: the left one, then the right one, for each band of boxes that start
    on one line (« Ligne du Prêt 1 » beside « Ligne du Prêt 2 », then « Ligne du Prêt 3 » below)."""
    words = [word for line in lines for word in line.words]
    parts = [_tables_of(build_lines([w for w in words if (w.x0 >= second - _TOLERANCE) == right]), page, vocab)
             for right in (False, True)]
    starts = sorted({row.top for part in parts for rows, _ in part for row in rows if row.heading})
    ordered = sorted(((bisect.bisect_right(starts, row.top + _TOLERANCE), side, row.top, number, row)
                      for side, part in enumerate(parts) for rows, _ in part for number, row in enumerate(rows)),
                     key=lambda item: item[:4])
    if not ordered:
        return []
    return [([row for *_, row in ordered], max(columns for part in parts for _, columns in part))]


def _last_start(starts: list[float], x: float) -> float:
    before = [s for s in starts if s < x]
    return before[-1] if before else -1e9


def _crosses(line: Line, label_x: float, first_column: float) -> bool:
    """A paragraph line: one cell running from the label column across the first value column."""
    return any(cell.x0 < first_column - _TOLERANCE and cell.x1 > first_column + 3 * _TOLERANCE
               and len(cell.text.split()) > 3 for cell in line.cells)


def _rows(region: list[Line], label_x: float, columns: list[float], page: int, gap: float,
          vocab: Vocabulary) -> list[_Row]:
    rows: list[_Row] = []
    values: list[tuple[int, Word]] = []
    # A word starts in the last column whose start (less the tolerance) it reaches; -1 is the label column.
    # The starts ascend, so a bisection finds it.
    reached = [start - _TOLERANCE for start in columns]
    # Two label columns: groups (« Préfinancement », « Amortissement ») spanning several rows, each written at
    # the middle of its rows, left of the characteristics' labels (« Durée », « Index »).
    split = [_split_label(line, label_x, reached) for line in region]
    # Seen when one group at least is written on the line of one of its labels (a group of three rows), or on
    # a line of its own between two rows that follow each other as closely as rows do (a group of two rows;
    # a section's title above its rows takes a line of its own: « Phase d'amortissement » in blocks).
    two_columns = any(groups and own for groups, own, _ in split) or _group_between_rows(region, split)
    groups: list[tuple[str, float]] = []  # (text, middle)
    for line, (group_words, own_words, has_values) in zip(region, split, strict=True):
        if not group_words and not own_words and (phases := _phases(line, reached, vocab)):
            rows.append(_Row(page, line.text, line.top, line.bottom, phases=phases))
            continue
        if len(line.cells) == 1 and _HEADING.match(line.text):
            rows.append(_Row(page, line.text, line.top, line.bottom, heading=True))  # the next sheet's title
            continue
        label_words = own_words
        if group_words and two_columns and (own_words or not has_values):
            text = " ".join(w.text for w in group_words)
            middle = (min(w.top for w in group_words) + max(w.bottom for w in group_words)) / 2
            if groups and middle - groups[-1][1] < gap and not own_words:
                groups[-1] = (_join(groups[-1][0], text), (groups[-1][1] + middle) / 2)  # a group wrapped
            else:
                groups.append((text, middle))
        else:
            label_words = group_words + own_words
        for word in line.words:
            column = bisect.bisect_right(reached, word.x0) - 1
            if column >= 0:
                values.append((column, word))
        if not label_words:
            continue
        grouped = two_columns and bool(own_words)
        text = " ".join(w.text for w in label_words)
        line_top, line_bottom = min(w.top for w in label_words), max(w.bottom for w in label_words)
        if (rows and line_top - rows[-1].bottom < gap and not rows[-1].values and not (two_columns and has_values)
                and rows[-1].phases is None and not rows[-1].heading):
            rows[-1].label = _join(rows[-1].label, text)
            rows[-1].bottom = max(rows[-1].bottom, line_bottom)
        else:
            rows.append(_Row(page, text, line_top, line_bottom, grouped=grouped and min(
                w.x0 for w in label_words) >= label_x - 3 * _TOLERANCE))
    if not rows:
        return rows
    if groups:
        _place_groups(rows, groups)
    tops = [r.top for r in rows]
    for column, word in values:
        # The row beside the value (its band widened by half a gap), else the last row above it.
        middle = word.middle
        index = bisect.bisect_right(tops, middle + gap / 2) - 1
        if index < 0:
            continue
        row = rows[index]
        if index + 1 < len(rows) and middle > row.bottom + gap / 2 and rows[index + 1].top - gap / 2 <= middle:
            row = rows[index + 1]
        row.values.setdefault(column, []).append(word)
    return rows


def _phases(line: Line, reached: list[float], vocab: Vocabulary) -> dict[int, str] | None:
    """The sections of a line of phase titles over two value columns or more, by column."""
    phases: dict[int, str] = {}
    for cell in line.cells:
        column = bisect.bisect_right(reached, cell.x0) - 1
        section = vocab.section_of(cell.text)
        if column < 0 or section is None or column in phases:
            return None
        phases[column] = section
    return phases if len(phases) >= 2 else None


def _group_between_rows(region: list[Line], split: list[tuple[list[Word], list[Word], bool]]) -> bool:
    own = [i for i, (groups, words, _) in enumerate(split) if words and not groups]
    if len(own) < 3 or not any(groups and not words and not has_values for groups, words, has_values in split):
        return False
    middles = [(line.top + line.bottom) / 2 for line in region]
    pitch = statistics.median(middles[b] - middles[a] for a, b in pairwise(own))
    for index, (groups, words, has_values) in enumerate(split):
        if not groups or words or has_values:
            continue
        after = bisect.bisect_right(own, index)
        if 0 < after < len(own) and middles[own[after]] - middles[own[after - 1]] < 1.5 * pitch:
            return True
    return False


def _split_label(line: Line, label_x: float, reached: list[float]) -> tuple[list[Word], list[Word], bool]:
    """(words left of the label column, the label's own words, whether the line has values)."""
    group, own, has_values = [], [], False
    for word in line.words:
        if bisect.bisect_right(reached, word.x0) - 1 >= 0:
            has_values = True
        elif word.x0 < label_x - 3 * _TOLERANCE:
            group.append(word)
        else:
            own.append(word)
    return group, own, has_values


def _place_groups(rows: list[_Row], groups: list[tuple[str, float]]) -> None:
    """Each group spans the rows around its middle: from the first row of its run of second-column rows not yet
    in a group, as many following rows as make the group's text their middle. A group whose text is not beside
    such rows (a title above a table, or between two tables) spans none."""
    for text, middle in groups:
        free = [i for i, row in enumerate(rows) if row.grouped and row.group is None and row.top <= middle]
        if not free:
            continue
        start = free[-1]
        while start > 0 and rows[start - 1].grouped and rows[start - 1].group is None:
            start -= 1
        end = start
        while (end + 1 < len(rows) and rows[end + 1].grouped and rows[end + 1].group is None
               and (rows[start].top + rows[end].bottom) / 2 < middle - 1.0):
            end += 1
        if rows[end].bottom < middle:
            continue
        for row in rows[start : end + 1]:
            row.group = text


def _join(first: str, second: str) -> str:
    if first.endswith("-") and second[:1].islower():
        return first[:-1] + second
    return f"{first} {second}"


def _cell_text(words: list[Word]) -> str:
    if len(words) == 1:
        return words[0].text
    if max(w.top for w in words) - min(w.top for w in words) < 0.5 * min(w.bottom - w.top for w in words):
        return " ".join(w.text for w in sorted(words, key=lambda w: w.x0))  # one line
    return " ".join(" ".join(w.text for w in line.words) for line in build_lines(words))


@dataclass
class _Carried:
    """What a transposed table's rows say for the rows below them, on to the next page."""

    section: str | None = None  # the section a title row opened (« Phase d'amortissement »)
    phases: dict[int, str] | None = None  # the section of each value column, under a row of phase titles


def _row_field(rows: list[_Row], index: int, section: str | None, vocab: Vocabulary) -> tuple[str | None, float]:
    """The field a row's label names (in its section, if it has one), with the next row's label if it wraps."""
    row = rows[index]
    name, sure = (vocab.in_section(section, _FOOTNOTE.sub("", row.label)), SURE)
    if name is None:
        name, sure = label_field(row.label, vocab)
    if name is None and index + 1 < len(rows) and not rows[index + 1].values:
        name, sure = label_field(f"{row.label} {rows[index + 1].label}", vocab)
    return name, sure


def _tables_from_rows(rows: list[_Row], columns: int, vocab: Vocabulary,
                      carried: _Carried | None = None) -> list[tuple[list[Loan], set[str]]]:
    """Rows into tables of `columns` loans; a characteristic met twice starts the next table (one sheet per
    loan, or the next loans' columns). A row that is only a section's title (« Phase d'amortissement »)
    gives the labels below it their section's meaning, and a row of phase titles over the columns gives each
    column its phase (`carried` keeps both from page to page)."""
    tables: list[tuple[list[Loan], set[str]]] = []
    state = carried if carried is not None else _Carried()
    for index, row in enumerate(rows):
        if row.phases is not None:
            state.phases = row.phases
            continue
        if not row.values and _HEADING.match(row.label):
            tables.append(([{} for _ in range(columns)], set()))  # "Ligne du Prêt n° 2": the next sheet
            state.section = None  # (the phase columns go on: a sheet repeats its title on the next page)
            tables[-1][0][0].update(_titled(row.label, row.page, vocab))  # « Ligne du Prêt n° 1 – PLI foncier »
            continue
        if not row.values and (opened := vocab.section_of(row.label)):
            state.section = opened
            continue
        if row.grouped:
            state.section = vocab.section_of(row.group) if row.group else None
        said: list[tuple[int, str, str | int, float, str]] = []
        named: dict[str | None, tuple[str | None, float]] = {}  # the row's field in each section
        for column, words in sorted(row.values.items()):
            # Under phase titles, a value is read in its column's phase and belongs to the one loan they describe.
            phases = state.phases
            section = (phases.get(column) if phases else None) or state.section
            if section not in named:
                named[section] = _row_field(rows, index, section, vocab)
            name, sure = named[section]
            if name is None or (name == IGNORED and not fold(row.label).startswith("taux")):
                continue
            text = _cell_text(words)
            if name == IGNORED:
                if not indexed_rate(row.label, text):
                    continue
                name, sure = "taux", PREFIX_ONLY
            for found, value, confidence in read_value(vocab.kinds[name], text, sure, vocab):
                said.append((min(phases) if phases else column, found or name, value,
                             min(confidence, min(w.confidence for w in words)), f"{row.label} : {text}"))
        if not said:
            continue
        names = {found for _, found, _, _, _ in said}
        if not tables or names & tables[-1][1]:  # a characteristic met twice: the next loans
            tables.append(([{} for _ in range(columns)], set()))
        current, seen = tables[-1]
        for column, found, value, confidence, source in said:
            if column < len(current) and found not in current[column]:
                current[column][found] = Placed(value, row.page, source[:240], confidence)
        seen |= names
    return tables


# ---------------------------------------------------------------- one row per loan


def row_table_loans(layouts: list[PageLayout]) -> list[Loan]:
    """Tables whose header names at least three loan characteristics, one loan per row below it; the header
    repeated on the next page continues the table."""
    vocab = vocabulary()
    loans: list[Loan] = []
    for layout in layouts:
        lines = layout.lines
        index = 0
        while index < len(lines):
            header = _header(lines, index, vocab)
            if header is None:
                index += 1
                continue
            columns, first, index = header
            rows: list[tuple[Line, Loan | None]] = []
            while index < len(lines):
                line = lines[index]
                if _header(lines, index, vocab) is not None or _ends_table(line, columns):
                    break
                rows.append((line, _row_loan(line.words, line.text, columns, layout.number, vocab)))
                index += 1
            if not any(loan for _, loan in rows) and (titled := _title(lines, first, layout.number, vocab)):
                # One small table per Ligne du Prêt, headed by a title that names its product and nature
                # (« Ligne du Prêt n° 1 – PLI charge foncière »): its one row has no column for them.
                with_title = [(line, _row_loan(line.words, line.text, columns, layout.number, vocab, titled))
                              for line, _ in rows]
                if sum(1 for _, loan in with_title if loan) == 1:
                    rows = with_title
            rows = _with_wrapped_cells(rows, columns, layout.number, vocab)
            read = [loan for _, loan in rows if loan is not None]
            _spanning_products(rows, read, columns, layout.number, vocab)
            _no_prefinancing_said(read, columns)
            loans.extend(read)
    if any("duree_amortissement_mois" not in loan for loan in loans):
        _conditions_tables(layouts, loans, vocab)  # (sought only when the amounts' table lacks the durations)
    return loans


def _conditions_tables(layouts: list[PageLayout], loans: list[Loan], vocab: Vocabulary) -> None:
    """A second table that gives the loans' conditions without their amounts (« Tableau 2 – Conditions
    financières »: N°, durations, index, margin), one row per loan in the same order as the table of amounts: each
    row completes its loan, when there are as many rows as loans."""
    for layout in layouts:
        lines = layout.lines
        for index in range(len(lines)):
            header = _header(lines, index, vocab, need_amount=False)
            if header is None or any(column.name == "montant_eur" for column in header[0]):
                continue
            columns, _, after = header
            said: list[Loan] = []
            for line in lines[after:]:
                if _ends_table(line, columns) or len(said) == len(loans):
                    break
                if _has_figures(line.text):  # (a line of words only is a cell wrapped above or below its row)
                    said.append(_row_loan(line.words, line.text, columns, layout.number, vocab, complement=True) or {})
            if len(said) == len(loans) and all(said):
                for loan, conditions in zip(loans, said, strict=True):
                    for name, placed in conditions.items():
                        loan.setdefault(name, placed)
                return


def _spanning_products(rows: list[tuple[Line, Loan | None]], read: list[Loan], columns: list[_Column], page: int,
                       vocab: Vocabulary) -> None:
    """A product cell that spans several rows (merged cells) is drawn once, in the middle of its rows, on a line
    of its own: the rows without a product get it, each span being the rows centred on it, top down."""
    product_column = next((index for index, column in enumerate(columns) if column.name == "produit"), None)
    if product_column is None or all("produit" in loan for loan in read):
        return
    bounds = _bounds(columns)
    spans: list[tuple[float, str, str]] = []  # (middle, product, source), on a line of its own or on a row's
    for line, _ in rows:
        words = [w for w in line.words if bisect.bisect_right(bounds, (w.x0 + w.x1) / 2) == product_column]
        if words and (code := vocab.product(" ".join(w.text for w in words))):
            spans.append(((line.top + line.bottom) / 2, code, line.text))
    # (`read` holds the rows' loans in their order, some read again with their wrapped cells)
    placed = list(zip([line for line, loan in rows if loan is not None], read, strict=True))
    if not spans:
        return
    first = 0
    for middle, code, source in spans:
        if first >= len(placed):
            break
        top_line = placed[first][0]
        reach = 2 * middle - (top_line.top + top_line.bottom) / 2 + (top_line.bottom - top_line.top) / 2
        last = first
        while last < len(placed) and (placed[last][0].top + placed[last][0].bottom) / 2 <= reach:
            last += 1
        for _, loan in placed[first:last]:
            if "produit" not in loan:
                loan["produit"] = Placed(code, page, source[:240], INFERRED)
        first = last


def _no_prefinancing_said(loans: list[Loan], columns: list[_Column]) -> None:
    """A table with no préfinancement column whose durations say one for some loans (« 40 ans + 18 mois de
    préfinancement ») says none for the others: inferred, so one cue."""
    if any(c.name == "duree_prefinancement_mois" for c in columns) or not any(
            "duree_prefinancement_mois" in loan for loan in loans):
        return
    for loan in loans:
        amortisation = loan.get("duree_amortissement_mois")
        if amortisation is not None and "duree_prefinancement_mois" not in loan:
            loan["duree_prefinancement_mois"] = Placed(0, amortisation.page, amortisation.source, INFERRED)


def _with_wrapped_cells(rows: list[tuple[Line, Loan | None]], columns: list[_Column], page: int,
                        vocab: Vocabulary) -> list[tuple[Line, Loan | None]]:
    """The rows, each read again with the lines of text around it that are no row (a cell wrapped over two lines,
    « Acquisition » above and « foncière » below a row centred between them). A line with an amount in the
    amount's column is a row even when it was not read alone: its product may be such a wrapped cell."""
    bounds = _bounds(columns)

    def has_amount(line: Line) -> bool:
        return any(is_amount(cell.text) and columns[_column_of(cell.x0, cell.x1, bounds, columns)].name
                   == "montant_eur" for cell in line.cells)

    anchors = [number for number, (line, loan) in enumerate(rows) if loan is not None or has_amount(line)]
    if not anchors:
        return rows
    extra: dict[int, list[Line]] = {}
    for number, (line, _) in enumerate(rows):
        if number in anchors:
            continue
        middle = (line.top + line.bottom) / 2
        # A line of figures is wrapped cells (« du 01/09/2028 » above its row, « au 01/09/2068 » below) unless it
        # says an amount in the amount's column (then it is an anchor itself).
        distance, nearest = min((abs((rows[anchor][0].top + rows[anchor][0].bottom) / 2 - middle), anchor)
                                for anchor in anchors)
        if distance <= 2 * (line.bottom - line.top):
            extra.setdefault(nearest, []).append(line)
    out = list(rows)
    for anchor in anchors:
        line, loan = rows[anchor]
        if anchor in extra:
            words = [w for part in sorted([line, *extra[anchor]], key=lambda part: part.top) for w in part.words]
            loan = _row_loan(words, line.text, columns, page, vocab) or loan
        out[anchor] = (line, loan)
    return out


@dataclass
class _Column:
    x0: float
    x1: float
    text: str
    name: str = ""
    sure: float = 0.0


def _title(lines: list[Line], first: int, page: int, vocab: Vocabulary) -> Loan | None:
    """The product and nature a table's title names, on one of the two lines just above its header."""
    header = lines[first]
    for line in reversed(lines[max(0, first - 2):first]):
        if header.top - line.bottom > 2.5 * (header.bottom - header.top):
            break
        if said := _titled(line.text, page, vocab):
            return said
    return None


def _titled(title: str, page: int, vocab: Vocabulary) -> Loan:
    """The product and nature a sheet's or a table's title names (« Ligne du Prêt n° 1 – PLI foncier »): said
    once, beside no label, so one cue."""
    said: Loan = {}
    if code := vocab.product(title):
        said["produit"] = Placed(code, page, title[:240], PREFIX_ONLY)
    if nature := vocab.nature(title):
        said["nature"] = Placed(nature, page, title[:240], PREFIX_ONLY)
    return said


def _header(lines: list[Line], index: int, vocab: Vocabulary,
            need_amount: bool = True) -> tuple[list[_Column], int, int] | None:
    """(columns, index of the header's first line, index of the first line after it) when the line at `index`,
    with the lines of its wrapped cells just above and below it, names three characteristics or more, the amount
    among them."""
    line = lines[index]
    if len(line.cells) < 3 or _has_figures(line.text):
        return None
    height = statistics.median(w.bottom - w.top for w in line.words)

    def close(first: Line, second: Line) -> bool:
        return second.top - first.bottom < height and not _has_figures(first.text + second.text)

    start = index
    while start > 0 and close(lines[start - 1], lines[start]):
        start -= 1
    end = index + 1
    while end < len(lines) and close(lines[end - 1], lines[end]):
        end += 1
    # A line of phase titles over the labels (« Phase de préfinancement », « Phase d'amortissement »): the phases
    # the header's repeated labels (« Durée », « Marge ») belong to, left to right.
    phases: list[str] = []
    for row in lines[start:end]:
        titles = [vocab.section_of(cell.text) for cell in row.cells]
        if len(titles) >= 2 and all(titles):
            phases = [title for title in titles if title]
    # Header cells wrapped over several lines (centred vertically or not): the text aligned on one left edge,
    # one middle or one right edge.
    columns: list[_Column] = []
    for row in lines[start:end]:
        if phases and all(vocab.section_of(cell.text) for cell in row.cells):
            continue
        for cell in row.cells:
            column = next((c for c in columns if abs(c.x0 - cell.x0) <= _TOLERANCE
                           or abs(c.x0 + c.x1 - cell.x0 - cell.x1) <= 2 * _TOLERANCE
                           or abs(c.x1 - cell.x1) <= _TOLERANCE), None)
            if column is None:
                columns.append(_Column(cell.x0, cell.x1, cell.text))
            else:
                column.text = _join(column.text, cell.text)
                column.x0, column.x1 = min(column.x0, cell.x0), max(column.x1, cell.x1)
    split: list[_Column] = []
    for column in sorted(columns, key=lambda c: c.x0):
        split.extend(_header_cells(column, vocab))
    seen: dict[str, int] = {}  # how many times each label was met, left to right
    for column in split:
        name, column.sure = label_field(column.text, vocab)
        if name is None and (said := vocab.field_exact(column.text)) is not None:
            name, column.sure = said, SURE  # « Durée (amortissement) »: the words in parentheses say it
        label = fold(column.text)
        occurrence = seen[label] = seen.get(label, -1) + 1
        if phases and sum(fold(c.text) == label for c in split) > 1 and occurrence < len(phases):
            # the k-th « Durée » under the k-th phase: read in that phase (the préfinancement's margin is ignored)
            name, column.sure = vocab.in_section(phases[occurrence], column.text) or name, SURE
        column.name = name or ""
    if any(c.name == "duree_prefinancement_mois" for c in split):
        for column in split:
            if not column.name and (name := vocab.block_labels.get(fold(column.text))) is not None:
                column.name, column.sure = name, PREFIX_ONLY  # « Durée » beside « Préfinancement »
    named = {c.name for c in split if c.name and c.name != IGNORED}
    if len(named) < 3 or (need_amount and "montant_eur" not in named):
        return None
    return split, start, end


def _has_figures(text: str) -> bool:
    """Whether a line says figures, as a row of values does; a header's figures are in parentheses
    (« Montant garanti (quotité 40 %) »)."""
    return any(ch.isdigit() for ch in (_PARENTHESES.sub("", text) if "(" in text else text))


def _header_cells(column: _Column, vocab: Vocabulary) -> list[_Column]:
    """A header, or two when two headers touch ("Montant Préfinancement"): split where both halves are
    known labels (their edges estimated from the characters' share of the width)."""
    if label_field(column.text, vocab)[1] == SURE:
        return [column]
    words = column.text.split()
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if label_field(first, vocab)[1] == SURE and label_field(second, vocab)[1] == SURE:
            edge = column.x0 + (column.x1 - column.x0) * (len(first) + 1) / (len(column.text) + 1)
            return [_Column(column.x0, edge - 2, first), _Column(edge, column.x1, second)]
    return [column]


def _row_loan(words: list[Word], source: str, columns: list[_Column], page: int, vocab: Vocabulary,
              titled: Loan | None = None, complement: bool = False) -> Loan | None:
    """The loan of a row: its amount and its product or nature, from the row or (`titled`) its table's title; with
    `complement`, whatever the row says of a loan read elsewhere."""
    # A column runs to the middle of the gap between its header and the next one: a value aligned right
    # under a header aligned right, or a value wider than its header, stays in its column.
    # A run of words (two or more) that starts where a header does and ends before the next header starts is
    # that header's cell, however far past the middle of the gap it goes (« Livret A + 0,60 % » under a short
    # « Taux »).
    bounds = _bounds(columns)
    starts = [column.x0 - _TOLERANCE for column in columns]
    cells: dict[int, list[Word]] = {}
    for run in _runs(words):
        under = bisect.bisect_right(starts, run[0].x0) - 1
        if len(run) > 1 and under >= 0 and run[0].x0 <= columns[under].x0 + _TOLERANCE and (
                under + 1 == len(columns) or run[-1].x1 < columns[under + 1].x0):
            cells.setdefault(under, []).extend(run)
            continue
        if len(run) > 1 and is_amount(" ".join(word.text for word in run)):
            # « 886 097,20 » aligned right across a column's bound: one amount, in the column of its middle
            cells.setdefault(_column_of(run[0].x0, run[-1].x1, bounds, columns), []).extend(run)
            continue
        for word in run:
            cells.setdefault(_column_of(word.x0, word.x1, bounds, columns), []).append(word)
    loan: Loan = {}
    for index, said in cells.items():
        column = columns[index]
        if not column.name or column.name == IGNORED:
            continue
        text = " ".join(w.text for run in _runs(said) for w in run)  # line by line, left to right
        if column.name == "preteur":
            if vocab.lent_by_another(text):
                return None  # a financing plan's row lent by a bank: no loan of this letter
            continue
        kind = vocab.kinds[column.name]
        if kind == "montant":  # words in parentheses spilling from the cell before (« … (CDC) ») are no amount
            text = _PARENTHESES.sub(" ", text)
        text = with_unit(column.text, kind, text)
        for found, value, confidence in read_value(kind, text, column.sure, vocab):
            loan.setdefault(found or column.name, Placed(value, page, source[:240],
                                                         min(confidence, min(w.confidence for w in said))))
    if titled and "montant_eur" in loan and len(loan) >= 3:
        for name, placed in titled.items():
            loan.setdefault(name, placed)
    if complement:
        return loan or None
    if "montant_eur" not in loan or not ({"produit", "nature"} & set(loan)):
        return None
    if "marge_pct" in loan and any(c.name == "marge_ou_taux" for c in columns) and (
            "index" not in loan or loan["index"].value != "livret_a"):
        del loan["marge_pct"]  # « Marge / taux fixe » of a fixed-rate loan is its rate, not a margin
    return loan


def _bounds(columns: list[_Column]) -> list[float]:
    """Where each column of a table with one row per loan ends: the middle of the gap before the next header."""
    return [(left.x1 + right.x0) / 2 for left, right in pairwise(columns)]


def _column_of(x0: float, x1: float, bounds: list[float], columns: list[_Column]) -> int:
    """The column of a word or run: the one its middle falls in, unless it ends before that column starts (« 90 180 »
    aligned right under « Montant », its middle past the gap's middle, still ends before « Total (€) »)."""
    index = bisect.bisect_right(bounds, (x0 + x1) / 2)
    return index - 1 if index > 0 and x1 <= columns[index].x0 else index


def _runs(words: list[Word]) -> list[list[Word]]:
    """Words of each line in runs: a gap wider than a space (0.8 of the words' height) parts two runs."""
    if not words:
        return []
    height = max(statistics.median(w.bottom - w.top for w in words), 1.0)  # a hyphen's box is a line high
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.middle):
        if lines and word.middle - lines[-1][-1].middle < 0.5 * height:
            lines[-1].append(word)
        else:
            lines.append([word])
    runs: list[list[Word]] = []
    for line in lines:
        last: Word | None = None
        for word in sorted(line, key=lambda w: w.x0):
            if last is not None and word.x0 - last.x1 < 0.8 * height:
                runs[-1].append(word)
            else:
                runs.append([word])
            last = word
    return runs


def with_unit(label: str, kind: str, value: str) -> str:
    """A bare number with the unit its label gives in parentheses: « Durée d'amortissement (années) » over « 40 »
    is 40 years, « Marge fixe sur index (%) » over « 0,75 » a percentage."""
    value = value.strip()
    if kind in ("duree", "duree_ou_neant") and (unit := _HEADER_UNIT.search(label)) and value.isdigit():
        return f"{value} {unit.group(1)}"
    if _PERCENT_HEADER.search(label) and _BARE_NUMBER.fullmatch(value):
        return f"{value} %"
    return value


_HEADER_UNIT = re.compile(r"\((mois|ans|années)\)", re.IGNORECASE)
_PERCENT_HEADER = re.compile(r"\(\s*(?:en\s+)?%\s*\)")
_BARE_NUMBER = re.compile(r"[+-]?\s?\d{1,2}(?:[,.]\d{1,4})?")


def _ends_table(line: Line, columns: list[_Column]) -> bool:
    """The total row, or a paragraph: a cell running over three columns or more."""
    if fold(line.cells[0].text).startswith("total"):
        return True
    return any(sum(1 for c in columns if cell.x0 <= c.x0 + _TOLERANCE and c.x1 <= cell.x1 + _TOLERANCE) >= 3
               and cell.x0 <= columns[0].x0 + _TOLERANCE for cell in line.cells)


# ---------------------------------------------------------------- forms of boxes, the label above the value


def grid_loans(layouts: list[PageLayout]) -> list[Loan]:
    """Forms of boxes (« fiche de synthèse »): a line of labels, possibly wrapped, then the line of values
    whose cells start where the labels do, and so on; a heading (« PRÊT 2 ») or a characteristic met twice
    starts the next loan. A value is sure when its label is exactly a known one and it sits under it (two
    cues). Every loan must be read from two lines of labels or more: a table with one row per loan has one
    header line, and is read by `row_table_loans`."""
    vocab = vocabulary()
    loans: list[tuple[Loan, int]] = []  # (loan, label lines it was read from)
    current: Loan = {}
    pairs = 0

    def close() -> None:
        nonlocal current, pairs
        if current:
            loans.append((current, pairs))
        current, pairs = {}, 0

    for layout in layouts:
        lines = layout.lines
        index = 0
        while index < len(lines):
            line = lines[index]
            if len(line.cells) == 1 and _HEADING.match(line.text):
                close()
                index += 1
                continue
            found = _label_line(lines, index, vocab)
            if found is None or found[1] >= len(lines):
                index += 1
                continue
            columns, after = found
            said = _values_under(lines[after], columns, layout.number, vocab)
            if said is None:
                index = after
                continue
            if set(said) & set(current):
                close()
            current.update(said)
            pairs += 1
            index = after + 1
    close()
    kept = [loan for loan, read_from in loans if read_from >= 2 and len(set(loan) & _KEY_FIELDS) >= 2]
    return kept if any("montant_eur" in loan for loan in kept) else []


def _label_line(lines: list[Line], index: int, vocab: Vocabulary) -> tuple[list[_Column], int] | None:
    """(columns, index of the line after the labels) when the line at `index` is a line of labels: two
    cells or more, exactly known labels for at least two and half of them (with their wrapped ends on the
    lines just below)."""
    line = lines[index]
    if len(line.cells) < 2 or any(ch.isdigit() for ch in line.text):
        return None
    height = statistics.median(w.bottom - w.top for w in line.words)
    columns = [_Column(cell.x0, cell.x1, cell.text) for cell in line.cells]
    end = index + 1
    while end < len(lines):
        below = lines[end]
        if below.top - lines[end - 1].bottom >= 0.8 * height or any(ch.isdigit() for ch in below.text):
            break
        owners = [next((c for c in columns if abs(c.x0 - cell.x0) <= _TOLERANCE), None) for cell in below.cells]
        if any(owner is None for owner in owners):
            break
        for owner, cell in zip(owners, below.cells, strict=True):
            assert owner is not None
            owner.text = _join(owner.text, cell.text)
        end += 1
    for column in columns:
        name, column.sure = label_field(column.text, vocab)
        column.name = name or ""
    sure = sum(1 for c in columns if c.name and c.sure == SURE)
    return (columns, end) if sure >= 2 and 2 * sure >= len(columns) else None


def _values_under(line: Line, columns: list[_Column], page: int, vocab: Vocabulary) -> Loan | None:
    """The values of a line of boxes under its labels: every cell starts where a label does."""
    owners = [next((c for c in columns if abs(c.x0 - cell.x0) <= _TOLERANCE), None) for cell in line.cells]
    if any(owner is None for owner in owners) or 2 * len(owners) < len(columns):
        return None
    loan: Loan = {}
    for owner, cell in zip(owners, line.cells, strict=True):
        assert owner is not None
        if not owner.name or owner.name == IGNORED:
            continue
        for found, value, confidence in read_value(vocab.kinds[owner.name], cell.text, owner.sure, vocab):
            loan.setdefault(found or owner.name, Placed(value, page, f"{owner.text} : {cell.text}"[:240],
                                                        min(confidence, cell.confidence)))
    return loan
