"""The priority-2 grid: criteria, weights, scales and LLI rent ceilings, from `scoring_config.toml`.

Configuration, validated by `ScoringConfig`; every score records the grid's version and SHA-256.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from ami.domain.base import Model
from ami.domain.errors import NotFound

# ---------------------------------------------------------------- the grid (configuration)

Fraction = Annotated[Decimal, Field(ge=0, le=1)]


class _Frozen(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Palier(_Frozen):
    jusqu_a: Decimal | None = None  # inclusive upper bound; None = everything above
    fraction: Fraction


class BaremePaliers(_Frozen):
    type: Literal["paliers"]
    paliers: tuple[Palier, ...]

    @model_validator(mode="after")
    def _ordered(self) -> BaremePaliers:
        bounds = [p.jusqu_a for p in self.paliers]
        if not bounds or bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("les paliers doivent finir par un palier sans borne (et lui seul)")
        finite = [b for b in bounds if b is not None]
        if finite != sorted(finite) or len(set(finite)) != len(finite):
            raise ValueError("les bornes des paliers doivent être strictement croissantes")
        return self

    def fraction(self, value: Decimal) -> Decimal:
        for p in self.paliers:
            if p.jusqu_a is None or value <= p.jusqu_a:
                return p.fraction
        raise AssertionError("unreachable: the last palier has no bound")


class BaremeCategories(_Frozen):
    type: Literal["categories"]
    valeurs: dict[str, Fraction]


Bareme = Annotated[BaremePaliers | BaremeCategories, Field(discriminator="type")]


class DonneeReferentiel(_Frozen):
    type: Literal["referentiel"]
    nom: str


class DonneeZonage(_Frozen):
    type: Literal["zonage"]


class DonneeFait(_Frozen):
    type: Literal["fait"]
    nom: str


class DonneeLoyer(_Frozen):
    type: Literal["loyer"]


class DonneeServices(_Frozen):
    """The number of services de proximité the form declares within `rayon_max_m` on foot."""

    type: Literal["services"]
    rayon_max_m: Annotated[Decimal, Field(gt=0)]


class DonneeTypologie(_Frozen):
    type: Literal["typologie"]
    typologies: tuple[str, ...]


class DonneeSurfaces(_Frozen):
    type: Literal["surfaces"]
    reference_m2: dict[str, Annotated[Decimal, Field(gt=0)]]


Donnee = Annotated[
    DonneeReferentiel | DonneeZonage | DonneeFait | DonneeLoyer | DonneeTypologie | DonneeSurfaces
    | DonneeServices,
    Field(discriminator="type"),
]


class Critere(_Frozen):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
    libelle: str
    groupe: Literal["territoire", "operation"]
    poids: Annotated[Decimal, Field(gt=0)]
    donnee: Donnee
    bareme: Bareme


class ReferentielDecl(_Frozen):
    libelle: str
    unite: str
    minimum: Decimal
    maximum: Decimal


class Coefficient(_Frozen):
    base: Decimal
    numerateur: Decimal
    plafond: Decimal


def _year(listed: Iterable[int], wanted: int) -> int | None:
    """The ceilings' year for a deposit of `wanted`: that year, else the latest listed before it."""
    years = [y for y in sorted(listed) if y <= wanted]
    return years[-1] if years else None


class PlafondsOutreMer(_Frozen):
    """Overseas departments have ceilings of their own (one per year, whatever the zone), not the metropolitan
    ones: a year without its value leaves the rent criterion unscored there, with the reason."""

    source: str
    departements: tuple[str, ...]
    annees: dict[int, Annotated[Decimal, Field(gt=0)]] = Field(default_factory=dict)

    def year(self, wanted: int) -> int | None:
        return _year(self.annees, wanted)


class PlafondsLLI(_Frozen):
    source: str
    zones_equivalentes: dict[str, str] = Field(default_factory=dict)
    coefficient: Coefficient
    annees: dict[int, dict[str, Annotated[Decimal, Field(gt=0)]]]
    outre_mer: PlafondsOutreMer

    def year(self, wanted: int) -> int | None:
        """The ceilings' year for a deposit of `wanted`: that year, else the latest listed before it."""
        return _year(self.annees, wanted)


class Zones(_Frozen):
    lli: tuple[str, ...]


class ScoringConfig(_Frozen):
    version: Annotated[str, Field(min_length=1)]
    total: Decimal
    plafonds_lli: PlafondsLLI
    zones: Zones
    referentiels: dict[str, ReferentielDecl]
    criteres: tuple[Critere, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ScoringConfig:
        if sum((c.poids for c in self.criteres), Decimal(0)) != self.total:
            raise ValueError(f"la somme des poids des critères doit valoir {self.total}")
        codes = [c.code for c in self.criteres]
        if len(set(codes)) != len(codes):
            raise ValueError("codes de critères en double")
        for c in self.criteres:
            if isinstance(c.donnee, DonneeReferentiel) and c.donnee.nom not in self.referentiels:
                raise ValueError(f"critère {c.code} : référentiel {c.donnee.nom} non déclaré")
        zones = set(self.zones.lli) | set(self.plafonds_lli.zones_equivalentes)
        for year, table in self.plafonds_lli.annees.items():
            missing = {self.plafonds_lli.zones_equivalentes.get(z, z) for z in zones} - set(table)
            if missing:
                raise ValueError(f"plafonds {year} : zones sans plafond {sorted(missing)}")
        return self

    def critere(self, code: str) -> Critere:
        for c in self.criteres:
            if c.code == code:
                return c
        raise NotFound("critere_inconnu", f"Le critère « {code} » n'existe pas dans la grille {self.version}.",
                       {"criteres": [c.code for c in self.criteres]})

    def referentiels_utilises(self) -> tuple[str, ...]:
        return tuple(sorted({c.donnee.nom for c in self.criteres if isinstance(c.donnee, DonneeReferentiel)}))


@cache
def config_text() -> str:
    return resources.files("ami.domain").joinpath("scoring_config.toml").read_text(encoding="utf-8")


def load_config(text: str) -> tuple[ScoringConfig, str]:
    """The validated grid and the SHA-256 of its text."""
    return ScoringConfig.model_validate(tomllib.loads(text)), hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def scoring_config() -> tuple[ScoringConfig, str]:
    return load_config(config_text())
