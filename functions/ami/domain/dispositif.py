"""The dispositifs (AMIs) the platform hosts, each a validated, versioned configuration: its title, its
opening and closing instants, its pieces, its form, its completeness and ordering rules, its grid, its
mailbox and its instructors. A new AMI of the same shape is a new TOML file (`dispositif_*.toml`), not a
fork; docs/dispositifs.md lists them.

The closing instant is exclusive and local to Paris: `cloture = 2024-10-01T00:00:00` means a deposit is
accepted up to 30 September 2024, 23:59:59.999 Europe/Paris and refused from midnight on.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, field_validator, model_validator

from ami.domain.base import Model
from ami.domain.errors import Conflict, InvalidInput
from ami.domain.models import PIECE_FILE_TYPES, Dossier, DossierStatus, PieceKind

PARIS = ZoneInfo("Europe/Paris")
LLI = "garantie-lli-bdt"
FORMAT_VERSION: Literal[2] = 2  # the shape of these files; `version` is each dispositif's own edition
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre")

FileType = Literal["pdf", "xlsx"]
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class EligibleForm(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    libelle: str
    # Sirene catégories juridiques (Insee, niveau III) of the legal units of this form.
    categories_juridiques: tuple[str, ...] = ()


class PieceRules(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    libelle: str
    type: FileType = "pdf"
    max_bytes: int = Field(gt=0)
    max_pages: int | None = Field(default=None, gt=0)  # PDF
    max_sheets: int | None = Field(default=None, gt=0)  # workbook
    max_rows: int | None = Field(default=None, gt=0)  # workbook: operations in the programmation
    controles: tuple[str, ...] = ()  # the checks of ami.domain.pieces / ami.domain.programmation that apply

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.type]

    @model_validator(mode="after")
    def _limits(self) -> PieceRules:
        if self.type == "pdf" and self.max_pages is None:
            raise ValueError("une pièce PDF doit fixer max_pages")
        if self.type == "xlsx" and (self.max_sheets is None or self.max_rows is None):
            raise ValueError("un classeur Excel doit fixer max_sheets et max_rows")
        return self


class Document(Model):
    """A document of the dispositif's library that the bailleur downloads from the plateforme: a file kept with
    the plateforme (`fichier`), or the tableau de programmation generated from the template (`modele_programmation`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    nom: str = Field(pattern=r"^[a-z0-9-]{3,80}\.(txt|pdf|xlsx)$")
    titre: str
    source: Literal["fichier", "modele_programmation"] = "fichier"

    @property
    def content_type(self) -> str:
        return {"txt": "text/plain; charset=utf-8", **CONTENT_TYPES}[self.nom.rsplit(".", 1)[1]]


class Delegation(Model):
    """A regional delegation of ALS: its instructors see the dossiers of its départements only."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    libelle: str
    departements: tuple[str, ...] = Field(min_length=1)


class Instructeurs(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    portee: Literal["national", "delegations"]
    delegations: tuple[Delegation, ...] = ()

    @model_validator(mode="after")
    def _scope(self) -> Instructeurs:
        if self.portee == "delegations" and not self.delegations:
            raise ValueError("des instructeurs par délégation demandent au moins une délégation")
        seen = [dep for d in self.delegations for dep in d.departements]
        if len(seen) != len(set(seen)):
            raise ValueError("un département relève de deux délégations")
        return self


class Dispositif(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal[2] = FORMAT_VERSION
    code: str = Field(pattern=r"^[a-z0-9-]{3,40}$")
    version: int = Field(ge=1)
    libelle: str
    mailbox: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    # Where the emails send the bailleurs and instructors to read a dossier's documents.
    plateforme_url: str = Field(default="https://ami.actionlogement.fr", pattern=r"^https://[^\s/]+$")
    ouverture: datetime  # local Paris time in the file, aware UTC once validated
    cloture: datetime | None = None  # exclusive; None: open until the envelope is consumed
    formulaire: Literal["operation_lli", "programmation_drom"]
    completude: Literal["operation_lli", "programmation_drom"]
    ordre: Literal["chronologique", "aucun"]  # numbering in deposit order, or none (instructed by département)
    # At most one dossier per bailleur and département (the DROM's programmation), or no such rule.
    unicite: Literal["aucune", "departement"] = "aucune"
    grille: str | None = None  # the scoring grid's file, or none
    modeles_courriel: str = "lli"  # the family of email templates
    instructeurs: Instructeurs
    enveloppe_eur: int | None = None
    formes_juridiques: tuple[EligibleForm, ...]
    pieces: dict[PieceKind, PieceRules]
    documents: tuple[Document, ...] = ()  # the library the bailleur downloads
    bibliotheque: tuple[str, ...] = ()  # titles of the library's documents the plateforme has no copy of yet
    upload_expiry_seconds: int
    hold_alarm_seconds: int
    clock_margin_seconds: int
    reservation_timeout_seconds: int

    @field_validator("ouverture", "cloture")
    @classmethod
    def _paris(cls, v: datetime | None) -> datetime | None:
        if v is None:
            return None
        return (v.replace(tzinfo=PARIS) if v.tzinfo is None else v).astimezone(UTC)

    @model_validator(mode="after")
    def _coherent(self) -> Dispositif:
        if self.cloture is not None and self.cloture <= self.ouverture:
            raise ValueError("la clôture doit suivre l'ouverture")
        for kind, rules in self.pieces.items():
            if PIECE_FILE_TYPES[kind] != rules.type:
                raise ValueError(f"la pièce {kind} est un fichier {PIECE_FILE_TYPES[kind]}, pas {rules.type}")
        if self.ordre == "chronologique" and self.enveloppe_eur is None:
            raise ValueError("une numérotation chronologique suppose une enveloppe")
        return self

    @property
    def enveloppe(self) -> int:
        if self.enveloppe_eur is None:
            raise ValueError(f"le dispositif {self.code} n'a pas d'enveloppe")
        return self.enveloppe_eur

    @property
    def dernier_delai(self) -> str | None:
        """The last minute a dossier may be sent, as the pages and emails say it (« 30 septembre 2024 à 23 h 59 »,
        Paris time; the closing instant itself is exclusive); None when the dispositif has no closing date."""
        return paris_text(self.cloture - timedelta(minutes=1)) if self.cloture else None

    @property
    def numbered(self) -> bool:
        """Whether complete dossiers take a place in the deposit-number sequence (`ordre = "chronologique"`);
        otherwise the envoi reserves nothing and completeness concludes each dossier on its own."""
        return self.ordre == "chronologique"

    @property
    def piece_kinds(self) -> tuple[PieceKind, ...]:
        return tuple(self.pieces)

    def form_label(self, code: str) -> str | None:
        return next((f.libelle for f in self.formes_juridiques if f.code == code), None)

    def form(self, code: str) -> EligibleForm | None:
        return next((f for f in self.formes_juridiques if f.code == code), None)

    def delegation_of(self, departement: str) -> Delegation | None:
        return next((d for d in self.instructeurs.delegations if departement in d.departements), None)

    def sees(self, delegation: str | None, departement: str | None) -> bool:
        """Whether an instructor (of `delegation`, or national when None) may see a dossier of `departement`:
        a delegation's instructors see only its départements; national instructors see every dossier."""
        if self.instructeurs.portee == "national" or delegation is None:
            return True
        owner = self.delegation_of(departement) if departement else None
        return owner is not None and owner.code == delegation

    def is_open(self, at: datetime) -> bool:
        return self.ouverture <= at and (self.cloture is None or at < self.cloture)

    def document(self, nom: str) -> Document | None:
        return next((doc for doc in self.documents if doc.nom == nom), None)

    def check_creation(self, at: datetime) -> None:
        """Refuse a new dossier outside the deposit window: it could never be sent."""
        if at < self.ouverture:
            raise Conflict("depot_non_ouvert", f"Le dépôt des dossiers de ce dispositif ouvre le "
                           f"{paris_text(self.ouverture)} : il n'est pas encore possible d'y créer un dossier.",
                           {"dispositif": self.code})
        if self.cloture is not None and at >= self.cloture:
            last = paris_text(self.cloture - timedelta(minutes=1))
            raise Conflict("depot_clos", f"Le dépôt des dossiers de ce dispositif est clos depuis le {last} (heure "
                           "de Paris) : il n'est plus possible d'y créer un dossier.",
                           {"dispositif": self.code, "cloture": self.cloture.isoformat()})

    def check_open(self, at: datetime) -> None:
        """Refuse an envoi outside the deposit window, in the bailleur's words."""
        if at < self.ouverture:
            raise Conflict("depot_non_ouvert", f"Le dépôt des dossiers ouvre le {paris_text(self.ouverture)}.",
                           {"dispositif": self.code})
        if self.cloture is not None and at >= self.cloture:
            last = paris_text(self.cloture - timedelta(minutes=1))
            raise Conflict(
                "depot_clos",
                f"Le dépôt est clos : il était possible jusqu'au {last} (heure de Paris). Ce dossier ne peut "
                "plus être envoyé.",
                {"dispositif": self.code, "cloture": self.cloture.isoformat()},
            )


def paris_text(moment: datetime) -> str:
    """« 30 septembre 2024 à 23 h 59 » (§8)."""
    local = moment.astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MOIS[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"


@cache
def dispositifs() -> dict[str, Dispositif]:
    """Every dispositif of the package, by code (each file validated once)."""
    out: dict[str, Dispositif] = {}
    for entry in sorted(resources.files("ami.domain").iterdir(), key=lambda e: e.name):
        if entry.name.startswith("dispositif_") and entry.name.endswith(".toml"):
            d = Dispositif.model_validate(tomllib.loads(entry.read_text(encoding="utf-8")))
            if d.code in out:
                raise ValueError(f"deux dispositifs portent le code {d.code}")
            out[d.code] = d
    # A kind of piece is the same file under the same limits wherever it is asked for, so that storage can
    # find its rules from the kind alone (`piece_rules`).
    for kind in {k for d in out.values() for k in d.pieces}:
        if len({d.pieces[kind] for d in out.values() if kind in d.pieces}) > 1:
            raise ValueError(f"la pièce {kind} n'a pas les mêmes règles dans tous les dispositifs")
    return out


def ouverts(at: datetime) -> list[Dispositif]:
    """The dispositifs open to deposits at `at`, the first opened first."""
    return sorted((d for d in dispositifs().values() if d.is_open(at)), key=lambda d: (d.ouverture, d.code))


def known(code: str) -> Dispositif:
    """The dispositif `code`, or the bailleur told it does not exist."""
    found = dispositifs().get(code)
    if found is None:
        raise InvalidInput("dispositif_inconnu", "Ce dispositif n'existe pas.",
                           [{"champ": "dispositif", "message": "Dispositif inconnu.",
                             "dispositifs": sorted(dispositifs())}])
    return found


def piece_rules(kind: PieceKind) -> PieceRules:
    """The rules of a kind of piece, whichever dispositif asks for it."""
    return next(d.pieces[kind] for d in dispositifs().values() if kind in d.pieces)


def dispositif(code: str = LLI) -> Dispositif:
    """One dispositif; without a code, the LLI guarantee (the platform's first, and the default of a dossier
    stored before dispositifs existed)."""
    return dispositifs()[code]


# ---------------------------------------------------------------- instructors' scope

DELEGATION_GROUP = "delegation-"  # Cognito group of a delegation's instructors: delegation-<code>


def delegations_of(groups: frozenset[str]) -> frozenset[str]:
    """The delegations an instructor belongs to, from their Cognito groups (`delegation-antilles-guyane`); none
    for a national instructor."""
    return frozenset(g.removeprefix(DELEGATION_GROUP) for g in groups if g.startswith(DELEGATION_GROUP))


def departement_of(d: Dossier) -> str | None:
    return d.form.programmation.departement if d.form.programmation is not None else None


def visible_to(d: Dossier, delegations: frozenset[str]) -> bool:
    """Whether an instructor of `delegations` (national when empty) may see `d`: a delegation's instructors see
    the dossiers of their départements only, in a dispositif instructed by delegation."""
    return visible_in(d.dispositif, departement_of(d), delegations)


def visible_in(code: str, departement: str | None, delegations: frozenset[str]) -> bool:
    """`visible_to` for a dossier of dispositif `code` in `departement` (what a dossier's summary records)."""
    if not delegations:
        return True
    rules = dispositif(code)
    return any(rules.sees(delegation, departement) for delegation in delegations)


def territoire(d: Dossier) -> str | None:
    """`<dispositif>#<département>` for a sent dossier of a dispositif instructed by delegation (the key the
    storage lists a delegation's dossiers by); None otherwise (a brouillon belongs to its bailleur)."""
    rules = dispositifs().get(d.dispositif)
    dep = departement_of(d)
    if rules is None or rules.instructeurs.portee != "delegations" or d.status == DossierStatus.BROUILLON or not dep:
        return None
    return f"{d.dispositif}#{dep}"

