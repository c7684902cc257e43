"""Rules of the DROM 2024 programmation (cahier des charges §2.B–C): eligibility dates per operation, ACV
operations flagged, and priorities 1 to 4 as an explained assessment for the delegation's instructors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

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


def _environmental(row: OperationRow) -> tuple[bool, str]:
    nature, dpe, rtaa = row.nature, row.dpe, row.rtaa
    if nature == "demolition":
        return False, "démolition : pas de critère environnemental."
    if nature in ("construction_neuve", "demolition_reconstruction"):
        if rtaa:
            return True, "attestation RTAA-DOM prévue (construction neuve)."
        return False, "pas d'attestation RTAA-DOM prévue."
    if dpe is not None and dpe in "ABC":
        return True, f"étiquette DPE {dpe} visée (A, B ou C)."
    return False, "étiquette DPE A, B ou C non visée." if dpe else "étiquette DPE non renseignée."


def priorities(rows: Sequence[OperationRow]) -> list[Priorite]:
    """Priority 1 (lien emploi-logement) sets aside the operations without it; priority 2 for those meeting the
    environmental criteria; priority 3 for the others when the bailleur's other operations show an ambitious
    strategy (at least half meet priority 2); priority 4 for production that remains (examined while
    envelope remains). The delegation confirms each assessment."""
    meets = {r.line: _environmental(r) for r in rows}
    for row in rows:
        if row.acv:
            meets[row.line] = (False, "")
    share = sum(ok for ok, _ in meets.values()) / len(rows) if rows else 0.0
    out: list[Priorite] = []
    for row in rows:
        line, ref = row.line, row.reference
        why: list[str] = []
        if row.acv:
            out.append(Priorite(line, ref, None, True, ("Opération Action Cœur de Ville : hors du champ de l'AMI.",)))
            continue
        link = (row.lien_emploi or "").strip()
        if not link:
            out.append(Priorite(line, ref, None, True,
                                ("Priorité 1 : le lien emploi-logement n'est pas justifié ; l'opération est "
                                 "écartée.",)))
            continue
        why.append(f"Priorité 1 : lien emploi-logement déclaré (« {link} »), à confirmer par la délégation.")
        ok, reason = meets[line]
        if ok:
            why.append(f"Priorité 2 : {reason}")
            out.append(Priorite(line, ref, 2, False, tuple(why)))
        elif share >= 0.5 and row.nature != "demolition":
            why.append(f"Priorité 3 : {reason} Le bailleur porte une stratégie environnementale ambitieuse "
                       f"({round(share * 100)} % de ses opérations atteignent la priorité 2).")
            out.append(Priorite(line, ref, 3, False, tuple(why)))
        else:
            why.append(f"Priorité 4 : {reason} Examinée sur les critères complémentaires, s'il reste de l'enveloppe.")
            out.append(Priorite(line, ref, 4, False, tuple(why)))
    return out
