"""What the scoring needs from a dossier de présentation, where the document states it.

Logements and their typology, surfaces, rents, energy performance, transport and services. The form
stays the reference: these values are shown beside it (see `compare.presentation_vs_form`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ami.domain.extraction import ExtractedField
from ami.domain.extraction.document import Document, decimal_str, match_at
from ami.domain.extraction.french import AMOUNT_RE, euros_str, parse_figures

_NUMBER = r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(\d{1,2}))?"
_TYPOLOGY_RE = re.compile(
    r"^\s*(T1\s*bis|T1|T2|T3|T4|T5|T6\s*(?:et\s+plus|\+)?|T7)\s+(\d{1,4})\b", re.IGNORECASE | re.MULTILINE
)
_TYPOLOGY_NAMES = {"t1bis": "t1_bis", "t1": "t1", "t2": "t2", "t3": "t3", "t4": "t4", "t5": "t5"}
_LOGEMENTS_RE = re.compile(r"\b(\d{1,4})\s+logements\b", re.IGNORECASE)
_TABLE_TOTAL_RE = re.compile(r"^\s*total\s+(\d{1,4})\s*$", re.IGNORECASE | re.MULTILINE)
_SURFACE_RE = {
    "surface_habitable_m2": re.compile(r"surface\s+habitable(?:\s+totale)?\s*(?:\(SH\))?\s*:?\s*" + _NUMBER
                                       + r"\s*m(?:²|2)", re.IGNORECASE),
    "surface_utile_m2": re.compile(r"surface\s+utile(?:\s+totale)?\s*(?:\(SU\))?\s*:?\s*" + _NUMBER
                                   + r"\s*m(?:²|2)", re.IGNORECASE),
}
_RENT_TOTAL_RE = re.compile(r"loyers?\s+mensuels?(?:\s+prévus)?(?:\s+hors\s+charges)?\s*:\s*", re.IGNORECASE)
_RENT_WORDS = ("loyer",)
_RENT_M2_RE = re.compile(_NUMBER + r"\s*€\s*(?:/|par)\s*m(?:²|2)", re.IGNORECASE)
_DPE_RE = re.compile(r"(?:DPE|classe\s+(?:énergétique|énergie)|étiquette\s+énergétique)\s*(?:classe\s*)?:?\s*"
                     r"([A-G])\b")
_DPE_WORDS = ("DPE", "classe", "étiquette")  # case-sensitive, as _DPE_RE
_RE2020_RE = re.compile(r"\bRE\s?2020\b(?:\s*(?:seuil|jalon)\s*(\d{4}))?", re.IGNORECASE)
_LABELS = (
    ("NF Habitat HQE", r"NF\s+Habitat\s+HQE"), ("NF Habitat", r"NF\s+Habitat(?!\s+HQE)"),
    ("BBCA", r"\bBBCA\b"), ("Effinergie", r"effinergie\s*\+?"), ("BEPOS", r"\bBEPOS\b"),
    ("E+C-", r"E\+C-"), ("Bâtiment biosourcé", r"biosourcé"), ("Passivhaus", r"passivhaus"),
)  # fmt: skip
# Every match of each label starts with its word, in lower case: see `Document.search_at`.
_LABEL_SEARCH = tuple(
    (label, re.compile(pattern, re.IGNORECASE), (word,))
    for (label, pattern), word in zip(
        _LABELS, ("nf", "nf", "bbca", "effinergie", "bepos", "e+c-", "biosourcé", "passivhaus"), strict=True
    )
)
_TRANSPORT_RE = re.compile(
    r"(arrêt\s+de\s+(?:bus|tram(?:way)?)|station\s+de\s+(?:métro|tram(?:way)?|RER)|gare|métro|tramway|RER)"
    r"[^.;\n]{0,40}?\bà\s+(\d+(?:,\d+)?\s*(?:m|km))\b",
    re.IGNORECASE,
)
_TRANSPORT_ANCHOR_RE = re.compile(r"\bà\s+\d")  # starts with "à" and holds no other: matches never overlap
_SERVICES = (
    ("commerces", r"commerces?"), ("supermarché", r"supermarché"), ("pharmacie", r"pharmacie"),
    ("école", r"écoles?"), ("collège", r"collège"), ("lycée", r"lycée"), ("crèche", r"crèche"),
    ("santé", r"maison\s+de\s+santé|centre\s+de\s+santé|médecin"),
)  # fmt: skip


def extract(pages: list[str]) -> list[ExtractedField]:
    doc = Document(pages)
    text = doc.text
    fields: list[ExtractedField] = []
    typologies: dict[str, int] = {}
    for row in _TYPOLOGY_RE.finditer(text):
        key = re.sub(r"\s+", "", row.group(1).lower())
        name = "t6_plus" if key.startswith("t6") or key == "t7" else _TYPOLOGY_NAMES.get(key)
        if name is None or name in typologies:
            continue
        typologies[name] = int(row.group(2))
        fields.append(doc.field(f"logements.{name}", int(row.group(2)), row.start(), row.end(), 0.9))
    table_total = _TABLE_TOTAL_RE.search(text)
    stated = _first_near(text, "logements", _LOGEMENTS_RE, 12)
    if stated:
        count = int(stated.group(1))
        agrees = (table_total and int(table_total.group(1)) == count) or (
            typologies and sum(typologies.values()) == count
        )
        fields.append(doc.field("logements.total", count, stated.start(), stated.end(), 0.95 if agrees else 0.8))
    elif table_total:
        fields.append(doc.field("logements.total", int(table_total.group(1)), table_total.start(),
                                table_total.end(), 0.85))
    for name, pattern in _SURFACE_RE.items():
        if surface := doc.search_at(pattern, ("surface",)):
            value = _number(surface.group(1), surface.group(2))
            if value is not None:
                fields.append(doc.field(name, decimal_str(value), surface.start(), surface.end(), 0.95))
    if rent := doc.search_at(_RENT_TOTAL_RE, _RENT_WORDS):
        amount = AMOUNT_RE.match(text, rent.end())
        if amount and (value := parse_figures(amount.group(1), amount.group(2))) is not None:
            fields.append(doc.field("loyer_mensuel_total_eur", euros_str(value), rent.start(), amount.end(), 0.95))
    if per_m2 := _first_near(text, "€", _RENT_M2_RE, 24, 8):
        value = _number(per_m2.group(1), per_m2.group(2))
        if value is not None:
            fields.append(doc.field("loyer_m2_eur", euros_str(value), per_m2.start(), per_m2.end(), 0.9))
    if dpe := match_at(_DPE_RE, text, text, _DPE_WORDS):
        fields.append(doc.field("energie.dpe", dpe.group(1), dpe.start(), dpe.end(), 0.9))
    if re2020 := _re2020(text):
        value_re = "RE 2020" + (f" seuil {re2020.group(1)}" if re2020.group(1) else "")
        fields.append(doc.field("energie.re2020", value_re, re2020.start(), re2020.end(), 0.9))
    labels = [(label, m) for label, pattern, words in _LABEL_SEARCH if (m := doc.search_at(pattern, words))]
    if labels:
        first = min((m for _, m in labels), key=lambda m: m.start())
        fields.append(doc.field("energie.labels", " ; ".join(label for label, _ in labels), first.start(),
                                first.end(), 0.85))
    transports = _all_near(text, _TRANSPORT_ANCHOR_RE, "à", _TRANSPORT_RE, 100, 20)
    if transports:
        value_t = " ; ".join(f"{_transport(m.group(1))} {m.group(2)}" for m in transports)
        fields.append(doc.field("environnement.transports", value_t, transports[0].start(), transports[0].end(),
                                0.8))
    services = [(label, m) for label, pattern in _SERVICES if (m := re.search(pattern, text, re.IGNORECASE))]
    if services:
        first_s = min((m for _, m in services), key=lambda m: m.start())
        fields.append(doc.field("environnement.services", " ; ".join(label for label, _ in services),
                                first_s.start(), first_s.end(), 0.8))
    return fields


def _re2020(text: str) -> re.Match[str] | None:
    """`_RE2020_RE.search(text)`: a match starts two or three characters before a "2020"."""
    starts: set[int] = set()
    position = text.find("2020")
    while position >= 0:
        starts.update(start for start in (position - 3, position - 2) if start >= 0)
        position = text.find("2020", position + 1)
    for start in sorted(starts):
        if match := _RE2020_RE.match(text, start):
            return match
    return None


def _first_near(text: str, literal: str, pattern: re.Pattern[str], before: int, after: int = 0) -> re.Match[str] | None:
    """`pattern.search(text)`, tried only around occurrences of a literal: a regular expression that starts
    with a digit class scans a 300-page text slowly; a literal search does not."""
    position = text.find(literal)
    while position >= 0:
        window_start = max(0, position - before)
        match = pattern.search(text, window_start, position + len(literal) + after)
        if match:
            return match
        position = text.find(literal, position + 1)
    return None


def _all_near(text: str, anchor: re.Pattern[str], literal: str, pattern: re.Pattern[str], before: int,
              after: int) -> list[re.Match[str]]:
    """Every match of `pattern` near a match of `anchor`, which starts with `literal` (only tried there)."""
    found: list[re.Match[str]] = []
    hits = (hit for position in _positions(text, literal) if (hit := anchor.match(text, position)))
    for hit in hits:
        start = max(0, hit.start() - before, found[-1].end() if found else 0)
        match = pattern.search(text, start, hit.end() + after)
        if match and (not found or match.start() >= found[-1].end()):
            found.append(match)
    return found


def _positions(text: str, literal: str) -> Iterator[int]:
    position = text.find(literal)
    while position >= 0:
        yield position
        position = text.find(literal, position + 1)


def _transport(word: str) -> str:
    word = " ".join(word.lower().split())
    for short in ("bus", "tramway", "tram", "métro", "rer", "gare"):
        if short in word:
            return "tramway" if short == "tram" else short.upper() if short == "rer" else short
    return word


def _number(integer: str, decimals: str | None) -> Decimal | None:
    try:
        value = Decimal(integer.replace(" ", "").replace(".", ""))
    except InvalidOperation:
        return None
    return value + Decimal(f"0.{decimals}") if decimals else value


_DISTANCE = re.compile(r"(\d+(?:,\d+)?)\s*(km|m)\b")


def nearest_transport_m(stops: str) -> Decimal | None:
    """The nearest stop of an `environnement.transports` value (« tramway 250 m ; bus 1,2 km »), in metres."""
    metres = [Decimal(n.replace(",", ".")) * (1000 if unit == "km" else 1) for n, unit in _DISTANCE.findall(stops)]
    return min(metres).quantize(Decimal(1), rounding=ROUND_HALF_UP) if metres else None
