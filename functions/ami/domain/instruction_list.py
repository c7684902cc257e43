"""The instructors' list of numbered dossiers: filters (status, région, zone ABC, CCN séance, score, waiting
list) read from a query string with French errors, and one page of the filtered list in deposit-number order.

Server-side and pure: the dossiers' summaries in (`ami.domain.summary`, what the storage keeps beside each
numbered dossier), one page out. The caller fetches what only the page's rows need (the bailleurs' names, where
each stands in the work list), so a page of 50 costs the same whatever the list's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ami.domain.envelope import REGIONS, ZONES, region_name
from ami.domain.models import DossierStatus, SeanceCcn
from ami.domain.rules import Commune, commune
from ami.domain.summary import DossierSummary

PAGE_SIZE = 50
# Statuses before numbering never reach the list: the filter offers the others, the lifecycle's included.
NOT_LISTED = frozenset({DossierStatus.BROUILLON, DossierStatus.ENVOYE, DossierStatus.INCOMPLET})
ATTENTE = {"": "Avec ou sans", "oui": "Seulement la liste d'attente", "non": "Hors liste d'attente"}


@dataclass(frozen=True)
class Filtres:
    statut: str = ""
    region: str = ""
    zone: str = ""
    seance: str = ""
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    attente: str = ""
    page: int = 1

    def query(self, **changes: object) -> str:
        """This filter as a query string (for the paging links), with `changes` applied."""
        from urllib.parse import urlencode

        values = {**self.__dict__, **changes}
        params = {k: ("" if v is None else str(v).replace(".", ",") if isinstance(v, Decimal) else str(v))
                  for k, v in values.items()}
        return urlencode({k: v for k, v in params.items() if v and not (k == "page" and v == "1")})

    @property
    def actifs(self) -> bool:
        return any((self.statut, self.region, self.zone, self.seance, self.attente)) or \
            self.score_min is not None or self.score_max is not None


def statuts() -> list[str]:
    return [s.value for s in DossierStatus if s not in NOT_LISTED]


def _score(raw: str, champ: str, errors: dict[str, str]) -> Decimal | None:
    text = raw.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[champ] = "Indiquez un nombre de points entre 0 et 100, par exemple 62,5."
        return None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors[champ] = "Indiquez un nombre de points entre 0 et 100, par exemple 62,5."
        return None
    return value


def lire(params: Mapping[str, str]) -> tuple[Filtres, dict[str, str]]:
    """The filters of a query string, and an error in French for each value that cannot be used (ignored)."""
    errors: dict[str, str] = {}
    statut = params.get("statut", "")
    if statut and statut not in statuts():
        errors["statut"], statut = "Ce statut n'existe pas : choisissez-en un dans la liste.", ""
    region = params.get("region", "")
    if region and region not in REGIONS:
        errors["region"], region = "Cette région n'existe pas : choisissez-en une dans la liste.", ""
    zone = params.get("zone", "")
    if zone and zone not in ZONES:
        errors["zone"], zone = "Cette zone n'existe pas : choisissez A bis, A, B1, B2 ou C.", ""
    seance = params.get("seance", "").strip()[:64]
    score_min = _score(params.get("score_min", ""), "score_min", errors)
    score_max = _score(params.get("score_max", ""), "score_max", errors)
    if score_min is not None and score_max is not None and score_min > score_max:
        errors["score_max"] = "Le score maximal est inférieur au score minimal."
        score_max = None
    attente = params.get("attente", "")
    if attente not in ATTENTE:
        errors["attente"], attente = "Choisissez une option de la liste.", ""
    page_raw = params.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 10**6 else 1
    return Filtres(statut, region, zone, seance, score_min, score_max, attente, page), errors


@dataclass(frozen=True)
class Ligne:
    dossier: DossierSummary
    commune: Commune | None

    @property
    def region(self) -> str | None:
        return region_name(self.commune.region) if self.commune else None

    @property
    def score(self) -> Decimal | None:
        return self.dossier.score


@dataclass(frozen=True)
class Page:
    lignes: list[Ligne]
    total: int
    numero: int
    pages: int
    taille: int
    seances: list[SeanceCcn]

    @property
    def premier(self) -> int:
        return (self.numero - 1) * self.taille + 1 if self.lignes else 0

    @property
    def dernier(self) -> int:
        return self.premier + len(self.lignes) - 1 if self.lignes else 0


def garde(d: DossierSummary, c: Commune | None, f: Filtres) -> bool:
    """Whether the dossier passes every filter."""
    if d.status in NOT_LISTED:
        return False
    if f.statut and d.status.value != f.statut:
        return False
    if f.attente == "oui" and d.status != DossierStatus.LISTE_ATTENTE:
        return False
    if f.attente == "non" and d.status == DossierStatus.LISTE_ATTENTE:
        return False
    if f.region and (c is None or c.region != f.region):
        return False
    if f.zone and (c is None or c.zone != f.zone):
        return False
    if f.seance and (d.seance_ccn is None or d.seance_ccn.seance_id != f.seance):
        return False
    if f.score_min is not None or f.score_max is not None:
        if d.score is None:
            return False
        total = d.score
        if f.score_min is not None and total < f.score_min:
            return False
        if f.score_max is not None and total > f.score_max:
            return False
    return True


def page(dossiers: Iterable[DossierSummary], f: Filtres, taille: int = PAGE_SIZE) -> Page:
    """The page `f.page` of the dossiers that pass `f`, in deposit-number order (the last page when
    `f.page` is past it)."""
    kept: list[Ligne] = []
    seances: dict[str, SeanceCcn] = {}
    for d in dossiers:
        if d.seance_ccn is not None:
            seances[d.seance_ccn.seance_id] = d.seance_ccn
        c = commune(d.commune_insee) if d.commune_insee else None
        if garde(d, c, f):
            kept.append(Ligne(d, c))
    kept.sort(key=lambda ligne: ligne.dossier.deposit_number or 0)
    pages = max(1, -(-len(kept) // taille))
    numero = min(f.page, pages)
    start = (numero - 1) * taille
    return Page(kept[start:start + taille], len(kept), numero, pages, taille,
                sorted(seances.values(), key=lambda s: (s.date_seance, s.seance_id)))
