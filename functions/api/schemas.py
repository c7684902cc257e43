"""Request and response bodies of the API (also the source of openapi.yaml, see infra/openapi.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ami.domain import textsafety
from ami.domain.base import Model
from ami.domain.extraction import Check, ComparisonRow, ExtractedField
from ami.domain.models import (
    Bailleur,
    DepositedPiece,
    Dossier,
    DossierStatus,
    Envoi,
    Number,
    PieceKind,
    PieceRecord,
    Reason,
    Suivi,
    WorkItem,
)
from ami.domain.score import Score
from pydantic import ConfigDict, Field


class ErrorBody(Model):
    code: str = Field(description="Code stable, pour les programmes")
    message: str = Field(description="Message en français, pour les personnes")
    details: Any = None


class FieldError(Model):
    champ: str = Field(description="Chemin du champ en cause (operation.nom, prets.0.montant_eur…)")
    loc: list[str | int]
    msg: str = Field(description="Message en français nommant le champ")
    type: str


class DossierDetail(Model):
    dossier: Dossier
    pieces: list[PieceRecord] = Field(description="Conclusions de la réception sur chaque version déposée")
    checks: list[Reason] = Field(description="Ce qui manque encore au formulaire")
    constats: list[Check] = Field(
        default_factory=list,
        description="Constats sur les pièces et leur comparaison au formulaire, avant comme après l'envoi : "
        "« bloquant » rend le dossier incomplet, « attention » sera vérifié par l'instructeur, « info » informe",
    )


class UploadFormOut(Model):
    url: str
    fields: dict[str, str] = Field(
        description="Champs à renvoyer tels quels dans le POST multipart vers `url`"
    )
    key: str
    expires_at: datetime
    max_bytes: int
    content_type: str = "application/pdf"


class EnvoiAccepted(Model):
    dossier_id: str
    status: DossierStatus
    envoi: Envoi
    message: str


class InstructionRow(WorkItem):
    status: DossierStatus
    commune_nom: str | None = None
    file: str | None = Field(default=None, description="Où en est le dossier dans la file d'instruction "
                             "(« à prendre », « pris par … », « mis de côté … ») ; absent hors de la file")


class WorkEntryOut(Model):
    """One entry of the instructors' work list."""

    element: WorkItem
    etat: str = Field(description="« à prendre », « pris par … » ou « mis de côté … »")
    tenu_par: str | None = None
    tenu_jusqu_a: datetime | None = None
    abandons: int = Field(description="Nombre de prises dont le délai s'est écoulé sans suite")


class WorkTaken(Model):
    """Answer to POST /instruction/travail/suivant: the dossier now held, or none."""

    element: WorkItem | None
    tenu_jusqu_a: datetime | None = None
    message: str


class DepositedLink(DepositedPiece):
    url: str = Field(description="Lien de téléchargement présigné de la version déposée")
    expires_at: datetime


class InstructionDossier(Model):
    dossier: Dossier
    bailleur: Bailleur | None
    pieces: list[PieceRecord]
    documents: dict[PieceKind, DepositedLink]
    checks: list[Check] = Field(
        default_factory=list,
        description="Constats sur les pièces déposées et écarts entre les documents et le formulaire",
    )
    fields: dict[PieceKind, list[ExtractedField]] = Field(
        default_factory=dict, description="Champs lus dans chaque pièce déposée, avec page, texte source et confiance"
    )
    presentation: list[ComparisonRow] = Field(
        default_factory=list, description="Valeurs du dossier de présentation à côté de celles du formulaire"
    )


class ScoreOverrideIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    points: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2), Number]
    justification: Annotated[str, Field(min_length=10, max_length=2000), textsafety.MultiLine]


class ScoreOut(Model):
    dossier_id: str
    scoring: Score = Field(description="Score recalculé : critère d'origine et surcharges visibles")


class RegistreLink(Model):
    ccn: date
    dossiers: int
    key: str
    url: str = Field(description="Lien de téléchargement présigné (courte durée)")
    expires_at: datetime


class DocumentOut(Model):
    nom: str
    titre: str
    adresse: str = Field(description="Où le télécharger sur la plateforme (chemin relatif à son adresse)")


class PieceOut(Model):
    piece: PieceKind
    libelle: str
    type: str = Field(description="« pdf » ou « xlsx »")


class DispositifOut(Model):
    """A dispositif open to deposits, as a bailleur chooses it."""

    code: str
    libelle: str
    ouverture: datetime
    cloture: datetime | None = Field(description="Instant de clôture, exclu (absent : jusqu'à épuisement de "
                                     "l'enveloppe)")
    cloture_texte: str | None = Field(default=None, description="« jusqu'au 30 septembre 2024 à 23 h 59 (heure de "
                                      "Paris) »")
    numerotation: bool = Field(description="Les dossiers complets sont numérotés dans l'ordre de dépôt")
    pieces: list[PieceOut]
    documents: list[DocumentOut] = Field(description="Bibliothèque de téléchargement")
    autres_documents: list[str] = Field(description="Documents de la bibliothèque à demander à la boîte de l'AMI")
    mailbox: str


class ProgrammationRow(Model):
    """A DROM programmation in the instructors' list (their delegation's départements only)."""

    dossier_id: str
    dispositif: str
    departement: str
    delegation: str
    siren: str
    raison_sociale: str
    status: DossierStatus
    deposited_at: datetime | None
    operations: int = Field(description="Opérations reportées au formulaire (toutes filières)")
    logements: int
    montant_pret_eur: Decimal



class EtapeOut(Model):
    """A dossier after a step of its lifecycle (ami.domain.lifecycle)."""

    dossier_id: str
    deposit_number: int | None
    status: DossierStatus
    statut: str = Field(description="Le statut en français")
    actions_possibles: list[str] = Field(description="Étapes que l'appelant peut faire maintenant")
    suivi: Suivi
    message: str


class DocumentLink(Model):
    kind: str
    nom: str
    sha256: str
    size: int
    url: str = Field(description="Lien de téléchargement de courte durée")
    expires_at: datetime
