"""The DROM programmation's form on the plateforme: the département and, filière by filière, the synthesis of the
tableau de programmation's « données pour formulaire » tab, read back the French way (`forms.parse_decimal`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ami.domain import validation_fr
from ami.domain.models import DEPARTEMENTS_DROM, FILIERES, DossierForm
from pydantic import ValidationError

from web.forms import french_decimal, parse_decimal

FIGURES = (("operations", "Nombre d'opérations", "integer"), ("logements", "Nombre de logements", "integer"),
           ("montant_pret_eur", "Montant des prêts sollicités (€)", "decimal"))


@dataclass(frozen=True)
class Cell:
    name: str  # the form field, `synthese.<filière>.<figure>`
    html_id: str
    label: str
    value: str
    error: str | None = None


@dataclass(frozen=True)
class Row:
    filiere: str
    libelle: str
    cells: tuple[Cell, ...]


def rows(form: DossierForm, raw: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> list[Row]:
    """One row per filière, as typed (`raw`, after an error) or as saved."""
    saved = {line.filiere: line for line in (form.programmation.synthese if form.programmation else [])}
    errors = errors or {}
    out = []
    for code, libelle in FILIERES.items():
        cells = []
        for name, label, kind in FIGURES:
            path = f"synthese.{code}.{name}"
            if raw is not None:
                value = raw.get(path, "")
            elif code in saved:
                got = getattr(saved[code], name)
                value = french_decimal(got) if kind == "decimal" else str(got)
            else:
                value = ""
            cells.append(Cell(path, f"synthese-{code.lower()}-{name.replace('_', '-')}", f"{label}, {code}", value,
                              errors.get(path)))
        out.append(Row(code, libelle, tuple(cells)))
    return out


def departements() -> list[tuple[str, str]]:
    return [(code, f"{code} – {nom}") for code, nom in DEPARTEMENTS_DROM.items()]


def parse(raw: dict[str, str]) -> tuple[DossierForm | None, dict[str, str]]:
    """The programmation the bailleur typed, or each field's French error (by the page's field names). A filière
    left blank is not reported; one partly filled must be filled whole."""
    errors: dict[str, str] = {}
    lines: list[dict[str, Any]] = []
    for code in FILIERES:
        typed = {name: raw.get(f"synthese.{code}.{name}", "").strip() for name, _, _ in FIGURES}
        if not any(typed.values()):
            continue
        line: dict[str, Any] = {"filiere": code}
        for name, label, kind in FIGURES:
            path, text = f"synthese.{code}.{name}", typed[name]
            if not text:
                errors[path] = f"{label}, {code} : à renseigner (la filière est en partie remplie)."
            elif kind == "decimal":
                line[name] = parse_decimal(text)
            else:
                line[name] = re.sub(r"[\s\u00a0\u202f]", "", text)
        lines.append(line)
    dep = raw.get("departement", "").strip() or None
    if dep is not None and dep not in DEPARTEMENTS_DROM:
        errors["departement"] = "Département : choisissez un département de la liste."
        dep = None
    if errors:
        return None, errors
    try:
        form = DossierForm.model_validate({"programmation": {"departement": dep, "synthese": lines}})
    except ValidationError as exc:
        for e in exc.errors(include_url=False, include_context=True, include_input=False):
            loc = [str(p) for p in e["loc"]]
            if len(loc) >= 4 and loc[1] == "synthese":
                code, name = lines[int(loc[2])]["filiere"], loc[3]
                label = next((lb for n, lb, _ in FIGURES if n == name), name)
                errors.setdefault(f"synthese.{code}.{name}", f"{label}, {code} : {validation_fr.problem(e)}.")
            else:
                errors.setdefault("_", f"Formulaire : {validation_fr.problem(e)}.")
        return None, errors
    return form, errors


def totals(form: DossierForm) -> dict[str, Any]:
    lines = form.programmation.synthese if form.programmation else []
    return {"operations": sum(x.operations for x in lines), "logements": sum(x.logements for x in lines),
            "montant": sum((x.montant_pret_eur for x in lines), Decimal(0))}
