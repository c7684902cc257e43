"""Consumption of the AMI's envelope (600 M€, `enveloppe_eur` of the dispositif's TOML).

Principal = sum of the BdT loan lines of a dossier (foncier + bâti). Three figures, overall, by
région and by zone ABC:
- numbered dossiers (complete, with a deposit number);
- dossiers with a favourable CCN opinion. No status or field records that opinion yet: a dossier
  counts when it carries `avis_ccn == "favorable"`; until such a field exists the figure is 0 and
  `avis_ccn_suivi` is False, which the CLI, the API and the registre say in words;
- remaining = envelope − numbered principal (and − favourable principal).
Numbered dossiers put on the waiting list (`liste_attente`: the envelope could not take their loans)
are counted apart and do not consume the envelope.
Pure: dossiers in, figures out.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, Field

from ami.domain.dispositif import dispositif
from ami.domain.models import Dossier, DossierStatus
from ami.domain.rules import commune

REGIONS = {
    "01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté", "28": "Normandie",
    "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire", "53": "Bretagne",
    "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}
ZONES = ("Abis", "A", "B1", "B2", "C")
UNKNOWN = "Inconnue"
NOTE_SANS_AVIS = ("Aucun avis de la CCN n'est encore enregistré dans l'application : "
                  "le montant des dossiers à avis favorable vaut 0 en attendant.")


def region_name(code: str) -> str:
    return REGIONS.get(code, f"Région {code}")


def is_favourable(d: Dossier) -> bool | None:
    """True/False when the dossier records a CCN opinion, None when the model has no such field."""
    avis = getattr(d, "avis_ccn", None)
    if avis is None and "avis_ccn" not in type(d).model_fields:
        return None
    return avis == "favorable"


class Ligne(BaseModel):
    cle: str
    dossiers_numerotes: int = 0
    principal_numerotes_eur: Decimal = Decimal(0)
    dossiers_favorables: int = 0
    principal_favorables_eur: Decimal = Decimal(0)
    dossiers_liste_attente: int = 0
    principal_liste_attente_eur: Decimal = Decimal(0)


class Enveloppe(BaseModel):
    montant_eur: Decimal
    principal_numerotes_eur: Decimal
    principal_favorables_eur: Decimal
    restant_eur: Decimal = Field(description="Enveloppe moins le principal des dossiers numérotés")
    restant_apres_favorables_eur: Decimal
    taux_consommation: Decimal = Field(description="Principal numéroté / enveloppe (0 à 1 ou plus)")
    dossiers_numerotes: int
    dossiers_favorables: int
    dossiers_liste_attente: int
    principal_liste_attente_eur: Decimal
    avis_ccn_suivi: bool
    note: str | None = None
    par_region: list[Ligne]
    par_zone: list[Ligne]


def _add(line: Ligne, amount: Decimal, favourable: bool, waiting: bool) -> None:
    if waiting:
        line.dossiers_liste_attente += 1
        line.principal_liste_attente_eur += amount
        return
    line.dossiers_numerotes += 1
    line.principal_numerotes_eur += amount
    if favourable:
        line.dossiers_favorables += 1
        line.principal_favorables_eur += amount


def envelope(dossiers: Iterable[Dossier], montant_eur: Decimal | None = None) -> Enveloppe:
    total = Decimal(montant_eur if montant_eur is not None else dispositif().enveloppe)
    regions: dict[str, Ligne] = {}
    zones: dict[str, Ligne] = {z: Ligne(cle=z) for z in ZONES}
    overall = Ligne(cle="total")
    tracked = False
    for d in dossiers:
        if d.deposit_number is None:
            continue
        amount = d.loan_total
        fav = is_favourable(d)
        tracked = tracked or fav is not None
        c = commune(d.form.operation.commune_insee or "")
        region = region_name(c.region) if c else UNKNOWN
        zone = c.zone if c else UNKNOWN
        for line in (overall, regions.setdefault(region, Ligne(cle=region)),
                     zones.setdefault(zone, Ligne(cle=zone))):
            _add(line, amount, bool(fav), d.status == DossierStatus.LISTE_ATTENTE)
    return Enveloppe(
        montant_eur=total,
        principal_numerotes_eur=overall.principal_numerotes_eur,
        principal_favorables_eur=overall.principal_favorables_eur,
        restant_eur=total - overall.principal_numerotes_eur,
        restant_apres_favorables_eur=total - overall.principal_favorables_eur,
        taux_consommation=(
            (overall.principal_numerotes_eur / total).quantize(Decimal("0.0001")) if total else Decimal(0)
        ),
        dossiers_numerotes=overall.dossiers_numerotes,
        dossiers_favorables=overall.dossiers_favorables,
        dossiers_liste_attente=overall.dossiers_liste_attente,
        principal_liste_attente_eur=overall.principal_liste_attente_eur,
        avis_ccn_suivi=tracked,
        note=None if tracked else NOTE_SANS_AVIS,
        par_region=sorted(regions.values(), key=lambda line: line.cle),
        par_zone=list(zones.values()),
    )
