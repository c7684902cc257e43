"""The rules that belong to this AMI rather than to the code: required pieces, limits, eligible
legal forms. A new AMI of the same shape is a new TOML file, not a fork."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from ami.domain.models import PieceKind


class EligibleForm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    libelle: str
    # Sirene catégories juridiques (Insee, niveau III) of the legal units of this form.
    categories_juridiques: tuple[str, ...] = ()


class PieceRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    libelle: str
    max_bytes: int
    max_pages: int
    content_type: str = "application/pdf"


class Dispositif(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    libelle: str
    mailbox: str
    enveloppe_eur: int
    formes_juridiques: tuple[EligibleForm, ...]
    pieces: dict[PieceKind, PieceRules]
    upload_expiry_seconds: int
    hold_alarm_seconds: int
    clock_margin_seconds: int
    reservation_timeout_seconds: int

    def form_label(self, code: str) -> str | None:
        return next((f.libelle for f in self.formes_juridiques if f.code == code), None)

    def form(self, code: str) -> EligibleForm | None:
        return next((f for f in self.formes_juridiques if f.code == code), None)


@cache
def dispositif() -> Dispositif:
    text = resources.files("ami.domain").joinpath("dispositif_lli.toml").read_text(encoding="utf-8")
    return Dispositif.model_validate(tomllib.loads(text))
