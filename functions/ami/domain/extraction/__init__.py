"""Reading the pieces: what a lettre d'offre or a dossier de présentation says, and where.

This package imports nothing from `ami.domain.models` (which imports `Check` and `ExtractedField` from here), so
there is no import cycle; PDF libraries are imported lazily by `ami.domain.pieces` only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "attention", "bloquant"]


class Check(BaseModel):
    """One finding for the instructor: a stable code, a severity and a French message."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message_fr: str
    page: int | None = Field(default=None, description="Page du document où le constat a été fait (1 = première)")
    piece: str | None = Field(default=None, description="Pièce concernée, si le constat vient d'une pièce")


class ExtractedField(BaseModel):
    """One value read from a document, with its provenance. Amounts are decimal strings in euros,
    durations are months, dates are ISO 8601; a value never read is absent, never guessed."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Nom du champ, par exemple `prets[0].montant_eur`")
    value: str | int
    page: int | None = Field(default=None, description="Page où la valeur a été lue (1 = première)")
    source: str = Field(description="Texte du document d'où la valeur a été lue")
    confidence: float = Field(ge=0, le=1)


class ComparisonRow(BaseModel):
    """One value of the dossier de présentation beside the form's (the form stays the reference)."""

    champ: str
    libelle: str
    document: str | int | None = Field(description="Valeur lue dans le document, si elle y figure")
    formulaire: str | None = Field(description="Valeur du formulaire, si elle est saisie")
    page: int | None = None


HIGH_CONFIDENCE = 0.9

__all__ = ["HIGH_CONFIDENCE", "Check", "ComparisonRow", "ExtractedField", "Severity"]
