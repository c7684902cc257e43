"""Reading the pieces: what a lettre d'offre or a dossier de présentation says, and where.

This package imports nothing from `ami.domain.models` (which imports `Check` and `ExtractedField` from here), so
there is no import cycle; PDF libraries are imported lazily by `ami.domain.pieces` only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from ami.domain.base import Model

Severity = Literal["info", "attention", "bloquant"]
"""What a check means for the dossier (docs/intake.md lists every check and why it has its severity):

- `bloquant`: the dossier is incomplete while the check holds (`ami.domain.rules.assess` gives it as a reason);
  only for facts read with certainty, such as a lettre d'offre addressed to another SIREN;
- `attention`: the instructor verifies it; the bailleur sees it before the envoi and may correct;
- `info`: for information, nothing to do.
"""


class Check(Model):
    """One finding on a piece: a stable code, a severity (`Severity`) and a French message, shown to the
    bailleur and to the instructor."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message_fr: str
    page: int | None = Field(default=None, description="Page du document où le constat a été fait (1 = première)")
    piece: str | None = Field(default=None, description="Pièce concernée, si le constat vient d'une pièce")


class ExtractedField(Model):
    """One value read from a document, with its provenance. Amounts are decimal strings in euros,
    durations are months, dates are ISO 8601; a value never read is absent, never guessed."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Nom du champ, par exemple `prets[0].montant_eur`")
    value: str | int
    page: int | None = Field(default=None, description="Page où la valeur a été lue (1 = première)")
    source: str = Field(description="Texte du document d'où la valeur a été lue")
    confidence: float = Field(ge=0, le=1)


class ComparisonRow(Model):
    """One value of the dossier de présentation beside the form's (the form stays the reference)."""

    champ: str
    libelle: str
    document: str | int | None = Field(description="Valeur lue dans le document, si elle y figure")
    formulaire: str | None = Field(description="Valeur du formulaire, si elle est saisie")
    page: int | None = None


HIGH_CONFIDENCE = 0.9

__all__ = ["HIGH_CONFIDENCE", "Check", "ComparisonRow", "ExtractedField", "Severity"]
