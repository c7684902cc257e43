"""Loans of a double-entry table: products down the first column, natures across the header (« Charge
foncière », « Bâti / construction »), and in each filled cell one Ligne du Prêt or more (« Ligne 1 », its amount,
its durations, its rate), read as a short text. The nature is the cell's column, the product its row."""

from __future__ import annotations

from itertools import pairwise

from ami.domain.extraction.french import AMOUNT_RE, euros_str, parse_figures
from ami.domain.extraction.layout import Line, PageLayout, Word
from ami.domain.extraction.loan_line import LoanLine
from ami.domain.extraction.regions import LINE_NUMBER, characteristics
from ami.domain.extraction.tables import Loan, Placed
from ami.domain.extraction.vocabulary import Vocabulary, vocabulary

CELL = 0.8  # the column and the row say the nature and the product; the cell is read as prose: one cue each


def matrix_loans(layouts: list[PageLayout]) -> list[Loan]:
    vocab = vocabulary()
    loans: list[Loan] = []
    for layout in layouts:
        lines = layout.lines
        for index, line in enumerate(lines):
            natures = _natures(line, vocab)
            if natures:
                loans.extend(_table(lines[index + 1 :], line, natures, layout.number, vocab))
    return loans


def _natures(line: Line, vocab: Vocabulary) -> list[tuple[float, str | None]]:
    """(left edge, nature) of each column of a header whose first cell names no nature and whose next cells, two
    or more and no figures, each name one; columns after them (« Total ») are kept with no nature."""
    if len(line.cells) < 3 or any(ch.isdigit() for ch in line.text) or vocab.nature(line.cells[0].text):
        return []
    natures = [(cell.x0, vocab.nature(cell.text)) for cell in line.cells[1:]]
    named = next((index for index, (_, nature) in enumerate(natures) if nature is None), len(natures))
    return natures if named >= 2 and not any(nature for _, nature in natures[named:]) else []


def _table(lines: list[Line], header: Line, natures: list[tuple[float, str | None]], page: int,
           vocab: Vocabulary) -> list[Loan]:
    """The loans of the table under `header`, row band by row band, cell by cell."""
    first_column = natures[0][0]
    bounds = [(left + right) / 2 for (left, _), (right, _) in pairwise(natures)]
    loans: list[Loan] = []
    product: str | None = None
    cells: dict[int, list[Line]] = {}

    def close() -> None:
        for column in sorted(cells):
            if (nature := natures[column][1]) is not None:  # (a « Total » column is no loan's)
                loans.extend(_cell_loans(cells[column], nature, product, page))
        cells.clear()

    for line in lines:
        head = [w for w in line.words if w.x1 < first_column - 2]
        rest = [w for w in line.words if w.x1 >= first_column - 2]
        if any(w.x0 < first_column - 2 and w.x1 > first_column + 20 for w in line.words):
            break  # a paragraph across the table ends it
        if head and (code := vocab.product(" ".join(w.text for w in head))):
            close()
            product = code
        elif head:
            break  # « Total » or another row than a product's
        by_column: dict[int, list[Word]] = {}
        for word in rest:
            by_column.setdefault(sum(1 for bound in bounds if (word.x0 + word.x1) / 2 >= bound), []).append(word)
        for column, words in by_column.items():
            cells.setdefault(column, []).append(Line(words))
    close()
    return loans if len(loans) >= 1 and all("montant_eur" in loan for loan in loans) else []


def _cell_loans(lines: list[Line], nature: str, product: str | None, page: int) -> list[Loan]:
    """The Lignes du Prêt of one cell: « Ligne 1 » starts each, else the cell is one loan."""
    parts: list[list[str]] = []
    for line in lines:
        if not parts or LINE_NUMBER.match(line.text.strip()):
            parts.append([])
        parts[-1].append(line.text)
    loans = []
    for part in parts:
        text = "\n".join(part)  # (« Ligne 2 » over « 306 930,96 € » is no amount of 2 306 930,96 €)
        amount = AMOUNT_RE.search(text)
        if amount is None or (value := parse_figures(amount.group(1), amount.group(2))) is None:
            continue
        source = " ".join(text.split())[:240]
        loan: Loan = {"montant_eur": Placed(euros_str(value), page, source, CELL),
                      "nature": Placed(nature, page, source, CELL)}
        if product:
            loan["produit"] = Placed(product, page, source, CELL)
        said = LoanLine(anchor=0)
        characteristics(text, 0, said, CELL)
        for name, (read, *_) in said.values.items():
            loan.setdefault(name, Placed(read, page, source, CELL))
        loans.append(loan)
    return loans
