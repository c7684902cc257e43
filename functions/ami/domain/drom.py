"""Rules of the DROM 2024 programmation (cahier des charges §2.B–C): eligibility dates per operation, ACV
operations flagged, and priorities 1 to 4 as an explained assessment for the delegation's instructors."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import ConfigDict, Field

from ami.domain.base import Model
from ami.domain.extraction import Check

PRODUCTION = ("construction_neuve", "acquisition", "acquisition_amelioration", "demolition_reconstruction")
LAST_AGREMENT_YEAR = 2024  # agrément, déclaration LI, accord de prêt PLI: « 2024 ou une année antérieure »
OS_REHABILITATION_BY = dt.date(2026, 12, 31)
DEMOLITION_BY = dt.date(2027, 12, 31)
AGREMENT_WORDS = {"LI": "la déclaration d'informations (aide à l'investissement LI)",
                  "PLI": "l'accord de prêt d'un établissement de crédit (PLI)"}


@dataclass(frozen=True)
class OperationRow:
    """One operation of the programmation, as read (`line`: its row in the workbook)."""

    line: int
    reference: str
    nom: str
    commune: str
    filiere: str
    nature: str
    logements: int
    montant: Decimal
    date_agrement: dt.date | None = None
    date_os: dt.date | None = None
    date_demolition: dt.date | None = None
    acv: bool = False
    dpe: str | None = None
    rtaa: bool | None = None
    lien_emploi: str | None = None



def _check(code: str, row: OperationRow, text: str) -> Check:
    return Check(code=code, severity="attention", message_fr=f"Ligne {row.line} (opération {row.reference}) : {text}",
                 piece="tableau_programmation")


def eligibility_checks(rows: Iterable[OperationRow]) -> list[Check]:
    """The dates and exclusions of §2.B–C, operation by operation (the instructor decides: `attention`)."""
    out: list[Check] = []
    for row in rows:
        nature, filiere = row.nature, row.filiere
        if row.acv:
            out.append(_check("operation_acv", row, "opération Action Cœur de Ville, hors du champ de l'AMI."))
        if nature in PRODUCTION:
            what = AGREMENT_WORDS.get(filiere, "l'agrément préfectoral")
            when = row.date_agrement
            exempt = filiere == "LI" and getattr(row, "commune", "").startswith("976")  # « hors Mayotte »
            if when is None and not exempt:
                out.append(_check("eligibilite_date_absente", row, f"la date de {what} n'est pas renseignée."))
            elif when is not None and when.year > LAST_AGREMENT_YEAR:
                out.append(_check("eligibilite_date_tardive", row,
                                  f"{what} est daté de {when.year} ; il doit l'être de 2024 ou d'une année "
                                  "antérieure."))
        if nature == "rehabilitation":
            os_ = row.date_os
            if os_ is None:
                out.append(_check("eligibilite_date_absente", row,
                                  "la date de l'ordre de service n'est pas renseignée."))
            elif os_ > OS_REHABILITATION_BY:
                out.append(_check("eligibilite_date_tardive", row, "l'ordre de service de démarrage des travaux doit "
                                  "être daté du 31 décembre 2026 au plus tard."))
        if nature in ("demolition", "demolition_reconstruction"):
            auth = row.date_demolition
            if auth is None:
                out.append(_check("eligibilite_date_absente", row,
                                  "la date de l'autorisation de démolition n'est pas renseignée."))
            elif auth > DEMOLITION_BY:
                out.append(_check("eligibilite_date_tardive", row, "l'autorisation administrative de démolition doit "
                                  "être datée du 31 décembre 2027 au plus tard."))
    return out


@dataclass(frozen=True)
class Priorite:
    """Where one operation stands among priorities 1 to 4, and why (priority 1 eliminates; the others rank)."""

    line: int
    reference: str
    priorite: int | None  # 2, 3 or 4; None when the operation is set aside
    ecartee: bool
    explications: tuple[str, ...]


class _Rule(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    libelle: str


class Priorite1(_Rule):
    ecarte_sans_justification: bool = True


class Exclusions(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    acv: bool = True


class Priorite2(_Rule):
    natures_rtaa: tuple[str, ...]
    etiquettes_dpe: tuple[Literal["A", "B", "C", "D", "E", "F", "G"], ...] = Field(min_length=1)
    sans_critere: tuple[str, ...] = ()


class Priorite3(_Rule):
    part_minimale: Decimal = Field(ge=0, le=1)


class GrilleDrom(Model):
    """The DROM priorities as configured (`grille_drom_2024.toml`, named by the dispositif's `grille`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    priorite_1: Priorite1
    exclusions: Exclusions = Exclusions()
    priorite_2: Priorite2
    priorite_3: Priorite3
    priorite_4: _Rule


@cache
def grille(name: str = "grille_drom_2024.toml") -> GrilleDrom:
    """A DROM priorities grid of the package, validated once."""
    text = resources.files("ami.domain").joinpath(name).read_text(encoding="utf-8")
    return GrilleDrom.model_validate(tomllib.loads(text))


def _environmental(row: OperationRow, g: GrilleDrom) -> tuple[bool, str]:
    nature, dpe, rtaa = row.nature, row.dpe, row.rtaa
    rule = g.priorite_2
    if nature in rule.sans_critere:
        return False, "démolition : pas de critère environnemental."
    if nature in rule.natures_rtaa:
        if rtaa:
            return True, "attestation RTAA-DOM prévue (construction neuve)."
        return False, "pas d'attestation RTAA-DOM prévue."
    labels = ", ".join(rule.etiquettes_dpe[:-1]) + f" ou {rule.etiquettes_dpe[-1]}" if len(rule.etiquettes_dpe) > 1 \
        else rule.etiquettes_dpe[0]
    if dpe is not None and dpe in rule.etiquettes_dpe:
        return True, f"étiquette DPE {dpe} visée ({labels})."
    return False, f"étiquette DPE {labels} non visée." if dpe else "étiquette DPE non renseignée."


def priorities(rows: Sequence[OperationRow], g: GrilleDrom | None = None) -> list[Priorite]:
    """Priority 1 (lien emploi-logement) sets aside the operations without it; priority 2 for those meeting the
    environmental criteria; priority 3 for the others when the bailleur's other operations show an ambitious
    strategy (at least `part_minimale` of them meet priority 2); priority 4 for production that remains (examined
    while envelope remains). The rules come from the grid (`grille_drom_2024.toml`); the delegation confirms
    each assessment."""
    g = g or grille()
    meets = {r.line: _environmental(r, g) for r in rows}
    for row in rows:
        if row.acv and g.exclusions.acv:
            meets[row.line] = (False, "")
    share = sum(ok for ok, _ in meets.values()) / len(rows) if rows else 0.0
    out: list[Priorite] = []
    for row in rows:
        line, ref = row.line, row.reference
        why: list[str] = []
        if row.acv and g.exclusions.acv:
            out.append(Priorite(line, ref, None, True, ("Opération Action Cœur de Ville : hors du champ de l'AMI.",)))
            continue
        link = (row.lien_emploi or "").strip()
        if not link and g.priorite_1.ecarte_sans_justification:
            out.append(Priorite(line, ref, None, True,
                                ("Priorité 1 : le lien emploi-logement n'est pas justifié ; l'opération est "
                                 "écartée.",)))
            continue
        why.append(f"Priorité 1 : lien emploi-logement déclaré (« {link} »), à confirmer par la délégation."
                   if link else "Priorité 1 : lien emploi-logement non renseigné, à apprécier par la délégation.")
        ok, reason = meets[line]
        if ok:
            why.append(f"Priorité 2 : {reason}")
            out.append(Priorite(line, ref, 2, False, tuple(why)))
        elif share >= float(g.priorite_3.part_minimale) and row.nature not in g.priorite_2.sans_critere:
            why.append(f"Priorité 3 : {reason} Le bailleur porte une stratégie environnementale ambitieuse "
                       f"({round(share * 100)} % de ses opérations atteignent la priorité 2).")
            out.append(Priorite(line, ref, 3, False, tuple(why)))
        else:
            why.append(f"Priorité 4 : {reason} Examinée sur les critères complémentaires, s'il reste de l'enveloppe.")
            out.append(Priorite(line, ref, 4, False, tuple(why)))
    return out
