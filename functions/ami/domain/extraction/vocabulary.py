"""The vocabulary of BdT letters (`vocabulaire.toml`): which field a label announces, products, natures,
"sans objet", and the wordings of another guarantor. Loaded once; matching works on folded text."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

_FOLD_DROP = re.compile(r"[^a-z0-9%+\-/ ]+")
_SPACES = re.compile(r"\s+")
IGNORED = "ignore"


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, no accents, apostrophes and hyphens as spaces, one space between words."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("æ", "ae").replace("'", " ").replace("’", " ").replace("\u00ad", "")
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    text = _FOLD_DROP.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Vocabulary:
    labels: tuple[tuple[str, str], ...]  # (folded label, field or IGNORED), longest label first
    kinds: dict[str, str]  # field -> kind of value
    products: tuple[tuple[str, str], ...]  # (folded name, code), longest first
    natures: tuple[tuple[str, str], ...]  # (folded word, nature), longest first
    empty: frozenset[str]
    guarantee_re: re.Pattern[str]
    guarantor_re: re.Pattern[str]
    window: int
    # guarantee_re without re.IGNORECASE, for lower-case text (Document.lower), when its words are all
    # written in lower case: several times faster.
    guarantee_lower_re: re.Pattern[str] | None = None
    # The words just before a guarantee word that say there is none, and what cancels that in the sentence.
    negation_re: re.Pattern[str] | None = None
    negation_exception_re: re.Pattern[str] | None = None
    negation_after_re: re.Pattern[str] | None = None  # a guarantee said later in its sentence to be there no more
    # « ne garantit pas »: « ne » just before a guarantee verb, and what must follow it
    verb_negation_re: re.Pattern[str] | None = None
    verb_negation_after_re: re.Pattern[str] | None = None
    body_negation_re: re.Pattern[str] | None = None  # « La CGLLS n'intervient pas »
    # Sections of a loan's description: folded title -> section; (section, folded label) -> field or IGNORED.
    section_titles: dict[str, str] = field(default_factory=dict)
    section_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    # Labels that name a field only in a block of « Label : value » lines (folded label -> field).
    block_labels: dict[str, str] = field(default_factory=dict)
    # Titles of an article that describes one Ligne du Prêt in sentences (folded).
    article_titles: tuple[str, ...] = ()
    bdt_names: tuple[str, ...] = ()  # the Banque des Territoires as a lender cell names it
    # guarantor_re split for speed: its wordings that can be sought case-sensitively in lower-case text, and the
    # others (« Grand Lyon »: a capital is the cue), sought in the text as written.
    guarantor_lower_re: re.Pattern[str] | None = None
    guarantor_case_re: re.Pattern[str] | None = None
    # The loans' total a letter states: a row that starts a line, or a phrase followed by an amount.
    total_line_re: re.Pattern[str] | None = None
    total_phrase_re: re.Pattern[str] | None = None
    count_re: re.Pattern[str] | None = None  # the number of Lignes du Prêt a letter states

    def names_guarantor(self, text: str, lower: str | None, start: int, end: int) -> bool:
        """Whether text[start:end] names a guarantor (`guarantor_re`), `lower` being `text.lower()` with the
        same offsets, or None."""
        if lower is None or self.guarantor_lower_re is None:
            return self.guarantor_re.search(text, start, end) is not None
        return bool(self.guarantor_lower_re.search(lower, start, end)
                    or (self.guarantor_case_re and self.guarantor_case_re.search(text, start, end)))

    def section_of(self, label: str) -> str | None:
        """The section a title line or row opens (« Phase d'amortissement »), if `label` is one: a title starts
        with a capital (« préfinancement » alone is the end of a wrapped label)."""
        label = label.strip()
        if len(label) > 60 or not label[:1].isupper():
            return None
        return self.section_titles.get(fold(label).rstrip(" :"))

    def in_section(self, section: str | None, label: str) -> str | None:
        """The field (or IGNORED) a label names inside a section, when the section says so."""
        if section is None:
            return None
        return self.section_labels.get((section, fold(label).rstrip(" :")))

    def field_of(self, label: str) -> tuple[str | None, int]:
        """(field, folded length of the label) for the longest vocabulary label `label` starts with."""
        folded = fold(label)
        for known, name in self.labels:
            if folded == known or folded.startswith(known + " "):
                return name, len(known)
        return None, 0

    def field_exact(self, label: str) -> str | None:
        """The field whose label is exactly `label` (folded, a trailing colon ignored)."""
        folded = fold(label)
        for known, name in self.labels:
            if folded == known:
                return name
        return None

    def product(self, text: str) -> str | None:
        folded = f" {fold(text)} "
        for name, code in self.products:
            if f" {name} " in folded:
                return code
        return None

    def nature(self, text: str) -> str | None:
        folded = f" {fold(text)} "
        found = [(folded.find(f" {word} "), nature) for word, nature in self.natures if f" {word} " in folded]
        return min(found)[1] if found else None

    def lent_by_another(self, text: str) -> bool:
        """Whether a lender's cell names a lender and it is not the Banque des Territoires."""
        folded = f" {fold(text)} "
        return folded.strip() != "" and not self.is_empty(text) and not any(f" {name} " in folded
                                                                              for name in self.bdt_names)

    def is_empty(self, text: str) -> bool:
        return len(text) <= 16 and (fold(text) in self.empty or text.strip() in self.empty)


@cache
def vocabulary() -> Vocabulary:
    source = resources.files("ami.domain.extraction").joinpath("vocabulaire.toml")
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    labels: list[tuple[str, str]] = []
    kinds: dict[str, str] = {}
    for name, spec in raw["champs"].items():
        kinds[name] = spec["valeur"]
        labels.extend((fold(label), name) for label in spec["libelles"])
    labels.extend((fold(label), IGNORED) for label in raw["ignores"]["libelles"])
    products = [(fold(alias), code) for code, aliases in raw["produits"].items() for alias in aliases]
    natures = [(fold(word), nature) for nature, words in raw["natures"].items() for word in words]
    guarantors = raw["autres_garants"]
    titles: dict[str, str] = {}
    section_labels: dict[tuple[str, str], str] = {}
    for section, spec in raw.get("sections", {}).items():
        titles |= {fold(title): section for title in spec["titres"]}
        for name, words in spec.get("champs", {}).items():
            section_labels |= {(section, fold(word)): name for word in words}
        section_labels |= {(section, fold(word)): IGNORED for word in spec.get("ignores", [])}
    lower_case = [pattern.lower() for pattern in guarantors["garants"] if _lowers(pattern)]
    case_kept = [pattern for pattern in guarantors["garants"] if not _lowers(pattern)]
    return Vocabulary(
        labels=tuple(sorted(set(labels), key=lambda item: -len(item[0]))),
        kinds=kinds,
        products=tuple(sorted(products, key=lambda item: -len(item[0]))),
        natures=tuple(sorted(natures, key=lambda item: -len(item[0]))),
        empty=frozenset(fold(word) or word for word in raw["neant"]["libelles"]),
        guarantee_re=re.compile(guarantors["garantie"], re.IGNORECASE),
        guarantor_re=_alternatives(guarantors["garants"], re.IGNORECASE),
        window=int(guarantors["fenetre"]),
        guarantor_lower_re=_alternatives(lower_case, 0) if lower_case else None,
        guarantor_case_re=_alternatives(case_kept, re.IGNORECASE) if case_kept else None,
        guarantee_lower_re=_lower_case_only(guarantors["garantie"]),
        negation_re=re.compile(guarantors["negation"], re.IGNORECASE) if "negation" in guarantors else None,
        negation_exception_re=(re.compile(guarantors["exception_negation"], re.IGNORECASE)
                               if "exception_negation" in guarantors else None),
        negation_after_re=(re.compile(guarantors["negation_apres"], re.IGNORECASE)
                           if "negation_apres" in guarantors else None),
        verb_negation_re=(re.compile(guarantors["negation_verbe"], re.IGNORECASE)
                          if "negation_verbe" in guarantors else None),
        verb_negation_after_re=(re.compile(guarantors["negation_verbe_suite"], re.IGNORECASE)
                                if "negation_verbe_suite" in guarantors else None),
        body_negation_re=(re.compile(guarantors["negation_garant"], re.IGNORECASE)
                          if "negation_garant" in guarantors else None),
        section_titles=titles,
        section_labels=section_labels,
        block_labels={fold(label): name for name, words in raw.get("blocs", {}).items() for label in words},
        article_titles=tuple(fold(title) for title in raw.get("articles", {}).get("titres", [])),
        bdt_names=tuple(fold(name) for name in raw["preteurs"]["bdt"]),
        total_line_re=re.compile(raw["totaux"]["ligne"], re.IGNORECASE | re.MULTILINE),
        total_phrase_re=re.compile("|".join(f"(?:{p})" for p in raw["totaux"]["phrases"]), re.IGNORECASE),
        count_re=re.compile(raw["totaux"]["nombre"], re.IGNORECASE),
    )


def _lowers(pattern: str) -> bool:
    """Whether a case-insensitive pattern, lower-cased, finds the same in lower-case text: no case-sensitive
    group, no escape that lower-casing changes (\\W, \\S, \\B, \\D)."""
    return "(?-i:" not in pattern and re.search(r"\\[A-Z]", pattern) is None


def _alternatives(patterns: list[str], flags: int) -> re.Pattern[str]:
    """One pattern for the alternatives, each at a word boundary: tested once before them, it rules out most
    positions at once."""
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", flags)


def _lower_case_only(pattern: str) -> re.Pattern[str] | None:
    """`pattern` for lower-case text, case-sensitive, when that finds what re.IGNORECASE finds in the original
    text: no upper-case letter, nor an escape such as \\S or \\W that lower-casing would change."""
    return re.compile(pattern) if pattern == pattern.lower() else None
