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

from ami.domain.extraction.document import Document
from ami.domain.extraction.french import (
    AMOUNT_RE,
    DURATION_RE,
    duration_months,
    euros_str,
    parse_amount_words,
    parse_figures,
    words_amount_span,
)
from ami.domain.extraction.loan_line import LoanLine
from ami.domain.extraction.values import MARGIN_RE, margin_of, percent_str, total_with_prefinancing
from ami.domain.extraction.vocabulary import fold, vocabulary

ONE_CUE = 0.8
TWO_CUES = 0.95
_ITEM_END = re.compile(r"(?:[.;](?=\s*\n|\s*$)|\n\s*\n|\n(?=\s*[-–•]\s+[^\W\d]))")
_PRODUCT_RE = re.compile(r"\bpr[êe]ts?\s+(?:de\s+type\s+)?(PLI|PLS|PLUS|PLAI|PHB|PAM|PSLA|CPLS|PHARE|PEB)\b")
_KEYWORDS = re.compile(
    r"différé(?:\s+d'amortissement)?|préfinancement|amortissement|amortissable|remboursable|durée|\bsur\b",
    re.IGNORECASE,
)
_NO_PREFI = re.compile(r"(?:sans|pas\s+de)\s+(?:période\s+de\s+|phase\s+de\s+)?préfinancement", re.IGNORECASE)
_RATE = re.compile(
    r"livret\s*a\s*,?\s*(?:avec\s+une\s+marge\s+de\s*(?=[+\-−\d])|(?=(?:majoré|minoré)e?\s+de|[+\-−]|plus|moins))",
    re.IGNORECASE,
)
_FIXED = re.compile(r"\bà\s+taux\s+fixe\b", re.IGNORECASE)
_PERIODICITY = re.compile(r"échéances?\s+(annuelle|semestrielle|trimestrielle|mensuelle)s?", re.IGNORECASE)


def loans(doc: Document) -> list[LoanLine]:
    """LoanLines of the sentences that each describe one loan."""

    text = doc.flowing  # an item continued on the next page is one item
    found = []
    start = 0
    for end_match in [*_ITEM_END.finditer(text), None]:
        end = end_match.end() if end_match else len(text)
        item = text[start:end].replace("\n", " ")  # a sentence runs over lines; offsets stay the same
        offset = start
        start = end
        product = _PRODUCT_RE.search(item)
        amount = AMOUNT_RE.search(item)
        if not product or not amount:
            continue
        value = parse_figures(amount.group(1), amount.group(2))
        if value is None:
            continue
        loan = LoanLine(anchor=offset + product.start())
        loan.put("produit", product.group(1), offset + product.start(), offset + product.end(), ONE_CUE)
        loan.put("montant_eur", euros_str(value), offset + amount.start(), offset + amount.end(),
                 _amount_confidence(item, amount, value))
        if nature := vocabulary().nature(item):
            loan.put("nature", nature, offset, offset + len(item), ONE_CUE)
        _durations(item, offset, loan)
        if (rate := _RATE.search(item)) and (said := MARGIN_RE.match(item, rate.end())):
            loan.put("index", "livret_a", offset + rate.start(), offset + said.end(), ONE_CUE)
            loan.put("marge_pct", percent_str(margin_of(said)), offset + rate.start(), offset + said.end(), ONE_CUE)
        elif fixed := _FIXED.search(item):
            loan.put("index", "taux_fixe", offset + fixed.start(), offset + fixed.end(), ONE_CUE)
        if periodicity := _PERIODICITY.search(item):
            loan.put("periodicite", periodicity.group(1).lower(), offset + periodicity.start(),
                     offset + periodicity.end(), ONE_CUE)
        found.append(loan)
    return found


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
        if not keywords:
            continue
        keyword = keywords[-1].group(0).lower()
        if keyword.startswith("différé"):
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


def article_loans(doc: Document) -> list[LoanLine]:
    """Loans of a contract whose every Ligne du Prêt is an article (« Article 3 – Caractéristiques de la Ligne
    du Prêt n° 5432109 », its titles in vocabulaire.toml) of sentences: the article is the loan's text, read
    as prose (one cue), its amount confirmed by its words."""
    text = doc.flowing
    vocab = vocabulary()
    starts = [line.start() for line in re.finditer(r"^[^\n]+$", text, re.MULTILINE)
              if any(title in fold_line for title in vocab.article_titles
                     for fold_line in (fold(line.group(0)),))]
    found = []
    for number, start in enumerate(starts):
        following = _ARTICLE.search(text, start + 1)
        end = min(following.start() if following else len(text),
                  starts[number + 1] if number + 1 < len(starts) else len(text))  # the next loan's title
        # the figures in parentheses of « trente-six (36) mois » stand alone, offsets kept
        item = _IN_FIGURES.sub(lambda m: f" {m.group(1)} ", text[start:end]).replace("\n", " ")
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
