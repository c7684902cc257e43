"""The dossier's form as HTML fields, and back: built from the domain's model (`DossierForm`), field by
field, so that a field added to the model appears on the page with its label, its unit and its errors.

Amounts and surfaces are read the French way (`1 450 000,00`, `1.450.000,00 €`); the commune is typed
by name, postcode or INSEE code; every error is the domain's French sentence, next to its field.
"""

from __future__ import annotations

import re
import types
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from ami.domain import rules, validation_fr
from ami.domain.models import (
    SERVICE_LIBELLES,
    TYPOLOGIE_LIBELLES,
    DossierForm,
    LigneLogements,
    Loan,
    LoanKind,
    Operation,
)
from pydantic import BaseModel, ValidationError

CHOICES: dict[str, str] = {
    "livret_a": "Livret A", "taux_fixe": "Taux fixe", "foncier": "Foncier", "bati": "Bâti",
    **TYPOLOGIE_LIBELLES, **{k: v[:1].upper() + v[1:] for k, v in SERVICE_LIBELLES.items()},
}
NO_CHOICE = ("", "Aucun choix")
LOAN_KINDS: dict[LoanKind, tuple[str, str]] = {
    "foncier": ("Prêts fonciers", "Prêt foncier"),
    "bati": ("Prêts bâti (travaux)", "Prêt bâti"),
}
UNITS = {"_m2": "m²", "_eur": "€", "_pct": "%", "_mois": "mois", "_m": "m"}
HINTS = {
    "decimal": "Par exemple 1 450 000,00",
    "decimal %": "Par exemple 0,60",
    "decimal m²": "Par exemple 2 600,50",
    "date": "Au format JJ/MM/AAAA",
    "commune": "Nom, code postal ou code INSEE, par exemple Lyon, 69003 ou 69123",
}
COMMUNE = "operation.commune_insee"
LINES = "operation.lignes"
# The totals the detail of the dwellings gives (ami.domain.models.Operation): derived from the lines, not typed.
DERIVED = ("logements", "surface_habitable_m2", "surface_utile_m2", "loyer_mensuel_total_eur")
DERIVED_HINT = "Calculé à partir du détail des logements."


@dataclass
class Widget:
    """One input of the page: its name (the field's dotted path, as the domain's errors name it)."""

    name: str
    label: str
    kind: str  # text | decimal | integer | date | select | checkbox | choices | commune
    value: str = ""  # for `choices`, the values ticked, comma-separated
    options: list[tuple[str, str]] = field(default_factory=list)
    unit: str | None = None
    hint: str | None = None
    error: str | None = None
    readonly: bool = False

    @property
    def ticked(self) -> list[str]:
        return [v for v in self.value.split(",") if v]

    @property
    def html_id(self) -> str:
        return _html_id("champ-", self.name)


@dataclass
class Group:
    name: str
    label: str
    widgets: list[Widget]
    error: str | None = None

    @property
    def html_id(self) -> str:
        return _html_id("groupe-", self.name)


@lru_cache(maxsize=4096)
def _html_id(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# ---------------------------------------------------------------- the model's fields


def _strip(tp: Any) -> Any:
    """`Annotated[X, ...] | None` → X."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else str
        else:
            return tp


def _choices_of(tp: Any) -> Any:
    """The Literal of a `list[Literal[...]]` (several boxes to tick), else None."""
    if get_origin(tp) is list:
        (inner,) = get_args(tp) or (None,)
        if get_origin(inner) is Literal:
            return inner
    return None


@lru_cache(maxsize=512)
def _kind(tp: Any) -> tuple[str, list[tuple[str, str]]]:
    """(kind of input, its options); cached by type (the options list is shared: never change it in place)."""
    return _kind_of(tp)


def _kind_of(tp: Any) -> tuple[str, list[tuple[str, str]]]:
    if (choices := _choices_of(tp)) is not None:
        return "choices", _kind(choices)[1]
    if get_origin(tp) is Literal:
        return "select", [(str(v), CHOICES.get(str(v)) or _sentence(str(v).replace("_", " "))) for v in get_args(tp)]
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "select", [(str(m.value), CHOICES.get(str(m.value), str(m.value))) for m in tp]
    if tp is bool:
        return "checkbox", []
    if tp is int:
        return "integer", []
    if tp is Decimal or tp is float:
        return "decimal", []
    if tp is date:
        return "date", []
    return "text", []


def _sentence(text: str) -> str:
    """First letter upper case, the rest as written (« RE 2020 seuil 2025 » stays so)."""
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=4096)
def _label(path: str, name: str, description: str | None) -> str:
    if path.startswith("prets.") or path.startswith(f"{LINES}."):
        names = validation_fr.LOAN_FIELDS if path.startswith("prets.") else validation_fr.LINE_FIELDS
        text = names.get(name) or description or name.replace("_", " ")
        return text[:1].upper() + text[1:]
    loc = tuple(int(p) if p.isdigit() else p for p in path.split("."))
    found = validation_fr.label(loc)
    if not found.startswith("Champ «"):
        return found
    return description or name.replace("_", " ").capitalize()


def _unit(name: str) -> str | None:
    return next((u for suffix, u in UNITS.items() if name.endswith(suffix)), None)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "decimal":
        return french_decimal(Decimal(value))
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if kind == "checkbox":
        return "on" if value else ""
    if kind == "choices":
        return ",".join(str(v) for v in value)
    return str(value)


def _typed(raw: dict[str, str], path: str, kind: str, options: list[tuple[str, str]]) -> str:
    """What was typed in the field `path` (the boxes ticked, for `choices`)."""
    if kind == "choices":
        return ",".join(v for v, _ in options if raw.get(f"{path}.{v}") == "on")
    return raw.get(path, "")


@dataclass(frozen=True)
class _Field:
    """What a field's input is, whatever its value: worked out once per model and prefix (`_fields`)."""

    name: str
    path: str
    kind: str  # as Widget.kind, or "group" for a nested model
    label: str
    options: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    hint: str | None = None
    model: Any = None  # the nested model of a group


@lru_cache(maxsize=2048)
def _fields(model: type[BaseModel], prefix: str, skip: tuple[str, ...]) -> tuple[_Field, ...]:
    out: list[_Field] = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        path = f"{prefix}.{name}"
        tp = _strip(info.annotation)
        if get_origin(tp) is list and _choices_of(tp) is None:
            continue  # lists of rows (the loans, the dwellings) have their own section
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out.append(_Field(name, path, "group", _label(path, name, info.description), model=tp))
            continue
        kind, options = _kind(tp)
        if kind == "select" and not info.is_required() and info.default is None:
            options = [NO_CHOICE, *options]
        label = _label(path, name, info.description)
        if kind == "choices" and info.title:
            label = info.title  # inside its group: « Services présents dans cette distance »
        if path == COMMUNE:
            kind, label = "commune", "Commune"
        unit = _unit(name)
        out.append(_Field(name, path, kind, label, tuple(options), unit,
                          HINTS.get(f"{kind} {unit}") or HINTS.get(kind)))
    return tuple(out)


def widgets(model: type[BaseModel], prefix: str, values: dict[str, Any],
            raw: dict[str, str] | None, skip: tuple[str, ...] = ()) -> list[Widget | Group]:
    """The inputs of `model`'s fields (nested models as a group), filled from `raw` (what was typed)
    or else from `values` (what is saved)."""
    out: list[Widget | Group] = []
    for f in _fields(model, prefix, skip):
        if f.kind == "group":
            inner = values.get(f.name) or {}
            sub = widgets(f.model, f.path, inner if isinstance(inner, dict) else inner.model_dump(), raw)
            out.append(Group(f.path, f.label, [w for w in sub if isinstance(w, Widget)]))
            continue
        options = list(f.options)
        value = _typed(raw, f.path, f.kind, options) if raw is not None else _shown(values.get(f.name), f.kind)
        if f.kind == "commune" and raw is None and value and (place := rules.commune(value)):
            value = f"{place.nom} ({place.insee})"
        out.append(Widget(f.path, f.label, f.kind, value, options, f.unit, f.hint))
    return out


def operation_widgets(form: DossierForm, raw: dict[str, str] | None = None) -> list[Widget | Group]:
    """The operation's inputs; the totals are read-only while the detail of the dwellings gives them."""
    items = widgets(Operation, "operation", form.operation.model_dump(), raw)
    derived = bool(_line_indexes(raw)) if raw is not None else bool(form.operation.lignes)
    if derived:
        for item in items:
            if item.name.removeprefix("operation.") in DERIVED:
                for w in item.widgets if isinstance(item, Group) else [item]:
                    w.readonly, w.hint = True, DERIVED_HINT
    return items


@dataclass
class LineRow:
    """One line of the detail of the dwellings (`operation.lignes.<index>.…`)."""

    index: int
    widgets: list[Widget]
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{LINES}.{self.index}"

    @property
    def html_id(self) -> str:
        return f"ligne-{self.index}"


def line_rows(form: DossierForm, raw: dict[str, str] | None = None) -> list[LineRow]:
    """The dwellings, typology by typology; each line keeps its index in the form."""
    if raw is not None:
        entries = [(i, _raw_row(raw, LINES, i)) for i in _line_indexes(raw)]
    else:
        entries = [(i, line.model_dump()) for i, line in enumerate(form.operation.lignes or [])]
    rows = [LineRow(i, [w for w in widgets(LigneLogements, f"{LINES}.{i}", values, raw) if isinstance(w, Widget)])
            for i, values in entries]
    for row in rows:
        for w in row.widgets:
            w.hint = None  # the examples are for totals (« 1 450 000,00 »), not for one dwelling
    return rows


def _line_indexes(raw: dict[str, str] | None) -> list[int]:
    pattern = re.compile(rf"{re.escape(LINES)}\.(\d{{1,3}})\.typologie")
    return sorted({int(m[1]) for k in raw or {} if (m := pattern.fullmatch(k))})


@dataclass
class LoanRow:
    index: int
    kind: LoanKind
    widgets: list[Widget]


def loan_rows(form: DossierForm, raw: dict[str, str] | None = None) -> dict[LoanKind, list[LoanRow]]:
    """The loans, land and building apart; each keeps its index in the form (`prets.<i>.…`)."""
    rows: dict[LoanKind, list[LoanRow]] = {"foncier": [], "bati": []}
    if raw is not None:
        entries = [(i, _raw_loan(raw, i)) for i in _loan_indexes(raw)]
    else:
        entries = [(i, loan.model_dump()) for i, loan in enumerate(form.prets)]
    for i, values in entries:
        kind: LoanKind = "bati" if values.get("kind") == "bati" else "foncier"
        ws = [w for w in widgets(Loan, f"prets.{i}", values, raw, skip=("kind",)) if isinstance(w, Widget)]
        rows[kind].append(LoanRow(i, kind, ws))
    return rows


def _loan_indexes(raw: dict[str, str]) -> list[int]:
    return sorted({int(m[1]) for k in raw if (m := re.fullmatch(r"prets\.(\d{1,2})\.kind", k))})


def _raw_loan(raw: dict[str, str], i: int) -> dict[str, Any]:
    return _raw_row(raw, "prets", i)


def _raw_row(raw: dict[str, str], prefix: str, i: int) -> dict[str, Any]:
    start = f"{prefix}.{i}."
    return {k.removeprefix(start): v for k, v in raw.items() if k.startswith(start)}


# ---------------------------------------------------------------- reading what was typed


def french_decimal(value: Decimal) -> str:
    """`Decimal("1450000.50")` → `1 450 000,50` (plain spaces: what a person types back)."""
    sign = "-" if value < 0 else ""
    units, _, fraction = f"{abs(value):f}".partition(".")
    grouped = f"{int(units):,}".replace(",", " ")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def parse_decimal(text: str) -> str:
    """A French number as the model reads it (`1 450 000,00` → `1450000.00`); what cannot be read is
    returned as typed, so that the model reports it in its words."""
    t = re.sub(r"[\s\u00a0\u202f€%]|m²|m2", "", text.strip())
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif t.count(".") > 1:
        t = t.replace(".", "")
    try:
        Decimal(t)
    except InvalidOperation:
        return text.strip()
    return t


def parse_date(text: str) -> str:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}" if m else text.strip()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s'’-]+", " ", text).strip()


def find_communes(text: str, limit: int = 12) -> list[rules.Commune]:
    """Communes by INSEE code, postcode or name (accents and case ignored), exact names first. Five
    digits are both: the commune of that INSEE code first, then those the postcode serves."""
    text = text.strip()
    if not text:
        return []
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", text, re.I):
        found = rules.commune(text.upper())
        served = [c for c in rules.communes_of_postcode(text) if found is None or c.insee != found.insee]
        return ([found] if found else []) + served[: limit - (1 if found else 0)]
    if re.fullmatch(r"\d{3,4}", text):  # the start of a postcode: the communes of the first ones
        started: dict[str, rules.Commune] = {}
        for code in rules.postcodes_starting(text):
            started.update((c.insee, c) for c in rules.communes_of_postcode(code))
            if len(started) >= limit:
                break
        return list(started.values())[:limit]
    folded = _fold(text)
    exact: list[rules.Commune] = []
    starts: list[rules.Commune] = []
    for c in rules.communes().values():
        name = _fold(c.nom)
        if name == folded:
            exact.append(c)
        elif name.startswith(folded) and len(starts) < limit:
            starts.append(c)
    return (exact + starts)[:limit]


def resolve_commune(text: str) -> tuple[str | None, str | None]:
    """(INSEE code, error) for what was typed in the commune field."""
    text = text.strip()
    if not text:
        return None, None
    if re.fullmatch(r"\d{5}", text):  # an INSEE code or a postcode: unambiguous only when one commune is meant
        meant = {c.insee: c for c in [rules.commune(text), *rules.communes_of_postcode(text)] if c is not None}
        if len(meant) == 1:
            return next(iter(meant)), None
        if not meant:
            return None, f"Aucune commune n'a le code {text} (ni code postal ni code INSEE)."
        choices = ", ".join(f"{c.nom} ({c.insee})" for c in list(meant.values())[:8])
        return None, f"Le code {text} désigne plusieurs communes : choisissez-en une, par exemple {choices}."
    m = re.search(r"\((\d{5}|2[AB]\d{3})\)\s*$", text) or re.fullmatch(r"(2[AB]\d{3})", text, re.I)
    if m:
        code = m[1].upper()
        return (code, None) if rules.commune(code) else (None, f"Le code INSEE {code} est inconnu du zonage ABC.")
    exact = [c for c in find_communes(text, limit=50) if _fold(c.nom) == _fold(text)]
    if len(exact) == 1:
        return exact[0].insee, None
    if len(exact) > 1:
        choices = ", ".join(f"{c.nom} ({c.insee})" for c in exact[:8])
        return None, f"Plusieurs communes portent ce nom : indiquez le code INSEE, par exemple {choices}."
    return None, "Aucune commune de ce nom : vérifiez l'orthographe ou indiquez le code INSEE."


def _value(model: type[BaseModel], prefix: str, raw: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        tp = _strip(info.annotation)
        kind, options = _kind(tp)
        if kind == "choices":
            ticked = _typed(raw, path, kind, options)
            if ticked:
                out[name] = ticked.split(",")
            continue
        if get_origin(tp) is list:
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            inner = _value(tp, path, raw, errors)
            if inner:
                out[name] = inner
            continue
        text = raw.get(path, "").strip()
        if kind == "checkbox":
            out[name] = text == "on"
            continue
        if not text:
            continue
        if path == COMMUNE:
            code, error = resolve_commune(text)
            if error:
                errors[path] = error
            elif code:
                out[name] = code
        elif kind == "decimal":
            out[name] = parse_decimal(text)
        elif kind == "integer":
            out[name] = re.sub(r"[\s\u00a0\u202f]", "", text)
        elif kind == "date":
            out[name] = parse_date(text)
        else:
            out[name] = text
    if out:  # a group with something typed: boxes left unticked say « none of these »
        for name, info in model.model_fields.items():
            if _choices_of(_strip(info.annotation)) is not None:
                out.setdefault(name, [])
    return out


def parse(raw: dict[str, str]) -> tuple[DossierForm | None, dict[str, str]]:
    """The form the bailleur typed, or the French error of each field that cannot be read (by path)."""
    errors: dict[str, str] = {}
    operation = _value(Operation, "operation", raw, errors)
    loans = [(i, loan) for i in _loan_indexes(raw)
             if set(loan := _value(Loan, f"prets.{i}", raw, errors)) - {"kind", "index", "produit"}]
    lines = [(i, line) for i in _line_indexes(raw)
             if set(line := _value(LigneLogements, f"{LINES}.{i}", raw, errors)) - {"typologie"}]
    if lines:  # the totals come from the lines (what the read-only fields show may be stale)
        operation = {k: v for k, v in operation.items() if k not in DERIVED}
        operation["lignes"] = [line for _, line in lines]
    data: dict[str, Any] = {"operation": operation, "prets": [loan for _, loan in loans]}
    # Errors name rows by their position in the lists the model reads: keep the page's indexes.
    positions = {("prets",): [i for i, _ in loans], ("operation", "lignes"): [i for i, _ in lines]}
    try:
        form = DossierForm.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors(include_url=False, include_context=True, include_input=False):
            loc = list(e["loc"])
            # A whole row (a line whose surfaces disagree): named as the list shows it (« ligne 2 »).
            row = validation_fr.label(tuple(loc)) if isinstance(loc[-1], int) else None
            for prefix, indexes in positions.items():
                n = len(prefix)
                at = loc[n] if tuple(loc[:n]) == prefix and len(loc) > n else None
                if isinstance(at, int) and at < len(indexes):
                    loc[n] = indexes[at]
            path = ".".join(str(p) for p in loc)
            label = row or _label(path, str(loc[-1]), None)
            errors.setdefault(path, f"{label} : {validation_fr.problem(e)}.")
        return None, errors
    return (None, errors) if errors else (form, errors)


def attach(items: list[Any], errors: dict[str, str]) -> list[str]:
    """Put each error on its widget or group; returns the errors no widget shows."""
    flat: list[Widget | Group] = []
    for item in items:
        flat.append(item)
        if isinstance(item, Group):
            flat.extend(item.widgets)
    shown: set[str] = set()
    for target in flat:
        if target.name in errors:
            target.error = errors[target.name]
            shown.add(target.name)
    return [msg for path, msg in errors.items() if path not in shown]
