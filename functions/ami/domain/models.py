"""Domain models, named in the users' words (see the glossary in DESIGN.md).

Every model that crosses a boundary (HTTP body, queue message, stored item) is one of these.
Amounts are `Decimal` euros, never floats; times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from ami.domain.audit import ChainHead
from ami.domain.extraction import Check, ExtractedField
from ami.domain.score import Score
from ami.domain.textsafety import SingleLine

PieceKind = Literal["lettre_offre", "dossier_presentation"]
PIECE_KINDS: tuple[PieceKind, ...] = ("lettre_offre", "dossier_presentation")
LoanKind = Literal["foncier", "bati"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Model(BaseModel):
    """The domain's models: each function validates a few of them, so each is built (its validator and
    serializer) on first use, not at import (a cold start pays only for the models it uses)."""

    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """Inputs from outside: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DossierStatus(StrEnum):
    BROUILLON = "brouillon"
    ENVOYE = "envoyé"
    COMPLET = "complet"
    INCOMPLET = "incomplet"
    LISTE_ATTENTE = "liste_attente"
    EN_INSTRUCTION = "en_instruction"


# ---------------------------------------------------------------- bailleur


class BailleurRegistration(Strict):
    """The identification form of the cahier des charges (§2.A.1)."""

    raison_sociale: Annotated[str, Field(min_length=2, max_length=200), SingleLine]
    # [0-9], not \d: pydantic's \d matches every Unicode digit (Arabic-Indic ones pass Luhn too).
    siren: Annotated[str, Field(pattern=r"^[0-9]{9}$", description="9 chiffres, clé de Luhn")]
    forme_juridique: Annotated[str, Field(description="Code d'une forme juridique éligible"), SingleLine]
    adresse: Annotated[str, Field(min_length=5, max_length=300), SingleLine]
    email_contact: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254), SingleLine]
    mot_de_passe: Annotated[str, Field(min_length=12, max_length=128, repr=False)]


class RegistrationConfirmation(Strict):
    """Body of POST /inscription/confirmation: the code sent to the contact address."""

    email_contact: Annotated[str, Field(max_length=254), SingleLine]
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="Code à 6 chiffres reçu par courriel")]


class RegistrationPending(Model):
    """Answer to POST /inscription: nothing works until the address is confirmed."""

    email_contact: str
    expire_le: datetime
    message: str


class Bailleur(Model):
    raison_sociale: str
    siren: str
    forme_juridique: str
    adresse: str
    email_contact: str
    registered_at: datetime


# ---------------------------------------------------------------- operation and loans


class Logements(Strict):
    """Number of homes by typology."""

    t1: Annotated[int, Field(ge=0, le=5000)] = 0
    t1_bis: Annotated[int, Field(ge=0, le=5000)] = 0
    t2: Annotated[int, Field(ge=0, le=5000)] = 0
    t3: Annotated[int, Field(ge=0, le=5000)] = 0
    t4: Annotated[int, Field(ge=0, le=5000)] = 0
    t5: Annotated[int, Field(ge=0, le=5000)] = 0
    t6_plus: Annotated[int, Field(ge=0, le=5000)] = 0

    @property
    def total(self) -> int:
        return self.t1 + self.t1_bis + self.t2 + self.t3 + self.t4 + self.t5 + self.t6_plus


Euros = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
SquareMetres = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class Operation(Strict):
    """The operation form. Every field may be empty while the dossier is a brouillon."""

    nom: Annotated[str, Field(min_length=2, max_length=200), SingleLine] | None = None
    commune_insee: Annotated[str, Field(pattern=r"^([0-9]{5}|2[AB][0-9]{3})$")] | None = None
    adresse: Annotated[str, Field(min_length=5, max_length=300), SingleLine] | None = None
    logements: Logements | None = None
    surface_habitable_m2: SquareMetres | None = None
    surface_utile_m2: SquareMetres | None = None
    loyer_mensuel_total_eur: Euros | None = Field(
        default=None, description="Loyers mensuels prévus, hors charges, pour l'ensemble des logements"
    )
    date_debut_travaux: date | None = None


class Loan(Strict):
    """A BdT loan line, land (foncier) and building (bâti) kept apart as the AMI requires."""

    kind: LoanKind
    produit: Annotated[str, Field(min_length=2, max_length=40), SingleLine] = "PLI"
    montant_eur: Euros
    duree_mois: Annotated[int, Field(ge=12, le=960)]
    index: Literal["livret_a", "taux_fixe"] = "livret_a"
    marge_pct: Annotated[Decimal, Field(ge=-5, le=10, max_digits=5, decimal_places=2)]


class DossierForm(Strict):
    """Body of POST /dossiers and PUT /dossiers/{id}."""

    operation: Operation = Field(default_factory=Operation)
    prets: Annotated[list[Loan], Field(max_length=20)] = Field(default_factory=list)


# ---------------------------------------------------------------- pieces and deposit


class DepositedPiece(Model):
    """A piece as it stood in the bucket when the dossier was sent."""

    key: str
    version_id: str
    sha256: str
    size: int


class Envoi(Model):
    """The deposit: the server time of envoi is the dossier's place in the queue."""

    envoi_id: str
    sent_at: datetime
    pieces: dict[PieceKind, DepositedPiece] = Field(default_factory=dict)
    # Final when true (the form is frozen once sent, a version's examination never changes), so the
    # numbering need not look at the pieces again.
    complete_when_sent: bool = Field(
        default=False,
        description="Formulaire complet et toutes les pièces déjà acceptées au moment de l'envoi",
    )
    idempotency_key: str | None = Field(
        default=None,
        description="Clé d'idempotence de la requête d'envoi (en-tête Idempotency-Key) : la répéter "
        "redonne ce même envoi",
    )


class PieceRecord(Model):
    """What intake concluded about one uploaded version of a piece."""

    piece: PieceKind
    key: str
    version_id: str
    size: int
    sha256: str
    accepted: bool
    pages: int | None = None
    reason_code: str | None = None
    message: str | None = None
    received_at: datetime
    checked_at: datetime
    checks: list[Check] = Field(default_factory=list,
                                description="Constats sur la pièce (« bloquant » : dossier incomplet)")
    fields: list[ExtractedField] = Field(default_factory=list, description="Champs lus dans la pièce")


class Reason(Model):
    """One reason why a dossier is incomplete, in French for the bailleur."""

    code: str
    message: str


class Dossier(Model):
    dossier_id: str
    siren: str
    status: DossierStatus = DossierStatus.BROUILLON
    form: DossierForm = Field(default_factory=DossierForm)
    created_at: datetime
    updated_at: datetime
    envoi: Envoi | None = None
    deposit_number: int | None = None
    incomplete_reasons: list[Reason] = Field(default_factory=list)
    scoring: Score | None = Field(
        default=None, description="Score de priorité 2 (instructeurs seulement ; jamais montré au bailleur)"
    )
    version: int = 0
    # The head of the dossier's audit chain as read with it (kept beside the document in storage, never
    # shown): the next audited change chains to it, guarded by `version`.
    _audit_head: ChainHead = PrivateAttr(default_factory=ChainHead)

    @property
    def loan_total(self) -> Decimal:
        return sum((loan.montant_eur for loan in self.form.prets), Decimal(0))


class HistoryEntry(Model):
    """One audit event as a bailleur or an instructor reads it."""

    seq: int
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None = None


# ---------------------------------------------------------------- messages between functions


class CompletenessRequest(Model):
    """Ask completeness to (re)examine a dossier; FIFO group = dossier id."""

    dossier_id: str
    cause: Literal["envoi", "piece", "sweep"]
    complete_when_sent: bool = False  # nothing for the examination to conclude early: straight to the numbering


class DepositNumbered(Model):
    """A complete dossier got its number; scoring and instruction follow, in number order."""

    dossier_id: str
    deposit_number: int
    deposited_at: datetime


NotificationKind = Literal[
    "accuse_reception",
    "dossier_incomplet",
    "nouveau_dossier",
    "piece_refusee",
    "liste_attente",
    "enveloppe_consommee",
]


class Notification(Model):
    """One email to send, once: `notification_id` is the idempotency key."""

    notification_id: str
    kind: NotificationKind
    dossier_id: str
    details: dict[str, str] = Field(default_factory=dict)


class WorkItem(Model):
    """One numbered dossier for the instructors, in deposit-number order."""

    dossier_id: str
    deposit_number: int
    deposited_at: datetime
    siren: str
    raison_sociale: str
    commune_insee: str | None
    logements: int
    loan_total_eur: Decimal

    @field_validator("loan_total_eur", mode="before")
    @classmethod
    def _decimal(cls, v: object) -> object:
        return Decimal(str(v)) if isinstance(v, float) else v
