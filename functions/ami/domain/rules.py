"""Pure rules of the AMI: identification, zoning, completeness. No AWS here."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from ami.domain.dispositif import dispositif
from ami.domain.errors import InvalidInput
from ami.domain.models import BailleurRegistration, Dossier, PieceKind, PieceRecord, Reason


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def check_registration(form: BailleurRegistration) -> None:
    """Refuse an identification form that the AMI cannot accept, with every reason at once."""
    errors: list[dict[str, object]] = []
    if form.siren == "000000000":  # passes the Luhn check, names nobody
        errors.append({"champ": "siren", "message": "Le numéro SIREN est invalide."})
    elif not luhn_ok(form.siren):
        errors.append({"champ": "siren", "message": "Le numéro SIREN est invalide (clé de contrôle)."})
    rules = dispositif()
    if rules.form_label(form.forme_juridique) is None:
        errors.append(
            {
                "champ": "forme_juridique",
                "message": "Cette forme juridique n'est pas éligible à l'AMI.",
                "formes_eligibles": [f.model_dump() for f in rules.formes_juridiques],
            }
        )
    if errors:
        raise InvalidInput("identification_invalide", "Le formulaire d'identification est invalide.", errors)


@dataclass(frozen=True)
class Commune:
    insee: str
    nom: str
    region: str
    departement: str
    zone: str


@cache
def communes() -> dict[str, Commune]:
    """The zonage ABC 2024, loaded once (1 MB; only the paths that need it pay for it)."""
    text = resources.files("ami.domain").joinpath("data/zonage-abc-2024.csv").read_text(encoding="utf-8")
    rows = csv.reader(text.splitlines()[1:], delimiter=";")
    return {r[0]: Commune(insee=r[0], region=r[1], departement=r[2], nom=r[3], zone=r[4]) for r in rows}


def commune(insee: str) -> Commune | None:
    return communes().get(insee)


@cache
def _postcodes() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(INSEE code → its postcodes, postcode → its communes), read once from `data/codes-postaux.csv`."""
    text = resources.files("ami.domain").joinpath("data/codes-postaux.csv").read_text(encoding="utf-8")
    by_commune: dict[str, list[str]] = {}
    by_code: dict[str, list[str]] = {}
    for line in text.splitlines()[1:]:
        insee, _, code = line.partition(";")
        by_commune.setdefault(insee, []).append(code)
        by_code.setdefault(code, []).append(insee)
    return ({k: tuple(v) for k, v in by_commune.items()}, {k: tuple(v) for k, v in by_code.items()})


def postcodes(insee: str) -> tuple[str, ...]:
    """The postcodes of a commune (Paris, Lyon and Marseille: those of all their arrondissements)."""
    return _postcodes()[0].get(insee, ())


def postcodes_starting(prefix: str) -> list[str]:
    """The postcodes that begin with `prefix`, in order."""
    return sorted(code for code in _postcodes()[1] if code.startswith(prefix))


def communes_of_postcode(code: str) -> list[Commune]:
    """The communes a postcode serves (often several), by name."""
    found = [c for insee in _postcodes()[1].get(code, ()) if (c := commune(insee)) is not None]
    return sorted(found, key=lambda c: unicodedata.normalize("NFKD", c.nom.casefold()))


def after_envoi(dossier: Dossier, piece: PieceKind, version_id: str) -> bool:
    """Whether an uploaded version came after the dossier was sent. A sent dossier (neither brouillon
    nor incomplet, which may be sent again) is made of the versions recorded at its envoi; any other
    version (a presigned POST used after the envoi, or a version superseded before it) is no part of it."""
    from ami.domain.models import DossierStatus

    if dossier.status in (DossierStatus.BROUILLON, DossierStatus.INCOMPLET):
        return False
    deposited = dossier.envoi.pieces.get(piece) if dossier.envoi else None
    return deposited is None or deposited.version_id != version_id


# ---------------------------------------------------------------- completeness


FORM_FIELDS: dict[str, str] = {
    # the missing field, as the sentence says it (§8: the agreement of the actual noun, never « (e) »)
    "nom": "le nom de l'opération n'est pas renseigné",
    "commune_insee": "la commune (code INSEE) n'est pas renseignée",
    "adresse": "l'adresse de l'opération n'est pas renseignée",
    "logements": "le nombre de logements par typologie n'est pas renseigné",
    "surface_habitable_m2": "la surface habitable n'est pas renseignée",
    "surface_utile_m2": "la surface utile n'est pas renseignée",
    "loyer_mensuel_total_eur": "les loyers mensuels prévus ne sont pas renseignés",
    "date_debut_travaux": "la date de début des travaux n'est pas renseignée",
}


def form_gaps(dossier: Dossier) -> list[Reason]:
    """What the dossier's form still lacks, in the bailleur's words, by its dispositif's completeness rule."""
    if dispositif(dossier.dispositif).completude == "programmation_drom":
        return programmation_gaps(dossier)
    return operation_gaps(dossier)


def programmation_gaps(dossier: Dossier) -> list[Reason]:
    """What the form of a DROM programmation still lacks: its département and the synthesis of the « données
    pour formulaire » tab (at least one filière). The figures themselves are compared with the workbook as
    checks the bailleur sees (`ami.domain.programmation`), never as a reason of incompleteness."""
    form = dossier.form.programmation
    reasons: list[Reason] = []
    if form is None or form.departement is None:
        reasons.append(Reason(code="formulaire_departement",
                              message="Formulaire incomplet : le département de la programmation n'est pas renseigné."))
    if form is None or not form.synthese:
        reasons.append(Reason(code="formulaire_synthese",
                              message="Formulaire incomplet : la synthèse de l'onglet « données pour formulaire » "
                              "n'est pas reportée."))
    return reasons


def operation_gaps(dossier: Dossier) -> list[Reason]:
    """What the operation form of the LLI still lacks."""
    op = dossier.form.operation
    reasons = [
        Reason(code=f"formulaire_{name}", message=f"Formulaire incomplet : {missing}.")
        for name, missing in FORM_FIELDS.items()
        if getattr(op, name) is None
    ]
    if op.logements is not None and op.logements.total == 0:
        reasons.append(Reason(code="formulaire_logements", message="L'opération ne compte aucun logement."))
    if op.commune_insee is not None and commune(op.commune_insee) is None:
        reasons.append(
            Reason(code="formulaire_commune", message=f"Le code INSEE {op.commune_insee} est inconnu du zonage ABC.")
        )
    if (
        op.surface_utile_m2 is not None
        and op.surface_habitable_m2 is not None
        and op.surface_utile_m2 < op.surface_habitable_m2
    ):
        reasons.append(
            Reason(
                code="formulaire_surfaces",
                message="La surface utile ne peut pas être inférieure à la surface habitable.",
            )
        )
    if not dossier.form.prets:
        reasons.append(
            Reason(code="formulaire_prets", message="Aucun prêt de la Banque des Territoires n'est déclaré.")
        )
    return reasons


Verdict = Literal["complet", "incomplet", "en_attente"]


@dataclass(frozen=True)
class CompletenessResult:
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()


def assess(dossier: Dossier, records: dict[tuple[str, str], PieceRecord]) -> CompletenessResult:
    """Decide whether the deposit is complete.

    Only the piece versions recorded at envoi belong to the deposit; a `bloquant` check of intake on one of
    them (a lettre d'offre addressed to another SIREN) is a reason the dossier is incomplete. A version that
    intake has not examined yet leaves the verdict `en_attente`, unless something else already makes it
    incomplete.
    `records` maps (piece, version_id) to intake's conclusion.
    """
    assert dossier.envoi is not None, "only a sent dossier is assessed"
    reasons = form_gaps(dossier)
    waiting = False
    rules = dispositif(dossier.dispositif)
    for piece in rules.piece_kinds:
        deposited = dossier.envoi.pieces.get(piece)
        label = rules.pieces[piece].libelle
        if deposited is None:
            refused = [r for r in records.values() if r.piece == piece and not r.accepted]
            why = (
                f" Le dernier fichier déposé a été refusé : {max(refused, key=lambda r: r.received_at).message}"
                if refused
                else ""
            )
            reasons.append(Reason(code=f"piece_manquante_{piece}", message=f"Pièce manquante : {label}.{why}"))
            continue
        record = records.get((piece, deposited.version_id))
        if record is None:
            waiting = True
        elif not record.accepted:
            reasons.append(Reason(code=f"piece_refusee_{piece}", message=f"Pièce refusée ({label}) : {record.message}"))
        else:
            # A blocking check on the deposited version makes the dossier incomplete (docs/intake.md).
            reasons.extend(Reason(code=check.code, message=check.message_fr)
                           for check in record.checks if check.severity == "bloquant")
    if reasons:
        return CompletenessResult("incomplet", tuple(reasons))
    return CompletenessResult("en_attente" if waiting else "complet")
