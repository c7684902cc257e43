"""Fields of a Banque des Territoires lettre d'offre (or d'intention), each with page, source and confidence.

Three shapes of loan description are read: a table (one row per loan, possibly over several pages),
one block per loan ("Prêt n° 2 — PLS bâti" then labelled lines, possibly in two columns), and one
sentence per loan ("Prêt PLI foncier de 1 234 567,89 € : …"). Sentences only complete what a table or
blocks said, unless the letter has neither.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from ami.domain.extraction import Check, ExtractedField, matrix, prose, regions, tables
from ami.domain.extraction.document import Document, extracted, is_footer, occurrences
from ami.domain.extraction.french import (
    AMOUNT_RE,
    AMOUNT_UNIT_FIRST_RE,
    DATE_RE,
    DURATION_RE,
    FIGURES,
    PERCENT_RE,
    TEXT_DATE,
    date_from_match,
    duration_months,
    euros_str,
    format_euros_fr,
    luhn_ok,
    parse_amount_words,
    parse_figures,
    words_amount_span,
    words_to_int,
)
from ami.domain.extraction.loan_line import LoanLine
from ami.domain.extraction.ocr import OCR_CONFIDENCE
from ami.domain.extraction.tables import Placed, indexed_rate, label_field, with_unit
from ami.domain.extraction.values import (
    MARGIN_RE,
    TOTAL_DURATION,
    margin_of,
    read_value,
    total_with_prefinancing,
)
from ami.domain.extraction.vocabulary import IGNORED, Vocabulary, fold, vocabulary
from ami.domain.wording import compte

PRODUCTS = ("PLAI", "PLUS", "PLS", "PLI", "PHB", "PAM", "PSLA", "CPLS", "PHARE", "PEB")
_PRODUCT = r"\b(" + "|".join(PRODUCTS) + r")\b"
_NATURE = r"(fonci(?:er|ère)|b[âa]ti)"
_INDEX_RE = re.compile(
    r"(livret\s*a|taux\s+fixe|euribor(?:\s+\d+\s*mois)?|\bTF\b)\s*(?::\s*)?(?:avec\s+une\s+marge\s+de\s*)?"
    r"((?:[+\-−]|plus|moins)?\s*(?:\d{1,2}(?:[,.]\d{1,4})?\s*%|\d{1,3}\s*(?:points?\s+de\s+base|pdb|pb)\b))?",
    re.IGNORECASE,
)
_PERIODICITY_RE = re.compile(r"\b(annuelle|semestrielle|trimestrielle|mensuelle)s?\b", re.IGNORECASE)
_PERIODICITY_ADJ_RE = re.compile(r"échéances?\s+(annuelle|semestrielle|trimestrielle|mensuelle)s?", re.IGNORECASE)
_PROFILE_RE = re.compile(
    r"amortissement\s+(progressif|constant|in\s+fine)|(?:profil[^:\n]*:\s*)(progressif|constant|in\s+fine|"
    r"échéances\s+constantes)",
    re.IGNORECASE,
)
_RATE_TYPE_RE = re.compile(
    r"(double\s+révisabilité|non\s+révisable|révisable|taux\s+fixe|(?<!marge\s)fixe)", re.IGNORECASE
)
_KEY_FIELDS = ("nature", "montant_eur", "duree_amortissement_mois", "duree_prefinancement_mois", "index")
_EMPTY_CELL_RE = re.compile(r"(?<!\S)(?:-|—|–|néant|sans|aucun)(?!\S)", re.IGNORECASE)


@dataclass
class LetterExtraction:
    fields: list[ExtractedField]
    checks: list[Check]


def extract(pages: list[str] | Document) -> LetterExtraction:
    doc = pages if isinstance(pages, Document) else Document(pages)
    fields: list[ExtractedField] = []
    checks: list[Check] = []
    _header(doc, fields)
    counted = 0.9
    loans = (_geometry_loans(doc) or _table_loans(doc) or _block_loans(doc) or _pair_loans(doc)
             or prose.article_loans(doc))
    if loans and len(_BLOCK_RE.findall(doc.text)) > len(loans):
        # More loans headed « Prêt 2 » than a table gave (labels padded with dots read as a table): the blocks,
        # when each of them says its amount.
        blocks = _block_loans(doc)
        if len(blocks) > len(loans) and all(block.has("montant_eur") for block in blocks):
            loans = blocks
    if not loans:
        # Loans said in sentences: the stricter reader, unless the looser one finds more; the count is two
        # cues only when the letter names a product as many times (« un prêt PLI … », « un prêt PLS … »).
        sentences, said = _sentence_loans(doc, []), prose.loans(doc)
        loans = said if len(said) > len(sentences) else _complete(sentences, said)
        counted = 0.9 if len(loans) == prose.products_named(doc.text) else 0.8
        _no_prefinancing_said(loans)
    if loans:
        _sentence_loans(doc, loans)  # completes what a table or block did not say
    for loan in loans:
        rest_of_total(loan)  # (before the regions complete a loan: the loan's own total and préfinancement first)
    if not loans or any(not loan.has(name) for loan in loans for name in _KEY_FIELDS):
        # A layout no reader knows, or a loan some characteristic of which no reader found: the loans' regions.
        found = regions.loans(doc, _labelled_values)
        if loans:
            _complete(loans, found)
        else:
            loans, counted = found, regions.REGION_CONFIDENCE
    for index, loan in enumerate(loans):
        rest_of_total(loan)
        _amount_words(doc, loan, index, checks)
        for name, (value, start, end, confidence) in sorted(loan.values.items()):
            fields.append(doc.field(f"prets[{index}].{name}", value, start, end, confidence))
        for name, placed in sorted(loan.placed.items()):
            fields.append(extracted(f"prets[{index}].{name}", placed.value, placed.page, placed.source,
                                    placed.confidence))
    if loans:
        fields.append(
            ExtractedField(name="prets.nombre", value=len(loans), page=doc.page_of(loans[0].anchor),
                           source=doc.source(loans[0].anchor, loans[0].anchor + 1), confidence=counted)
        )
    if _total(doc, fields, loans, checks) | _count(doc, loans, checks):
        # The letter's own total or count says a loan was missed or misread: no loan value is sure, nor their
        # count.
        fields = [f.model_copy(update={"confidence": DOUBTFUL}) if f.name.startswith("prets")
                  and f.confidence > DOUBTFUL else f for f in fields]
    _guarantee(doc, fields)
    if doc.scanned:
        # Read by OCR: every value is one the instructor checks on the document.
        fields = [f.model_copy(update={"confidence": min(f.confidence, OCR_CONFIDENCE)}) for f in fields]
    return LetterExtraction(fields=fields, checks=checks)


def _geometry_loans(doc: Document) -> list[LoanLine]:
    """Loans of a transposed table, else of a form of boxes, else of a table with one row per loan, else of a
    double-entry table (products down, natures across), read from the words' positions."""
    if not doc.layouts:
        return []
    layouts = doc.layouts
    found = (tables.transposed_loans(layouts) or tables.grid_loans(layouts) or tables.row_table_loans(layouts)
             or matrix.matrix_loans(layouts))
    loans = []
    for placed in found:
        page = min(value.page for value in placed.values())
        loans.append(LoanLine(anchor=doc.starts[page - 1] if page <= len(doc.starts) else 0, placed=dict(placed)))
    return loans


# ---------------------------------------------------------------- header


_KIND_RE = re.compile(
    r"(lettre\s+d'intention|intention\s+de\s+financement)|(lettre\s+d'offre|offre\s+de\s+(?:prêts?|financement))",
    re.IGNORECASE,
)
_REFERENCE_RE = re.compile(
    r"(?:nos\s+réf(?:érences?)?\.?|notre\s+référence|référence(?:\s+de\s+l'offre)?|réf\.)\s*:\s*"
    r"([A-Z0-9][A-Z0-9/_.\-]{2,40})",
    re.IGNORECASE,
)
_LETTER_DATE_RE = re.compile(
    r"^(?:[A-ZÀ-Ý][\w' \-]{1,40},\s*)?le\s+(" + TEXT_DATE + r")\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_DATED_RE = re.compile(r"(?:^|\n)\s*date(?:\s+de\s+l'offre|\s+d'émission)?\s*:\s*", re.IGNORECASE)
_VALIDITY_RE = re.compile(
    r"(?:valable|valide|validité)[^\n.]{0,40}?(?:jusqu'au|au|:)\s*", re.IGNORECASE
)
_VALIDITY_WORDS = ("valable", "valid")  # what every match of _VALIDITY_RE starts with
_SIREN_RE = re.compile(r"\bSIREN\s*(?:n°|no|:)?\s*:?\s*(\d{3}[ ]?\d{3}[ ]?\d{3})\b", re.IGNORECASE)
_BORROWER_RE = re.compile(r"^\s*(?:emprunteur|bénéficiaire|maître\s+d'ouvrage)\s*:\s*(.+?)\s*$",
                          re.IGNORECASE | re.MULTILINE)
_OPERATION_RE = re.compile(r"opération\s*(?::\s*)?«\s*([^»\n]{2,120}?)\s*»(?:\s*(?:à|,\s*située\s+à)\s+"
                           r"([A-ZÀ-Ý][\w'\- ]{1,60}?))?\s*(?:[,.;()\n]|$)", re.IGNORECASE)
_OPERATION_LABEL_RE = re.compile(r"^\s*(?:opération|programme)\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_COMMUNE_RE = re.compile(r"^\s*commune\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def _header(doc: Document, fields: list[ExtractedField]) -> None:
    text = doc.text
    first_page_end = doc.starts[1] if len(doc.starts) > 1 else len(text)
    if kind := _KIND_RE.search(text[:first_page_end]):
        fields.append(doc.field("type_lettre", "intention" if kind.group(1) else "offre",
                                kind.start(), kind.end(), 0.9))
    if ref := _REFERENCE_RE.search(text):
        fields.append(doc.field("reference", ref.group(1).rstrip("."), ref.start(1), ref.end(1), 0.95))
    dated = _LETTER_DATE_RE.search(text[:first_page_end])
    if dated and (day := DATE_RE.search(dated.group(0))):
        value = date_from_match(day)
        if value:
            fields.append(doc.field("date_lettre", value.isoformat(), dated.start(), dated.end(), 0.95))
    elif (label := _DATED_RE.search(text)) and (day := DATE_RE.match(text, label.end())):
        value = date_from_match(day)
        if value:
            fields.append(doc.field("date_lettre", value.isoformat(), label.start(), day.end(), 0.9))
    for validity in doc.finditer_at(_VALIDITY_RE, _VALIDITY_WORDS):
        day = DATE_RE.match(text, validity.end())
        if day and (value := date_from_match(day)):
            fields.append(doc.field("date_validite", value.isoformat(), validity.start(), day.end(), 0.95))
            break
    if siren := _SIREN_RE.search(text):
        digits = siren.group(1).replace(" ", "")
        fields.append(doc.field("emprunteur.siren", digits, siren.start(1), siren.end(1),
                                0.97 if luhn_ok(digits) else 0.5))
    if borrower := _BORROWER_RE.search(text):
        fields.append(doc.field("emprunteur.raison_sociale", borrower.group(1), borrower.start(1),
                                borrower.end(1), 0.9))
    elif siren:
        # The address block: the name is the line just above "SIREN : …".
        line_start = text.rfind("\n", 0, siren.start()) + 1
        before = text[:line_start].rstrip("\n")
        previous_start = before.rfind("\n") + 1
        name = before[previous_start:].strip()
        if name and ":" not in name and not re.search(r"\d{5}", name):
            fields.append(doc.field("emprunteur.raison_sociale", name, previous_start,
                                    previous_start + len(name), 0.8))
    if operation := _OPERATION_RE.search(text):
        fields.append(doc.field("operation.nom", operation.group(1), operation.start(1), operation.end(1), 0.9))
        if operation.group(2):
            fields.append(doc.field("operation.commune", operation.group(2).strip(), operation.start(2),
                                    operation.end(2), 0.85))
    elif labelled := _OPERATION_LABEL_RE.search(text):
        fields.append(doc.field("operation.nom", labelled.group(1).strip("«» "), labelled.start(1),
                                labelled.end(1), 0.85))
    if not any(f.name == "operation.commune" for f in fields) and (commune := _COMMUNE_RE.search(text)):
        fields.append(doc.field("operation.commune", commune.group(1), commune.start(1), commune.end(1), 0.9))


# ---------------------------------------------------------------- loan table


_HEADER_RE = re.compile(r"^.*\bproduit\b.*\bmontant\b.*$", re.IGNORECASE)
_ROW_RE = re.compile(r"^\s*" + _PRODUCT + r"(?=\s)", re.IGNORECASE)
_TOTAL_RE = re.compile(r"^\s*(?:montant\s+)?total\b", re.IGNORECASE)
_DURATION_COLUMNS = (
    ("duree_prefinancement_mois", re.compile(r"préfin", re.IGNORECASE)),
    ("differe_mois", re.compile(r"différé", re.IGNORECASE)),
    ("duree_amortissement_mois", re.compile(r"amort|durée", re.IGNORECASE)),
)


def _duration_columns(header: str) -> list[str]:
    """Names of the duration columns of the table, in their order across the header."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _DURATION_COLUMNS:
        for match in pattern.finditer(header):
            if any(s <= match.start() < e for s, e in taken):
                continue
            found.append((match.start(), name))
            taken.append((match.start(), match.start() + 12))
            break
    return [name for _, name in sorted(found)]


def _table_loans(doc: Document) -> list[LoanLine]:
    lines = doc.lines()
    loans: list[LoanLine] = []
    header_seen = False
    columns: list[str] = []
    # No line that ends before the first "produit" can be the header (see `Document.lower`).
    first = doc.lower.find("produit") if doc.lower is not None else 0
    if first < 0:
        return loans
    for offset, line in lines:
        if not header_seen:
            if offset + len(line) > first and _HEADER_RE.match(line):
                header_seen, columns = True, _duration_columns(line)
            continue
        stripped = line.strip()
        if not stripped or stripped == "\f" or is_footer(stripped) or _HEADER_RE.match(line):
            continue
        if _TOTAL_RE.match(line):
            break
        if not _ROW_RE.match(line):
            if loans and not _looks_like_page_top(stripped):
                break
            continue
        loans.append(_table_row(offset, line, columns))
    return loans


def _looks_like_page_top(line: str) -> bool:
    """A repeated letter head or a '(suite)' line between the two halves of a table."""
    return bool(re.search(r"suite|banque des territoires|offre de prêts", line, re.IGNORECASE))


def _table_row(offset: int, line: str, columns: list[str]) -> LoanLine:
    loan = LoanLine(anchor=offset)
    product = _ROW_RE.match(line)
    assert product is not None
    loan.put("produit", product.group(1).upper(), offset + product.start(1), offset + product.end(1), 0.95)
    rest_from = product.end()
    if nature := re.compile(_NATURE, re.IGNORECASE).search(line, rest_from):
        loan.put("nature", _nature(nature.group(1)), offset + nature.start(), offset + nature.end(), 0.95)
    amount = AMOUNT_RE.search(line, rest_from)
    if amount and (value := parse_figures(amount.group(1), amount.group(2))) is not None:
        loan.put("montant_eur", euros_str(value), offset + amount.start(), offset + amount.end(), 0.95)
        rest_from = amount.end()
    _index(line, offset, loan, rest_from, 0.92)
    # Duration cells, in column order; an empty cell ("-", "néant") keeps the next one in its column.
    region = line[rest_from:]
    for pattern in (_INDEX_RE, PERCENT_RE, _PERIODICITY_RE):
        region = pattern.sub(lambda m: " " * len(m.group(0)), region)
    cells: list[tuple[int | None, int, int]] = []
    for match in re.finditer(DURATION_RE.pattern + "|" + _EMPTY_CELL_RE.pattern, region, re.IGNORECASE):
        months = duration_months(match) if match.group(1) else None
        cells.append((months, rest_from + match.start(), rest_from + match.end()))
    if len(cells) == len(columns):
        for name, (months, start, end) in zip(columns, cells, strict=True):
            if months is not None:
                loan.put(name, months, offset + start, offset + end, 0.92)
            elif name in ("differe_mois", "duree_prefinancement_mois"):
                loan.put(name, 0, offset + start, offset + end, 0.9)  # "-" in that column: none
    if periodicity := _PERIODICITY_RE.search(line, rest_from):
        loan.put("periodicite", periodicity.group(1).lower(), offset + periodicity.start(),
                 offset + periodicity.end(), 0.92)
    if profile := _PROFILE_RE.search(line, rest_from):
        loan.put("profil_amortissement", _profile(profile.group(1) or profile.group(2)),
                 offset + profile.start(), offset + profile.end(), 0.9)
    return loan


def _index(text: str, offset: int, loan: LoanLine, start: int, confidence: float) -> None:
    index = _INDEX_RE.search(text, start)
    if not index:
        return
    name = index.group(1).lower()
    kind = "livret_a" if name.startswith("livret") else "euribor" if name.startswith("euribor") else "taux_fixe"
    loan.put("index", kind, offset + index.start(), offset + index.end(1), confidence)
    if index.group(2) and (margin := MARGIN_RE.search(index.group(2))):
        loan.put("marge_pct", decimal_str2(margin_of(margin)), offset + index.start(), offset + index.end(),
                 confidence)
    if kind == "taux_fixe":
        loan.put("type_taux", "fixe", offset + index.start(), offset + index.end(), confidence)


def decimal_str2(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _nature(word: str) -> str:
    return "foncier" if word.lower().startswith("fonci") else "bati"


def _profile(word: str) -> str:
    word = word.lower()
    if "fine" in word:
        return "in_fine"
    if "échéances" in word:
        return "echeances_constantes"
    return word


# ---------------------------------------------------------------- one block per loan

_BLOCK_RE = re.compile(r"^\s*(?:pr[êe]t|ligne(?:\s+du\s+pr[êe]t)?)\s*(?:n°|no|numéro)?\s*(\d{1,2})\b(?!\s*%)[^\n]*$",
                       re.IGNORECASE | re.MULTILINE)
_BLOCK_END_RE = re.compile(
    r"^\s*(?:garantie(?:s)?\s*$|validité|conditions\s+générales|nous\s+vous\s+prions|veuillez\s+agréer|"
    r"total\b|montant\s+total)",
    re.IGNORECASE | re.MULTILINE,
)
_SEP = r"\s*(?::|=)?\s*"
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("produit", r"produit" + _SEP + _PRODUCT),
        ("nature", r"nature(?:\s+du\s+prêt)?" + _SEP + _NATURE),
        ("montant_eur", r"montant(?:\s+du\s+prêt)?" + _SEP + r"(?=\d|€|EUR\b)"),
        ("duree_prefinancement_mois", r"(?:durée\s+(?:de\s+(?:la\s+(?:phase\s+de\s+)?)?)?)?préfinancement"
                                      + _SEP + r"(?=\d|néant|sans|aucun|-)"),
        ("duree_amortissement_mois", r"durée(?:\s+(?:de\s+(?:la\s+phase\s+)?)?d'amortissement|\s+du\s+prêt)?"
                                     + _SEP + r"(?=\d)"),
        ("differe_mois", r"différé(?:\s+d'amortissement)?" + _SEP + r"(?=\d|néant|sans|aucun|-)"),
        ("periodicite", r"périodicité(?:\s+des\s+échéances)?" + _SEP
                        + r"(annuelle|semestrielle|trimestrielle|mensuelle)"),
        ("index", r"(?:index|taux(?:\s+d'intérêt)?)" + _SEP + r"(?=livret|taux\s+fixe|euribor|TF\b)"),
        ("marge_pct", r"marge(?:\s+fixe)?(?:\s+sur\s+index)?" + _SEP + r"(?=[+\-−\d])"),
        ("type_taux", r"type\s+de\s+taux" + _SEP + r"(double\s+révisabilité|non\s+révisable|révisable|fixe)"),
        ("profil_amortissement", r"profil(?:\s+d'amortissement)?" + _SEP
                                 + r"(progressif|constant|in\s+fine|échéances\s+constantes)"),
        ("garantie", r"garantie" + _SEP + r"([^\n]{3,160})"),
    )
)


def _block_loans(doc: Document) -> list[LoanLine]:
    text = doc.text
    anchors = list(_BLOCK_RE.finditer(text))
    if not anchors:
        return []
    loans = []
    for number, anchor in enumerate(anchors):
        end = anchors[number + 1].start() if number + 1 < len(anchors) else len(text)
        if closing := _BLOCK_END_RE.search(text, anchor.end(), end):
            end = closing.start()
        loan = LoanLine(anchor=anchor.start())
        head = anchor.group(0)
        if product := re.search(_PRODUCT, head, re.IGNORECASE):
            loan.put("produit", product.group(1).upper(), anchor.start() + product.start(),
                     anchor.start() + product.end(), 0.95)
        if nature := re.search(_NATURE, head, re.IGNORECASE):
            loan.put("nature", _nature(nature.group(1)), anchor.start() + nature.start(),
                     anchor.start() + nature.end(), 0.95)
        elif said := vocabulary().nature(head[anchor.end(1) - anchor.start():]):
            loan.put("nature", said, anchor.start(), anchor.end(), 0.92)
        hidden = _section_values(doc, loan, anchor.end(), end)
        _labelled_values(doc, loan, anchor.end(), end, hidden)
        _block_values(doc, loan, anchor.end(), end, hidden)
        if not (loan.has("duree_amortissement_mois") and loan.has("duree_prefinancement_mois")):
            _labelled_values(doc, loan, anchor.end(), end, hidden, bare_only=True)
        loans.append(loan)
    numbers = [int(anchor.group(1)) for anchor in anchors]
    if len(set(numbers)) == len(numbers):  # blocks in two columns: the loans in their numbers' order
        loans = [loan for _, loan in sorted(zip(numbers, loans, strict=True), key=lambda pair: pair[0])]
    return loans


# ---------------------------------------------------------------- « Label : value » pairs, several a line

_PAIRS = 0.9  # a known label and a value of the right form, but the pair cut out of a line of several
_PAIR_KEYS = frozenset({"montant_eur", "duree_amortissement_mois", "duree_prefinancement_mois", "marge_pct",
                        "nature", "index"})


def _pair_loans(doc: Document) -> list[LoanLine]:
    """Characteristics written as « Label : value » pairs, two or more on a line (the header of a « Tableau
    d'amortissement »: « Montant : 9 935 597,04 € » beside « Périodicité : Annuelle »), in the letter's order;
    a characteristic met twice starts the next loan. Only loans that say their amount and two other key
    fields are kept, and only when every loan does."""
    vocab = vocabulary()
    loans: list[LoanLine] = []
    current: LoanLine | None = None
    for offset, line in doc.lines():
        if line.count(":") < 1 or len(line) > 200:
            continue
        for label, value, start, end in _pairs_of(line, vocab):
            name, sure = label_field(label, vocab)
            if name is None or name == IGNORED:
                continue
            said = read_value(vocab.kinds[name], value, min(sure, _PAIRS), vocab)
            if not said:
                continue
            names = {found or name for found, _, _ in said}
            if current is None or names & set(current.values):
                current = LoanLine(anchor=offset + start)
                loans.append(current)
            for found, read, confidence in said:
                current.put(found or name, read, offset + start, offset + end, confidence)
    kept = [loan for loan in loans if "montant_eur" in loan.values and len(set(loan.values) & _PAIR_KEYS) >= 3]
    return kept if kept and len(kept) == len([loan for loan in loans if "montant_eur" in loan.values]) else []


def _pairs_of(line: str, vocab: Vocabulary) -> list[tuple[str, str, int, int]]:
    """(label, value, start, end) of each « Label : value » of a line: between two colons, the value is what
    comes before the longest run of last words that is a known label."""
    parts = line.split(":")
    if len(parts) < 2:
        return []
    out: list[tuple[str, str, int, int]] = []
    label, label_start = parts[0], 0
    position = len(parts[0]) + 1
    for index, part in enumerate(parts[1:], start=1):
        value, next_label = part, ""
        if index < len(parts) - 1:
            words = part.split()
            for cut in range(1, len(words)):
                tail = " ".join(words[cut:])
                if vocab.field_exact(tail) is not None:
                    value, next_label = " ".join(words[:cut]), tail
                    break
            else:
                value, next_label = part, ""
        out.append((label, value, label_start, position + len(part)))
        label_start = position + part.rfind(next_label) if next_label else position + len(part)
        label = next_label
        position += len(part) + 1
    return [pair for pair in out if pair[0].strip()]


_IN_SECTION = 0.92  # a label that names its field only in its section, and a value of the right form


def _section_values(doc: Document, loan: LoanLine, start: int, end: int) -> list[tuple[int, int]]:
    """Lines of a block under a section title (« Phase de préfinancement », then « Durée 24 mois »; « Phase
    d'amortissement », then « Durée 40 ans »): a label that names a field only in its section is read
    here. Returns the spans of the préfinancement's section, whose index, margin and rate the other
    readers must not take for the loan's."""
    vocab = vocabulary()
    section: str | None = None
    opened_at = start
    hidden: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+", doc.text[start:end]):
        line_start, line_end = start + match.start(), start + match.end()
        line = match.group(0).strip()
        if title := vocab.section_of(line):
            if section == "prefinancement":
                hidden.append((opened_at, line_start))
            section, opened_at = title, line_start
            continue
        if section is None:
            continue
        label, value_text = _section_label(vocab, section, line)
        if label is None or label == IGNORED:
            continue
        for found, value, confidence in read_value(vocab.kinds[label], value_text, _IN_SECTION, vocab):
            loan.put(found or label, value, line_start, line_end, confidence)
    if section == "prefinancement":
        hidden.append((opened_at, end))
    return hidden


def _section_label(vocab: Vocabulary, section: str, line: str) -> tuple[str | None, str]:
    """(field, value text) of a line whose first words (before a colon, or the longest run of them) are a
    label of the section."""
    head, colon, tail = line.partition(":")
    if colon:
        return vocab.in_section(section, head), tail
    words = line.split()
    for cut in range(min(len(words) - 1, 6), 0, -1):
        if (name := vocab.in_section(section, " ".join(words[:cut]))) is not None:
            return name, " ".join(words[cut:])
    return None, ""


def _outside(position: int, hidden: list[tuple[int, int]]) -> bool:
    return not any(low <= position < high for low, high in hidden)


_BLOCK_ONLY = 0.85  # a label that names its field only in a block (vocabulaire.toml, [blocs])


_PAIR_SEPARATOR_RE = re.compile(r"\s[·•|;]\s")


def _labelled_values(doc: Document, loan: LoanLine, start: int, end: int,
                     hidden: list[tuple[int, int]] | None = None, *, bare_only: bool = False) -> None:
    """'Label : value' lines of a block, the label matched with the vocabulary (a value wrapped onto the next
    line is joined to it): a known label and a value of the right form are two cues."""
    vocab = vocabulary()
    said: list[list[int]] = []  # [label start, colon, value end]
    bare: list[list[int]] = []  # the same for « Préfi. 18 mois », a label without a colon
    for match in re.finditer(r"[^\n]+", doc.text[start:end]):
        line_start, line_end = start + match.start(), start + match.end()
        if hidden and not _outside(line_start, hidden):
            continue
        colon = doc.text.find(":", line_start, line_end)
        if colon > line_start:
            # « Préfinancement : 24 mois · Amortissement : 60 ans · Taux : … »: several pairs on one line
            cuts = [m.end() for m in _PAIR_SEPARATOR_RE.finditer(doc.text, colon, line_end)
                    if doc.text.find(":", m.end(), line_end) >= 0] if doc.text.count(":", colon + 1, line_end) else []
            for pair_start, pair_end in pairwise([line_start, *cuts, line_end]):
                if (pair_colon := doc.text.find(":", pair_start, pair_end)) > pair_start:
                    said.append([pair_start, pair_colon, pair_end])
        elif said and not is_footer(match.group(0)) and match.group(0).strip() != "\f":
            said[-1][2] = line_end
        elif bare_only and not said and (cut := _bare_label(vocab, match.group(0))):
            bare.append([line_start, line_start + cut, line_end])
    if bare_only:
        # A block whose every label is followed by its value without a colon (« Préfi. 18 mois »): one cue
        # less, and only what the other readers did not say.
        if said:
            return
        said = bare
    prefinancing_said = any(label_field(doc.text[label_start:colon], vocab)[0] == "duree_prefinancement_mois"
                            for label_start, colon, _ in said)
    for label_start, colon, value_end in said:
        name, sure = label_field(doc.text[label_start:colon], vocab)
        if name is None and prefinancing_said:
            name, sure = vocab.block_labels.get(fold(doc.text[label_start:colon]).rstrip(" :")), _BLOCK_ONLY
        value_text = doc.text[colon + (0 if bare_only else 1) : value_end].replace("\n", " ")
        if name == IGNORED and indexed_rate(doc.text[label_start:colon], value_text):
            name, sure = "taux", _BLOCK_ONLY
        if name is None or name == IGNORED:
            continue
        if bare_only:
            sure = min(sure, _BLOCK_ONLY)
        value_text = with_unit(doc.text[label_start:colon], vocab.kinds[name], value_text)  # « … (mois) : 18 »
        end = value_end
        if name == "montant_eur" and (figures := AMOUNT_RE.search(doc.text, colon, value_end)):
            end = figures.end()  # the amount in words that may follow is checked against it
        for found, value, confidence in read_value(vocab.kinds[name], value_text, sure, vocab):
            loan.put(found or name, value, label_start, end, confidence)


def _bare_label(vocab: Vocabulary, line: str) -> int:
    """Where the value starts on a line whose first words (three at most) are exactly a known label and the
    rest has a figure (« Préfi. 18 mois », « Taux Livret A + 0,60 % »); 0 when it is not such a line."""
    words = line.split()
    if len(words) < 2 or not (any(ch.isdigit() for ch in line) or vocab.is_empty(words[-1])):
        return 0
    for cut in range(min(3, len(words) - 1), 0, -1):
        name = vocab.field_exact(" ".join(words[:cut]))
        if name is not None and name != IGNORED:
            return line.index(words[cut - 1]) + len(words[cut - 1])
    return 0


def _block_values(doc: Document, loan: LoanLine, start: int, end: int,
                  hidden: list[tuple[int, int]] | None = None) -> None:
    text = doc.text
    for name, pattern in _LABELS:
        label = next((found for found in pattern.finditer(text, start, end) if _outside(found.start(), hidden or [])),
                     None)
        if not label:
            continue
        position = label.end()
        if name in ("produit", "periodicite", "type_taux", "profil_amortissement", "nature", "garantie"):
            raw = label.group(1)
            value: str | int = {
                "produit": lambda r: r.upper(),
                "nature": _nature,
                "periodicite": lambda r: r.lower(),
                "type_taux": _rate_type,
                "profil_amortissement": _profile,
                "garantie": _guarantor_of,
            }[name](raw)
            if value:
                loan.put(name, value, label.start(), label.end(), 0.95)
        elif name == "montant_eur":
            amount = AMOUNT_RE.match(text, position) or AMOUNT_UNIT_FIRST_RE.match(text, position)
            if amount and (figures := parse_figures(amount.group(1), amount.group(2))) is not None:
                loan.put(name, euros_str(figures), label.start(), amount.end(), 0.95)
        elif name in ("duree_prefinancement_mois", "duree_amortissement_mois", "differe_mois"):
            if duration := DURATION_RE.match(text, position):
                loan.put(name, duration_months(duration), label.start(), duration.end(), 0.95)
            elif name != "duree_amortissement_mois" and _EMPTY_CELL_RE.match(text, position):
                loan.put(name, 0, label.start(), position + 5, 0.9)
        elif name == "index":
            _index(text[:end], 0, loan, position, 0.95)
        elif name == "marge_pct" and (margin := MARGIN_RE.match(text, position)):
            loan.put(name, decimal_str2(margin_of(margin)), label.start(), margin.end(), 0.95)
    if "periodicite" not in loan.values and (adj := _PERIODICITY_ADJ_RE.search(text, start, end)):
        loan.put("periodicite", adj.group(1).lower(), adj.start(), adj.end(), 0.9)
    if "type_taux" not in loan.values and (rate := _RATE_TYPE_RE.search(text, start, end)):
        loan.put("type_taux", _rate_type(rate.group(1)), rate.start(), rate.end(), 0.85)


def _rate_type(word: str) -> str:
    word = " ".join(word.lower().split())
    if "double" in word:
        return "double_revisabilite"
    if word.startswith("non") or "fixe" in word:
        return "fixe"
    return "revisable"


_GUARANTORS = (
    ("Action Logement Services", re.compile(r"action\s+logement", re.IGNORECASE)),
    ("CGLLS", re.compile(r"CGLLS|caisse\s+de\s+garantie\s+du\s+logement", re.IGNORECASE)),
    ("collectivité", re.compile(r"commune|collectivité|département|région|métropole|communauté|ville\s+de",
                                re.IGNORECASE)),
)


def _guarantor_of(text: str) -> str:
    return " ; ".join(name for name, pattern in _GUARANTORS if pattern.search(text))


# ---------------------------------------------------------------- one sentence per loan

_SENTENCE_RE = re.compile(
    r"prêt\s+" + _PRODUCT + r"\s+(fonci(?:er|ère)|b[âa]ti|construction(?:\s+neuve)?|travaux)\s+"
    r"(?:d'un\s+montant\s+)?de\s+",
    re.IGNORECASE,
)


_OVER_RE = re.compile(r"\bsur\s+" + DURATION_RE.pattern, re.IGNORECASE)


def _sentence_loans(doc: Document, loans: list[LoanLine]) -> list[LoanLine]:
    """Loans said in sentences; with `loans` given, complete them instead (matched by amount)."""
    text = doc.flowing  # a sentence continued on the next page is one sentence
    found: list[LoanLine] = []
    for sentence in doc.finditer_at(_SENTENCE_RE, ("prêt",)):
        amount = AMOUNT_RE.match(text, sentence.end())
        if not amount or (value := parse_figures(amount.group(1), amount.group(2))) is None:
            continue
        # The sentence, or the list item (« … ; » then the next one), ends the loan.
        end = min((found + 1 for found in (text.find(".\n", amount.end()), text.find(";\n", amount.end()))
                   if found >= 0), default=len(text))
        end = min(end, amount.end() + 400)
        loan = LoanLine(anchor=sentence.start())
        loan.put("produit", sentence.group(1).upper(), sentence.start(1), sentence.end(1), 0.9)
        loan.put("nature", _nature(sentence.group(2)), sentence.start(2), sentence.end(2), 0.9)
        loan.put("montant_eur", euros_str(value), sentence.start(), amount.end(), 0.9)
        _index(text[:end], 0, loan, amount.end(), 0.9)
        if rate := _RATE_TYPE_RE.search(text, amount.end(), end):
            loan.put("type_taux", _rate_type(rate.group(1)), rate.start(), rate.end(), 0.88)
        if said := total_with_prefinancing(text, amount.end(), end):
            loan.put("duree_amortissement_mois", said[0], said[2], said[3], 0.88)
            loan.put("duree_prefinancement_mois", said[1], said[2], said[3], 0.88)
        if (over := _OVER_RE.search(text, amount.end(), end)) and (duration := DURATION_RE.search(over.group(0))):
            loan.put("duree_amortissement_mois", duration_months(duration), over.start(), over.end(), 0.88)
        if adj := _PERIODICITY_ADJ_RE.search(text, amount.end(), end):
            loan.put("periodicite", adj.group(1).lower(), adj.start(), adj.end(), 0.88)
        found.append(loan)
    if not loans:
        return found
    return _complete(loans, found)


def _no_prefinancing_said(loans: list[LoanLine]) -> None:
    """Loans listed in sentences, some with a préfinancement (« après 24 mois de préfinancement ») and some
    with an amortisation only: those have none. Inferred, so one cue less than prose."""
    if not any(loan.has("duree_prefinancement_mois") for loan in loans):
        return
    for loan in loans:
        if not loan.has("duree_prefinancement_mois") and (said := loan.values.get("duree_amortissement_mois")):
            loan.put("duree_prefinancement_mois", 0, said[1], said[2], min(said[3], 0.75))


def rest_of_total(loan: LoanLine) -> None:
    """A whole duration said alone (« Durée totale : 61 ans ») beside the préfinancement (« Durée de la phase de
    préfinancement : 12 mois »): the amortisation is the rest, read from two figures (so below high confidence).
    The whole duration itself is no field of the loan."""
    said = loan.values.pop(TOTAL_DURATION, None)
    placed = loan.placed.pop(TOTAL_DURATION, None)
    total = (said[0], said[3]) if said else (placed.value, placed.confidence) if placed else None
    prefi = loan.values.get("duree_prefinancement_mois") or loan.placed.get("duree_prefinancement_mois")
    if total is None or prefi is None or loan.has("duree_amortissement_mois"):
        return
    months, prefi_value = total[0], prefi[0] if isinstance(prefi, tuple) else prefi.value
    prefi_sure = prefi[3] if isinstance(prefi, tuple) else prefi.confidence
    if not (isinstance(months, int) and isinstance(prefi_value, int) and 0 <= prefi_value < months):
        return
    sure = min(total[1], prefi_sure, _BLOCK_ONLY)
    if said:
        loan.put("duree_amortissement_mois", months - prefi_value, said[1], said[2], sure)
    elif placed:
        loan.placed["duree_amortissement_mois"] = Placed(months - prefi_value, placed.page, placed.source, sure)


def _complete(loans: list[LoanLine], found: list[LoanLine]) -> list[LoanLine]:
    """What `found` says that `loans` do not, loan by loan, matched by amount. When more are found with an amount
    than there are loans with it (a total said once for a single loan), the ones that say the most are kept;
    they go to the loans in the letter's order."""
    for amount in {loan.amount() for loan in loans}:
        twins = [loan for loan in loans if loan.amount() == amount]
        said = [found_loan for found_loan in found if found_loan.amount() == amount]
        richest = sorted(sorted(said, key=lambda one: -len(one.values))[: len(twins)], key=found.index)
        for twin, one in zip(twins, richest, strict=False):
            for name, stated in one.values.items():
                if not twin.has(name):
                    twin.values[name] = stated
    return loans


# ---------------------------------------------------------------- amounts in words, total, guarantee


def _amount_words(doc: Document, loan: LoanLine, index: int, checks: list[Check]) -> None:
    """'1 234 567,89 € (un million … centimes)': agreeing words confirm, disagreeing ones are a check."""
    found = loan.values.get("montant_eur")
    if not found:
        return
    value, start, end, _ = found
    line_end = doc.text.find("\n", end)
    window = doc.text[end : (line_end if line_end >= 0 else len(doc.text)) + 200]
    span = words_amount_span(window)
    if not span or span[0] > 40 or "(" not in window[: span[0] + 1]:
        return
    words = parse_amount_words(window[span[0] :])
    if words is None:
        return
    if words == Decimal(str(value)):
        loan.values["montant_eur"] = (value, start, end + span[1], 0.99)
    else:
        loan.values["montant_eur"] = (value, start, end + span[1], 0.4)
        checks.append(Check(
            code="montant_lettres_incoherent", severity="attention", page=doc.page_of(start),
            message_fr=f"Prêt n° {index + 1} : le montant en chiffres ({format_euros_fr(Decimal(str(value)))}) "
            f"diffère du montant en lettres ({format_euros_fr(words)}) ; vérifiez la lettre d'offre.",
        ))


# Confidence of a loan's values when the letter's total is not their sum: each is checked on the letter.
DOUBTFUL = 0.8
_FIGURES_RE = re.compile(FIGURES)
# A row's total is its only figure: a share (« 100 % ») or another column's figure after it makes the row a
# financing plan's, whose groups of digits run into each other.
_OTHER_FIGURES_RE = re.compile(r"[\d%]")


def _stated_totals(doc: Document) -> list[tuple[Decimal, int, int]]:
    """Every total of the loans the letter states (`vocabulaire.toml`, [totaux]), with where it is said: after
    a row's « Total », the line's only amount, its unit or not (« Montant (€) » is in the header); after a
    phrase, an amount with its unit in the next few words."""
    vocab = vocabulary()
    text = doc.text
    found: list[tuple[Decimal, int, int]] = []
    if vocab.total_line_re is None or vocab.total_phrase_re is None:
        return found
    # (a row's total is tried only on the lines that say « total »: most letters have few)
    rows = (vocab.total_line_re.finditer(text) if doc.lower is None else
            (m for start in sorted({text.rfind("\n", 0, at) + 1 for at in occurrences(doc.lower, "total")})
             if (m := vocab.total_line_re.match(text, start))))
    for said in rows:
        end = text.find("\n", said.end())
        end = len(text) if end < 0 else end
        amount = _FIGURES_RE.search(text, said.end(), end)
        if (amount and not _OTHER_FIGURES_RE.search(text, amount.end(), end)
                and (value := parse_figures(amount.group(1), amount.group(2))) is not None and value >= 1000):
            found.append((value, said.start(), amount.end()))
    for said in doc.finditer_at(vocab.total_phrase_re, _TOTAL_PHRASE_WORDS):
        near = min(len(text), said.end() + 40)
        amount = AMOUNT_RE.search(text, said.end(), near) or AMOUNT_UNIT_FIRST_RE.search(text, said.end(), near)
        if amount and (value := parse_figures(amount.group(1), amount.group(2))) is not None:
            found.append((value, said.start(), amount.end()))
    return found


# What every phrase of [totaux] starts with (`Document.finditer_at`).
_TOTAL_PHRASE_WORDS = ("montant", "d'un", "pour un", "financement")


def _total(doc: Document, fields: list[ExtractedField], loans: list[LoanLine], checks: list[Check]) -> bool:
    """The loans' total the letter states, and a check when it is not the sum of the loans read. Returns whether
    it is not (a loan was missed, or an amount misread). Of several totals (a row per product and a grand total),
    the one that is the sum, else the largest."""
    totals = _stated_totals(doc)
    if not totals:
        return False
    amounts = [loan.amount() for loan in loans]
    summed = sum((a for a in amounts if a is not None), Decimal(0)) if loans and None not in amounts else None
    value, start, end = next((t for t in totals if t[0] == summed), None) or max(totals, key=lambda t: t[0])
    fields.append(doc.field("montant_total_eur", euros_str(value), start, end, 0.95))
    if summed is None or summed == value:
        return False
    checks.append(Check(
        code="total_incoherent", severity="attention", page=doc.page_of(start),
        message_fr=f"Le total indiqué par la lettre ({format_euros_fr(value)}) n'est pas la somme "
        f"des prêts lus ({format_euros_fr(summed)}) ; vérifiez chaque prêt sur la lettre.",
    ))
    return True


def _count(doc: Document, loans: list[LoanLine], checks: list[Check]) -> bool:
    """Whether the letter says it has a number of Lignes du Prêt other than the loans read (a check says so)."""
    pattern = vocabulary().count_re
    if not loans or pattern is None:
        return False
    # (tried only around « lignes »)
    matches = (pattern.finditer(doc.text) if doc.lower is None else
               (m for at in occurrences(doc.lower, "lignes")
                for m in pattern.finditer(doc.text, max(0, at - 24), at + 24)))
    said = [(value, m.start()) for m in matches if (number := m.group(1) or m.group(2))
            and (value := int(number) if number.isdigit() else words_to_int(number)) is not None]
    if not said or any(number == len(loans) for number, _ in said):
        return False
    number, start = said[0]
    checks.append(Check(
        code="nombre_incoherent", severity="attention", page=doc.page_of(start),
        message_fr=f"La lettre annonce {compte(number, 'ligne')} de prêt ; {len(loans)} "
        f"{'ont été lues' if len(loans) > 1 else 'a été lue'}. Vérifiez chaque prêt sur la lettre.",
    ))
    return True


_GUARANTEE_RE = re.compile(r"[^.\n]*(?:\n[^.\n]*){0,3}?\bgarantie\b[^.]*\.", re.IGNORECASE)
_QUOTITE_RE = re.compile(r"(?:à\s+hauteur\s+de|quotité\s+(?:de\s+)?)\s*(\d{1,3}(?:,\d+)?)\s*%", re.IGNORECASE)


def _guarantee(doc: Document, fields: list[ExtractedField]) -> None:
    heading = re.search(r"^\s*garanties?\s*$", doc.text, re.IGNORECASE | re.MULTILINE)
    start = heading.end() if heading else 0
    for clause in _GUARANTEE_RE.finditer(doc.text, start):
        sentence = clause.group(0)
        if not re.search(r"prêts?|fonds|emprunt", sentence, re.IGNORECASE):
            continue
        guarantor = _guarantor_of(sentence)
        if guarantor:
            fields.append(doc.field("garantie.garant", guarantor, clause.start(), clause.end(), 0.85))
        if quotite := _QUOTITE_RE.search(sentence):
            fields.append(doc.field("garantie.quotite_pct", quotite.group(1).replace(",", "."),
                                    clause.start() + quotite.start(), clause.start() + quotite.end(), 0.9))
        return


# ---------------------------------------------------------------- findings that need no form


def _denied(vocab: Vocabulary, text: str, word: re.Match[str], sentence_start: int, sentence_end: int) -> bool:
    """« Aucune garantie de collectivité n'est requise »: the guarantee is said not to be there (unless the
    sentence names one after all: « sans autre garantie que celle de la commune »)."""
    if vocab.negation_after_re and vocab.negation_after_re.search(text, word.end(), sentence_end):
        return True  # « … a été remplacée par celle d'Action Logement Services »
    before = text[max(sentence_start, word.start() - 40) : word.start()]
    if (vocab.verb_negation_re and vocab.verb_negation_after_re and vocab.verb_negation_re.search(before)
            and vocab.verb_negation_after_re.match(text, word.end())):
        return True  # « … mais ne garantit pas l'emprunt »
    if vocab.negation_re is None:
        return False
    if not vocab.negation_re.search(before):
        return False
    return not (vocab.negation_exception_re and vocab.negation_exception_re.search(text, word.end(), sentence_end))

def _denial(text: str, said: re.Match[str], words: list[re.Match[str]], sentence_start: int,
            sentence_end: int) -> tuple[int, int]:
    """The span a denied guarantee word denies: to the end of its sentence, and back to the start of its line
    or the guarantee word before it (« La Région n'apporte aucune garantie » denies the Région; « La commune
    garantit 50 % et aucune autre garantie n'est requise » does not deny the commune)."""
    before = [word.end() for word in words if sentence_start <= word.start() and word.end() <= said.start()]
    return max(sentence_start, text.rfind("\n", 0, said.start()) + 1, *before), sentence_end


# (a line that starts with a capitalised « Label : », a form's field, starts a sentence of its own)
_SENTENCE_END = re.compile(r"[.;](?=\s)|\n\s*\n|\f|\n(?=[A-ZÀ-Ý][^\n:]{0,40}\s:\s)")


def other_guarantors(pages: list[str] | Document) -> list[Check]:
    """Every mention of a guarantee by someone other than Action Logement: a guarantee word and a public
    body or the CGLLS within the same sentence (the wordings are in vocabulaire.toml)."""
    doc = pages if isinstance(pages, Document) else Document(pages)
    vocab = vocabulary()
    text = doc.text
    mentions: list[tuple[int, int]] = []
    ends = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
    starts = [end for _, end in ends]
    lower = doc.lower
    words = list(vocab.guarantee_lower_re.finditer(lower) if lower is not None and vocab.guarantee_lower_re
                 else vocab.guarantee_re.finditer(text))

    def sentence_of(word: re.Match[str]) -> tuple[int, int]:
        before = bisect.bisect_right(starts, word.start())
        after = bisect.bisect_left(ends, (word.end(), -1))
        return starts[before - 1] if before else 0, ends[after][0] if after < len(ends) else len(text)

    # « Aucune garantie de collectivité n'est requise »: neither that guarantee word nor the bodies named after
    # it, to the end of the sentence, are a mention (nor those just before it: see _denial). Sought only once a
    # mention is in view (most letters have none).
    denied: list[tuple[int, int]] | None = None
    for word in words:
        if any(s <= word.start() < e for s, e in mentions):
            continue  # in a sentence already quoted
        sentence_start, sentence_end = sentence_of(word)
        low = max(sentence_start, word.start() - vocab.window)
        high = min(sentence_end, word.end() + vocab.window)
        if not vocab.names_guarantor(text, lower, low, high):
            continue
        if denied is None:
            denied = [_denial(text, said, words, *sentence_of(said)) for said in words
                      if _denied(vocab, text, said, *sentence_of(said))]
            if vocab.body_negation_re is not None:  # « La CGLLS n'intervient pas »: back to its line's start
                denied += [(max(sentence_of(said)[0], text.rfind("\n", 0, said.start()) + 1), said.end())
                           for said in vocab.body_negation_re.finditer(text)]
        if any(s <= word.start() < e for s, e in denied):
            continue  # said not to be there
        if any(not any(s <= body.start() < e for s, e in denied)
               for body in vocab.guarantor_re.finditer(text, low, high)):
            mentions.append((sentence_start, sentence_end))
    if not mentions:
        return []
    quoted = " ; ".join(f"« {doc.source(s, e)} »" for s, e in mentions[:3])
    return [Check(
        code="autre_garant", severity="attention", page=doc.page_of(mentions[0][0]),
        message_fr=f"La lettre mentionne une autre garantie que celle d'Action Logement Services ({quoted}) ; "
        "Action Logement Services ne garantit que si le plan de financement ne comporte aucune autre garantie.",
    )]
