"""Loans said in sentences, as lettres d'intention write them: "un prêt PLI destiné à la charge foncière,
d'un montant de 1 250 000 euros (un million deux cent cinquante mille euros), d'une durée d'amortissement
de 50 ans, précédée d'une période de préfinancement de 24 mois, au taux du Livret A majoré de 0,60 %".

One loan per sentence (or list item) that names a product and an amount in figures. A duration belongs
to the nearest characteristic named before it (a deferral is not the amortisation). Prose is one cue: its
values stay below high confidence, except an amount whose figures and words agree (two cues).
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import chain

from ami.domain.extraction.document import Document
from ami.domain.extraction.french import (
    AMOUNT_RE,
    DURATION_RE,
    FIGURES,
    NUMBER_WORDS,
    duration_months,
    euros_str,
    parse_amount_words,
    parse_figures,
    words_amount_span,
    words_to_int,
)
from ami.domain.extraction.loan_line import LoanLine
from ami.domain.extraction.values import (
    MARGIN_RE,
    margin_of,
    no_loan_amount,
    percent_str,
    total_with_prefinancing,
    without_asides,
)
from ami.domain.extraction.vocabulary import fold, vocabulary

ONE_CUE = 0.8
TWO_CUES = 0.95
# (« … ; un prêt PLS … »: loans listed in one paragraph, separated by semicolons.)
_ITEM_END = re.compile(r"(?:[.;](?=\s*\n|\s*$)|\n\s*\n|\n(?=\s*[-–•]\s+[^\W\d])|;(?=\s+(?:un\s+)?pr[êe]t\s))")
# The code in capitals, or in lower case for the codes that are no French word (« un prêt pli »).
_PRODUCT_RE = re.compile(r"\b[pP]r[êe]ts?\s+(?:de\s+type\s+)?(PLI|PLS|PLUS|PLAI|PHB|PAM|PSLA|CPLS|PHARE|PEB|"
                         r"pli|pls|plai|phb|psla)\b")
_KEYWORDS = re.compile(
    r"différé(?:\s+d'amortissement)?|préfinancement|amortissement|amortissable|remboursable|durée|\bsur\b",
    re.IGNORECASE,
)
_NO_PREFI_AFTER = re.compile(r"\s*,?\s*(?:sans|pas\s+de)\s+(?:période\s+de\s+|phase\s+de\s+)?préfinancement",
                             re.IGNORECASE)
_NO_PREFI = re.compile(r"(?:sans|pas\s+de)\s+(?:période\s+de\s+|phase\s+de\s+)?préfinancement", re.IGNORECASE)
_RATE = re.compile(
    r"livret\s*a\s*,?\s*(?:avec\s+une\s+marge\s+de\s*(?=[+\-−\d])|(?=(?:majoré|minoré)e?\s+de|[+\-−]|plus|moins))",
    re.IGNORECASE,
)
_FIXED = re.compile(r"\b(?:à|au)\s+taux\s+fixe\b", re.IGNORECASE)
_PERIODICITY = re.compile(r"échéances?\s+(annuelle|semestrielle|trimestrielle|mensuelle)s?", re.IGNORECASE)
# « …, dont : » after a product's amount, then list items that each give one part (one loan) of it.
_PARTS_FOLLOW = re.compile(r"[^.;]{0,12}?\bdont\s*:\s*$")
_PART = re.compile(r"\s*[-–•]\s+")
# « 6 175 k€ »: an amount in thousands of euros.
_KILO = re.compile(FIGURES + r"\s*k€", re.IGNORECASE)
# « vingt-quatre mois », « quarante ans »: a duration in words.
_WORD_DURATION = re.compile(
    r"\b((?:(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")[\s\-]+)+)(?=(?:ans?|années?|mois)\b)",
    re.IGNORECASE,
)
_UNIT = re.compile(r"\b(?:ans?|années?|mois)\b", re.IGNORECASE)
_PREFI_AFTER = re.compile(r"\s+(?:de\s+)?préfi(?:nancement\b|\.|\b)", re.IGNORECASE)  # « 36 mois de préfi. »
# « … d'un montant de 684 664 € (1) ; » then, at the bottom of the page, « (1) Prêt pli : amortissement … ».
_NOTE_CALL = re.compile(r"\((\d)\)\s*[;.,]?\s*$")


def figures_for_words(text: str) -> str:
    """« quarante ans » as « 40 ans », the offsets kept (the figures right-aligned in the words' place)."""

    def figures(match: re.Match[str]) -> str:
        words = match.group(1)
        number = words_to_int(words.strip())
        if number is None or not 0 < number < 1000:
            return words
        return f"{number} ".rjust(len(words))

    # (the words' alternation is costly at every position: only when a unit follows a number in words)
    if not any(_word_before(text, unit.start()).lower() in NUMBER_WORDS for unit in _UNIT.finditer(text)):
        return text
    return _WORD_DURATION.sub(figures, text)


def _word_before(text: str, position: int) -> str:
    """The word just before `position` (« quarante » before « ans », « six » in « trente-six mois »)."""
    words = re.split(r"[\s\-]+", text[max(0, position - 24) : position].rstrip())
    return words[-1] if words else ""


def _note(text: str, number: str) -> tuple[int, str] | None:
    """The footnote « (1) … » of a page: its offset and text."""
    note = re.search(r"^\s*\(" + number + r"\)\s+([^\n]+)$", text, re.MULTILINE)
    return (note.start(1), note.group(1)) if note else None


def loans(doc: Document) -> list[LoanLine]:
    """LoanLines of the sentences that each describe one loan."""

    text = doc.flowing  # an item continued on the next page is one item
    found: list[LoanLine] = []
    start = 0
    parent: tuple[str, int, int] | None = None  # the product whose parts are listed below it
    for end_match in [*_ITEM_END.finditer(text), None]:
        end = end_match.end() if end_match else len(text)
        item = text[start:end].replace("\n", " ")  # a sentence runs over lines; offsets stay the same
        offset = start
        start = end
        product = _PRODUCT_RE.search(item)
        if not product and not (parent and _PART.match(item)):
            if item.strip():
                parent = None
            continue
        amount = next((found for found in chain(AMOUNT_RE.finditer(item), _KILO.finditer(item))
                       if not no_loan_amount(item[: found.start()])), None)
        if not amount:
            continue
        value = parse_figures(amount.group(1), amount.group(2))
        if value is None:
            continue
        kilo = amount.re is _KILO
        if kilo:
            value *= 1000
        if item.lstrip().startswith("("):
            continue  # a note « (1) Prêt pli : … », read with the item that calls it
        if product and _PARTS_FOLLOW.match(item, amount.end()):
            # « Prêt PLI d'un montant global de …, dont : » then « – part foncière : … € … »: the parts are the
            # loans, of the product said above them; the product's amount is their total.
            parent = (product.group(1).upper(), offset + product.start(), offset + product.end())
            continue
        loan = LoanLine(anchor=offset + (product.start() if product else 0))
        if product:
            loan.put("produit", product.group(1).upper(), offset + product.start(), offset + product.end(), ONE_CUE)
            parent = None
        elif parent:
            loan.put("produit", parent[0], parent[1], parent[2], ONE_CUE)
        loan.put("montant_eur", euros_str(value), offset + amount.start(), offset + amount.end(),
                 ONE_CUE if kilo else _amount_confidence(item, amount, value))
        if nature := vocabulary().nature(item):
            loan.put("nature", nature, offset, offset + len(item), ONE_CUE)
        characteristics(item, offset, loan)
        if (call := _NOTE_CALL.search(item)) and (note := _note(text, call.group(1))):
            characteristics(note[1], note[0], loan)  # the characteristics in a footnote: the item's own
        found.append(loan)
    return found


def in_figures(text: str) -> str:
    """« trente-six (36) mois » with the figures in parentheses standing alone, offsets kept."""
    return _IN_FIGURES.sub(lambda m: f" {m.group(1)} ", text)


def characteristics(item: str, offset: int, loan: LoanLine) -> None:
    """Durations, rate and periodicity said in an item (or in its note), at `offset` in the text."""
    item = without_asides(item)  # « Livret A (2,40 %) + 0,60 % soit 3,00 % »: only the margin is one
    _durations(figures_for_words(item), offset, loan)
    if (rate := _RATE.search(item)) and (said := MARGIN_RE.match(item, rate.end())):
        loan.put("index", "livret_a", offset + rate.start(), offset + said.end(), ONE_CUE)
        loan.put("marge_pct", percent_str(margin_of(said)), offset + rate.start(), offset + said.end(), ONE_CUE)
    elif fixed := _FIXED.search(item):
        loan.put("index", "taux_fixe", offset + fixed.start(), offset + fixed.end(), ONE_CUE)
    if periodicity := _PERIODICITY.search(item):
        loan.put("periodicite", periodicity.group(1).lower(), offset + periodicity.start(),
                 offset + periodicity.end(), ONE_CUE)


def products_named(text: str) -> int:
    """How many times the text names a loan by its product (« un prêt PLI », « prêts PLS »)."""
    return sum(1 for _ in _PRODUCT_RE.finditer(text))


def _amount_confidence(item: str, amount: re.Match[str], value: Decimal) -> float:
    """Figures with the same amount in words just before or after them are two cues."""
    for window in (item[amount.end() : amount.end() + 200], item[max(0, amount.start() - 200) : amount.start()]):
        span = words_amount_span(window)
        if span is None:
            continue
        words = parse_amount_words(window[span[0] :])
        if words is not None:
            return TWO_CUES if words == value else 0.4
    return ONE_CUE


def _durations(item: str, offset: int, loan: LoanLine) -> None:
    put = loan.put
    if said := total_with_prefinancing(item):
        amortisation, prefinancing, start, end = said
        put("duree_amortissement_mois", amortisation, offset + start, offset + end, ONE_CUE)
        put("duree_prefinancement_mois", prefinancing, offset + start, offset + end, ONE_CUE)
    if no_prefi := _NO_PREFI.search(item):
        put("duree_prefinancement_mois", 0, offset + no_prefi.start(), offset + no_prefi.end(), ONE_CUE)
    for duration in DURATION_RE.finditer(item):
        before = item[max(0, duration.start() - 70) : duration.start()]
        keywords = list(_KEYWORDS.finditer(before))
        if _NO_PREFI_AFTER.match(item, duration.end()):
            # « 40 ans, sans préfinancement »: the whole duration is the amortisation
            put("duree_amortissement_mois", duration_months(duration), offset + duration.start(),
                offset + duration.end(), ONE_CUE)
            continue
        if not keywords:
            continue
        keyword = keywords[-1].group(0).lower()
        if _PREFI_AFTER.match(item, duration.end()):
            name = "duree_prefinancement_mois"  # « après 36 mois de préfinancement »
        elif keyword.startswith("différé"):
            name = "differe_mois"
        elif keyword == "préfinancement":
            name = "duree_prefinancement_mois"
        else:
            name = "duree_amortissement_mois"
        put(name, duration_months(duration), offset + duration.start(), offset + duration.end(), ONE_CUE)


# ---------------------------------------------------------------- one article per loan (CDC contracts)

_ARTICLE = re.compile(r"^\s*article\s+\d+\b", re.IGNORECASE | re.MULTILINE)
_IN_FIGURES = re.compile(r"\((\d{1,3})\)")  # « quarante (40) ans »: the figures in parentheses
_CODE = re.compile(r"\b(PLI|PLS|PLUS|PLAI|PHB|PAM|PSLA|CPLS|PHARE|PEB)\b")
_LIVRET = re.compile(r"\blivret\s*a\b", re.IGNORECASE)
_FIXED_RATE = re.compile(r"\btaux\s+(?:d'intérêt\s+)?(?:est\s+)?fixe\b", re.IGNORECASE)
_SENTENCE = re.compile(r"\.(?=\s)")
_NUMBERED_LOAN = re.compile(r"^[ \t]*\d{1,2}[.)][ \t]+pr[êe]t[ \t]+(?:n°[ \t]*\d+[ \t]*[-–:][ \t]*)?"
                            r"(?:PLI|PLS|PLUS|PLAI|PHB|PAM|PSLA|CPLS|PHARE|PEB)\b[^\n]*$", re.IGNORECASE | re.MULTILINE)
_NUMBERED = re.compile(r"^[ \t]*\d{1,2}[.)][ \t]+[^\d\s]", re.MULTILINE)  # the next paragraph of the same level


def article_loans(doc: Document) -> list[LoanLine]:
    """Loans of a contract whose every Ligne du Prêt is an article (« Article 3 – Caractéristiques de la Ligne
    du Prêt n° 5432109 », its titles in vocabulaire.toml) of sentences: the article is the loan's text, read
    as prose (one cue), its amount confirmed by its words."""
    text = doc.flowing
    vocab = vocabulary()
    starts = [line.start() for line in re.finditer(r"^[^\n]+$", text, re.MULTILINE)
              if any(title in fold_line for title in vocab.article_titles
                     for fold_line in (fold(line.group(0)),))]
    numbered = not starts
    if numbered:
        # An « Offre de financement » in numbered paragraphs: « 2. Prêt PLS – construction », then « 2.1 Montant »…
        starts = [match.start() for match in _NUMBERED_LOAN.finditer(text)]
    found = []
    for number, start in enumerate(starts):
        following = (_NUMBERED if numbered else _ARTICLE).search(text, start + 1)
        end = min(following.start() if following else len(text),
                  starts[number + 1] if number + 1 < len(starts) else len(text))  # the next loan's title
        # the figures in parentheses of « trente-six (36) mois » stand alone, offsets kept
        item = figures_for_words(in_figures(text[start:end]).replace("\n", " "))
        amount = AMOUNT_RE.search(item)
        code = _CODE.search(item)
        if not amount or not code or (value := parse_figures(amount.group(1), amount.group(2))) is None:
            continue
        loan = LoanLine(anchor=start)
        loan.put("produit", code.group(1), start + code.start(), start + code.end(), ONE_CUE)
        loan.put("montant_eur", euros_str(value), start + amount.start(), start + amount.end(),
                 _amount_confidence(item, amount, value))
        if nature := vocab.nature(item[amount.start() - 400 if amount.start() > 400 else 0 : amount.start()]):
            loan.put("nature", nature, start, start + amount.start(), ONE_CUE)
        _durations(item, start, loan)
        if livret := _LIVRET.search(item):
            sentence_end = _SENTENCE.search(item, livret.end())
            limit = sentence_end.start() if sentence_end else len(item)
            loan.put("index", "livret_a", start + livret.start(), start + livret.end(), ONE_CUE)
            if said := MARGIN_RE.search(item, livret.end(), limit):
                loan.put("marge_pct", percent_str(margin_of(said)), start + livret.start(), start + said.end(), ONE_CUE)
        elif fixed := _FIXED_RATE.search(item):
            loan.put("index", "taux_fixe", start + fixed.start(), start + fixed.end(), ONE_CUE)
        if periodicity := _PERIODICITY.search(item):
            loan.put("periodicite", periodicity.group(1).lower(), start + periodicity.start(),
                     start + periodicity.end(), ONE_CUE)
        found.append(loan)
    return found
