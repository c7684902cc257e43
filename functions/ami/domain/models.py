"""Domain models, named in the users' words (see the glossary in DESIGN.md).

Every model that crosses a boundary (HTTP body, queue message, stored item) is one of these.
Amounts are `Decimal` euros, never floats; times are timezone-aware UTC.

No `from __future__ import annotations` here: pydantic would evaluate each of these fields' annotations from a
string at import, a sixth of this module's share of every cold start. A name used before its class is quoted.
"""


from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ami.domain.audit import ChainHead
from ami.domain.base import Model
from ami.domain.extraction import Check, ExtractedField
from ami.domain.score import Score
from ami.domain.textsafety import SingleLine

PieceKind = Literal["lettre_offre", "dossier_presentation", "tableau_programmation"]
PIECE_KINDS: tuple[PieceKind, ...] = ("lettre_offre", "dossier_presentation", "tableau_programmation")
# A kind of piece is one kind of file whatever the dispositif (its key in the bucket ends so); which kinds a
# dossier needs is its dispositif's (`Dispositif.piece_kinds`).
PIECE_FILE_TYPES: dict[PieceKind, Literal["pdf", "xlsx"]] = {
    "lettre_offre": "pdf", "dossier_presentation": "pdf", "tableau_programmation": "xlsx",
}
LLI_DISPOSITIF = "garantie-lli-bdt"
LoanKind = Literal["foncier", "bati"]


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    # After instruction (cahier des charges §2-A, steps 4 to 8): the transitions are ami.domain.lifecycle's.
    PRESENTE_CCN = "présenté_ccn"
    AJOURNE = "ajourné"
    AVIS_FAVORABLE = "avis_favorable"
    AVIS_DEFAVORABLE = "avis_défavorable"
    TARIFICATION_PROPOSEE = "tarification_proposée"
    ACCEPTEE = "acceptée"
    EXPIREE = "expirée"
    CA_CONFIRMEE = "ca_confirmée"
    CA_REFUSEE = "ca_refusée"
    CONVENTION_ENVOYEE = "convention_envoyée"
    CONVENTION_SIGNEE = "convention_signée"
    PRIME_APPELEE = "prime_appelée"
    PRIME_REGLEE = "prime_réglée"
    ACTE_TRANSMIS = "acte_transmis"
    RETIRE = "retiré"
    SANS_SUITE = "sans_suite"


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


def _scalar(v: object) -> object:
    """A number is never an array or an object. pydantic (JSON mode) takes an array of three items for the
    tuple (sign, digits, exponent) of a Decimal and then fails with a bare ValueError, outside its own
    errors: the request answered 500 (found by schemathesis)."""
    if isinstance(v, list | tuple | dict):
        raise PydanticCustomError("decimal_type", "Decimal input should be a number or a string")
    return v


Number = BeforeValidator(_scalar)
Euros = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2), Number]
SquareMetres = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2), Number]


Typologie = Literal["t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus"]
TYPOLOGIES: tuple[Typologie, ...] = ("t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus")
TYPOLOGIE_LIBELLES: dict[str, str] = {"t1": "T1", "t1_bis": "T1 bis", "t2": "T2", "t3": "T3", "t4": "T4",
                                      "t5": "T5", "t6_plus": "T6 et plus"}
Page = Annotated[int, Field(ge=1, le=5000)]
VOIR_PAGE = "Voir le dossier de présentation, page"


def form_error(code: str, message: str) -> PydanticCustomError:
    """A validation error whose message is already the French sentence the bailleur reads."""
    return PydanticCustomError(f"ami_{code}", message)


class LigneLogements(Strict):
    """Dwellings of one typology that share their surfaces and their rent: one line per kind of dwelling, so
    that the LLI rent ceiling, whose coefficient depends on each dwelling's surface, is checked dwelling by
    dwelling."""

    typologie: Typologie = Field(title="Typologie")
    nombre: Annotated[int, Field(ge=1, le=5000, title="Nombre de logements")]
    surface_habitable_m2: SquareMetres = Field(title="Surface habitable d'un logement (m²)")
    surface_utile_m2: SquareMetres = Field(title="Surface utile d'un logement (m²)")
    loyer_mensuel_eur: Euros = Field(title="Loyer mensuel hors charges d'un logement (€)")

    @model_validator(mode="after")
    def _surfaces(self) -> "LigneLogements":
        if self.surface_utile_m2 < self.surface_habitable_m2:
            raise form_error("surfaces_ligne", "la surface utile ne peut pas être inférieure à la surface habitable")
        return self


class Transport(Strict):
    """How far the operation is from public transport: a distance, or the page of the dossier de présentation
    that states it (read there by the service; the instructor reads it when the page is a scan)."""

    distance_m: Annotated[int, Field(ge=0, le=50_000)] | None = Field(
        default=None, title="Distance à pied jusqu'à l'arrêt de transport en commun le plus proche (m)")
    voir_page: Page | None = Field(default=None, title=VOIR_PAGE)

    @model_validator(mode="after")
    def _one(self) -> "Transport":
        if self.distance_m is None and self.voir_page is None:
            raise form_error("transport_vide", "indiquez la distance ou la page du dossier de présentation")
        return self


ClasseDPE = Literal["A", "B", "C", "D", "E", "F", "G"]
LABELS_ENERGETIQUES: tuple[str, ...] = (
    "RE 2020 seuil 2025", "RE 2020 seuil 2028", "RE 2020 seuil 2031", "NF Habitat HQE", "NF Habitat", "BBCA",
    "Effinergie", "BEPOS", "Passivhaus", "Bâtiment biosourcé",
)
LabelEnergetique = Literal[
    "RE 2020 seuil 2025", "RE 2020 seuil 2028", "RE 2020 seuil 2031", "NF Habitat HQE", "NF Habitat", "BBCA",
    "Effinergie", "BEPOS", "Passivhaus", "Bâtiment biosourcé",
]


class QualiteConstruction(Strict):
    """The build quality: the DPE class of the homes (planned) or the label targeted, or the page of the dossier
    de présentation that states it."""

    classe_dpe: ClasseDPE | None = Field(default=None, title="Classe du diagnostic de performance énergétique")
    label_vise: LabelEnergetique | None = Field(default=None, title="Label ou niveau de performance visé")
    voir_page: Page | None = Field(default=None, title=VOIR_PAGE)

    @model_validator(mode="after")
    def _one(self) -> "QualiteConstruction":
        if self.classe_dpe is None and self.label_vise is None and self.voir_page is None:
            raise form_error("qualite_vide", "indiquez la classe DPE, le label visé ou la page du dossier de "
                             "présentation")
        return self


ServiceProximite = Literal["commerces", "ecoles", "creches", "equipements_sportifs", "equipements_administratifs"]
SERVICE_LIBELLES: dict[str, str] = {
    "commerces": "commerces", "ecoles": "écoles", "creches": "crèches",
    "equipements_sportifs": "équipements sportifs", "equipements_administratifs": "équipements administratifs",
}  # the services the cahier des charges names (§2-B, localisation)


class ServicesProximite(Strict):
    """The services de proximité within a stated walking distance (an empty list says there are none)."""

    rayon_m: Annotated[int, Field(ge=50, le=5_000, title="Distance à pied retenue (m)")]
    services: Annotated[list[ServiceProximite], Field(max_length=5, title="Services présents dans cette distance")]
    voir_page: Page | None = Field(default=None, title=VOIR_PAGE)

    @field_validator("services")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise form_error("services_doublon", "un service est cité deux fois")
        return v


class Operation(Strict):
    """The operation form. Every field may be empty while the dossier is a brouillon.

    `lignes` details the dwellings typology by typology (surfaces and rent of each); when it is given, the
    totals (`logements`, surfaces, monthly rents) are derived from it, or must agree with it to the cent.
    """

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
    lignes: Annotated[list[LigneLogements], Field(max_length=200)] | None = Field(
        default=None, title="Logements, typologie par typologie (surfaces et loyer de chaque logement)")
    transport: Transport | None = Field(default=None, title="Desserte en transports en commun")
    services_proximite: ServicesProximite | None = Field(default=None, title="Services de proximité")
    qualite_construction: QualiteConstruction | None = Field(default=None, title="Qualité de construction")

    @model_validator(mode="after")
    def _totals_from_lines(self) -> "Operation":
        if not self.lignes:
            return self
        counts = {t: sum(ln.nombre for ln in self.lignes if ln.typologie == t) for t in TYPOLOGIES}
        derived: dict[str, object] = {
            "logements": Logements(**counts),
            "surface_habitable_m2": sum((ln.nombre * ln.surface_habitable_m2 for ln in self.lignes), Decimal(0)),
            "surface_utile_m2": sum((ln.nombre * ln.surface_utile_m2 for ln in self.lignes), Decimal(0)),
            "loyer_mensuel_total_eur": sum((ln.nombre * ln.loyer_mensuel_eur for ln in self.lignes), Decimal(0)),
        }
        labels = {"logements": "le nombre de logements par typologie", "surface_habitable_m2": "la surface habitable",
                  "surface_utile_m2": "la surface utile", "loyer_mensuel_total_eur": "le loyer mensuel total"}
        for name, value in derived.items():
            given = getattr(self, name)
            if given is None:
                setattr(self, name, value)
            elif given != value:
                raise form_error("totaux_lignes", f"{labels[name]} ne correspond pas au détail des logements")
        return self


class Loan(Strict):
    """A BdT loan line, land (foncier) and building (bâti) kept apart as the AMI requires."""

    kind: LoanKind
    produit: Annotated[str, Field(min_length=2, max_length=40), SingleLine] = "PLI"
    montant_eur: Euros
    duree_mois: Annotated[int, Field(ge=12, le=960)]
    index: Literal["livret_a", "taux_fixe"] = "livret_a"
    marge_pct: Annotated[Decimal, Field(ge=-5, le=10, max_digits=5, decimal_places=2), Number]
    # The BdT's différé d'amortissement, an input of the tarification (cahier des charges §3); 0 when the
    # letter grants none (dossiers saved before the field existed read so).
    differe_mois: Annotated[int, Field(ge=0, le=360, title="Différé d'amortissement (mois)")] = 0

    @model_validator(mode="after")
    def _differe(self) -> "Loan":
        if self.differe_mois >= self.duree_mois:
            raise form_error("differe_duree", "le différé d'amortissement doit être plus court que la durée du prêt")
        return self


# ---------------------------------------------------------------- DROM programmation (dispositif drom-2024)


Departement = Literal["971", "972", "973", "974", "976"]
DEPARTEMENTS_DROM: dict[str, str] = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane",
                                     "974": "La Réunion", "976": "Mayotte"}
Filiere = Literal["LLS", "LLTS", "PLS", "LI", "PLI"]
FILIERES: dict[str, str] = {
    "LLS": "Logement locatif social (LLS)", "LLTS": "Logement locatif très social (LLTS)",
    "PLS": "Prêt locatif social (PLS)", "LI": "Logement intermédiaire, aide à l'investissement (LI)",
    "PLI": "Prêt locatif intermédiaire (PLI)",
}


class SyntheseFiliere(Strict):
    """One line of the « données pour formulaire » tab, reported onto the form."""

    filiere: Filiere = Field(title="Filière de financement")
    operations: Annotated[int, Field(ge=0, le=5000, title="Nombre d'opérations")]
    logements: Annotated[int, Field(ge=0, le=100_000, title="Nombre de logements")]
    montant_pret_eur: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2,
                                               title="Montant des prêts sollicités (€)")]


class ProgrammationForm(Strict):
    """The form of the DROM programmation: the département, and the synthesis of the tableau de
    programmation, filière by filière."""

    departement: Departement | None = Field(default=None, title="Département de la programmation")
    synthese: Annotated[list[SyntheseFiliere], Field(max_length=len(FILIERES))] = Field(default_factory=list)

    @field_validator("synthese")
    @classmethod
    def _one_line_per_filiere(cls, v: list[SyntheseFiliere]) -> list[SyntheseFiliere]:
        if len({line.filiere for line in v}) != len(v):
            raise form_error("synthese_doublon", "une filière est reportée deux fois")
        return v


class DossierForm(Strict):
    """Body of POST /dossiers and PUT /dossiers/{id}: the operation and its loans (LLI), or the programmation
    of a département (DROM), as the dossier's dispositif asks."""

    operation: Operation = Field(default_factory=Operation)
    prets: Annotated[list[Loan], Field(max_length=20)] = Field(default_factory=list)
    programmation: ProgrammationForm | None = None


class NouveauDossier(DossierForm):
    """Body of POST /dossiers: the dispositif the bailleur chose (the LLI guarantee unless said), and the form."""

    dispositif: str = Field(default=LLI_DISPOSITIF, pattern=r"^[a-z0-9-]{3,40}$",
                            description="Code du dispositif choisi (GET /dispositifs)")

    def form(self) -> DossierForm:
        return DossierForm.model_validate(self.model_dump(exclude={"dispositif"}))


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


# ---------------------------------------------------------------- after instruction (ami.domain.lifecycle)


FIBEN_COTES: tuple[str, ...] = (
    "1+", "1", "1-", "2+", "2", "2-", "3+", "3", "3-", "4+", "4", "4-", "5+", "5", "5-", "6+", "6", "6-", "7", "8",
    "P", "0",
)  # the 22 levels of the Banque de France's cotation de crédit since 2022 (P: procédure collective, 0: sans
# information défavorable)
CoteFiben = Literal[
    "1+", "1", "1-", "2+", "2", "2-", "3+", "3", "3-", "4+", "4", "4-", "5+", "5", "5-", "6+", "6", "6-", "7", "8",
    "P", "0",
]
QualiteProgramme = Literal["elevee", "standard", "reservee"]
Territoire = Literal["metropole", "alsace_moselle", "971", "972", "973", "974", "976"]


class Seance(Model):
    """A sitting of the CCN or of ALS's board (CA): its label and its date."""

    libelle: str
    le: date


class NotationFiben(Model):
    """The bailleur's cotation FIBEN as an instructor read it, with the date of the cotation."""

    cote: CoteFiben
    date_cotation: date
    saisie_par: str
    saisie_le: datetime


class DocumentRef(Model):
    """A document the service generated or received, as stored (deposits bucket, `documents/…`)."""

    kind: str
    key: str
    version_id: str
    sha256: str
    size: int
    nom: str


class VerdictConvention(Model):
    """Intake's verdict on one deposited version of the signed convention (refused: why, in French)."""

    version_id: str
    received_at: datetime
    checked_at: datetime
    size: int
    accepted: bool
    sha256: str = ""
    pages: int | None = None
    reason_code: str | None = None
    message: str | None = None


class PrimeLigne(Model):
    """The prime of one loan, with every input of the grid that priced it."""

    rang: int
    kind: LoanKind
    produit: str
    montant_eur: Decimal
    duree_mois: int
    differe_mois: int
    cote_fiben: CoteFiben
    qualite: QualiteProgramme
    taux_annuel_pct: Decimal
    coefficient_duree: Decimal
    coefficient_differe: Decimal
    coefficient_qualite: Decimal
    prime_eur: Decimal


class Proposition(Model):
    """The proposition de tarification: the prime paid once, up front, valid `jours` jours ouvrés."""

    emise_le: datetime
    expire_le: datetime = Field(description="Premier instant (UTC) où la proposition n'est plus valable")
    territoire: Territoire
    jours_ouvres: int
    grille: str = Field(description="Version de la grille tarifaire")
    grille_provisoire: bool
    fiben: NotationFiben
    qualite: QualiteProgramme
    lignes: list[PrimeLigne]
    prime_eur: Decimal


class Paiement(Model):
    """The prime as ALS received it."""

    montant_eur: Decimal
    regle_le: date
    reference: str


class Suivi(Model):
    """What the lifecycle recorded after instruction (each step also an audit entry)."""

    ccn: Seance | None = None
    avis_motif: str | None = None
    fiben: NotationFiben | None = None
    proposition: Proposition | None = None
    acceptee_le: datetime | None = None
    ca: Seance | None = None
    paiement: Paiement | None = None
    acte_transmis_le: datetime | None = None
    documents: dict[str, DocumentRef] = Field(default_factory=dict)
    conventions_deposees: list[VerdictConvention] = Field(
        default_factory=list, description="Chaque convention signée déposée et examinée, avec son verdict")

    @property
    def derniere_convention(self) -> VerdictConvention | None:
        return self.conventions_deposees[-1] if self.conventions_deposees else None


class SeanceIn(Strict):
    libelle: Annotated[str, Field(min_length=2, max_length=120, title="Séance (libellé)"), SingleLine]
    le: date = Field(title="Date de la séance")


class PaiementIn(Strict):
    montant_eur: Euros = Field(title="Montant réglé (€)")
    regle_le: date = Field(title="Date du règlement")
    reference: Annotated[str, Field(min_length=2, max_length=80, title="Référence du virement"), SingleLine]


class EtapeIn(Strict):
    """Body of a lifecycle step (ami.domain.lifecycle): what the step needs, nothing else is read."""

    justification: Annotated[str, Field(max_length=2000, title="Motif de la décision")] | None = None
    seance: SeanceIn | None = Field(default=None, title="Séance de la CCN ou du CA")
    qualite: QualiteProgramme | None = Field(default=None, title="Qualité du programme (tarification)")
    paiement: PaiementIn | None = Field(default=None, title="Règlement de la prime")


class FibenIn(Strict):
    cote: CoteFiben = Field(title="Cotation FIBEN (Banque de France)")
    date_cotation: date = Field(title="Date de la cotation")


class SeanceCcn(Model):
    """The CCN sitting a dossier was presented at, as the instructors' list and the registre name it: a view of
    `Suivi.ccn` (recorded by the lifecycle's « présenter en CCN »), its label serving as its identifier."""

    seance_id: str = Field(description="Libellé de la séance (par exemple CCN-2026-12-15)")
    date_seance: date = Field(description="Date de la séance")


class Dossier(Model):
    dossier_id: str
    siren: str
    dispositif: str = Field(default=LLI_DISPOSITIF, description="Code du dispositif (AMI) du dossier")
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
    suivi: Suivi = Field(default_factory=Suivi, description="CCN, tarification, CA, convention, prime, acte")
    version: int = 0
    # The head of the dossier's audit chain as read with it (kept beside the document in storage, never
    # shown): the next audited change chains to it, guarded by `version`.
    _audit_head: ChainHead = PrivateAttr(default_factory=ChainHead)

    @property
    def seance_ccn(self) -> SeanceCcn | None:
        """The CCN sitting the dossier was presented at, once the lifecycle recorded it."""
        s = self.suivi.ccn
        return None if s is None else SeanceCcn(seance_id=s.libelle, date_seance=s.le)

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
    "programmation_complete",
    "nouvelle_programmation",
    "cycle_de_vie",
    "liste_attente_levee",
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
