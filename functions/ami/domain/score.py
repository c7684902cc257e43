"""The priority-2 score as it is stored on a dossier (`Dossier.scoring`) and shown to instructors.

Pure data: computed by `ami.domain.scoring`, overridden criterion by criterion by instructors.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ami.domain.base import Model

SCORE_STATUT = "calcule"


class Source(Model):
    type: Literal["formulaire", "document", "referentiel", "zonage", "configuration"]
    reference: str = Field(description="Champ du formulaire, pièce, référentiel ou table")
    version: str | None = None
    page: int | None = None


Fournisseur = Literal["bailleur", "instructeur", "exploitation"]
FOURNISSEURS: dict[str, str] = {
    "bailleur": "le bailleur, dans le formulaire",
    "instructeur": "l'instructeur, qui relève la valeur dans la pièce et surcharge le critère",
    "exploitation": "l'exploitation d'ALS (référentiel ou grille de notation)",
}


class CritereScore(Model):
    code: str
    libelle: str
    groupe: str
    poids: Decimal
    statut: Literal["evalue", "donnee_manquante"]
    valeur: str | None = Field(description="Valeur d'entrée retenue, telle que comparée au barème")
    unite: str | None = None
    sources: list[Source] = Field(default_factory=list)
    fraction: Decimal | None = None
    points: Decimal | None = None
    explication: str
    a_fournir_par: Fournisseur | None = Field(
        default=None, description="Qui doit fournir la donnée manquante (critère non évalué seulement)")


class Constat(Model):
    code: str
    gravite: Literal["eligibilite", "vigilance"]
    message: str


class Surcharge(Model):
    """An instructor's override of one criterion; the computed points stay in the criterion."""

    points: Decimal
    points_origine: Decimal | None
    justification: str
    par: str
    le: datetime


class Score(Model):
    statut: Literal["calcule"] = "calcule"
    config_version: str
    config_sha256: str
    referentiels: dict[str, str] = Field(description="Version de chaque référentiel utilisé, ou « absent »")
    annee_plafonds: int | None = None
    criteres: list[CritereScore]
    total: Decimal = Field(description="Points calculés, sur 100")
    sur: Decimal
    points_non_evalues: Decimal = Field(description="Poids des critères dont la donnée manque")
    complet: bool
    constats: list[Constat]
    empreinte: str = Field(description="SHA-256 des entrées et de la grille : même empreinte, même score")
    surcharges: dict[str, Surcharge] = Field(default_factory=dict)
    total_retenu: Decimal = Field(description="Total après surcharges des instructeurs")

    def critere(self, code: str) -> CritereScore | None:
        return next((c for c in self.criteres if c.code == code), None)
