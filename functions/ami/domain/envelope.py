"""Consumption of the AMI's envelope (600 M€, `enveloppe_eur` of the dispositif's TOML).

Principal = sum of the BdT loan lines of a dossier (foncier + bâti). A numbered dossier's principal is
*réservé* from its number to the CA, *engagé* once the CA confirms, *garanti* once the acte de
cautionnement is sent to the BdT (`ami.domain.lifecycle.phase`); a refusal, an expiry, a withdrawal or a
sans-suite gives it back. disponible = envelope − réservé − engagé − garanti, so the four always add up
to the envelope. Also, overall, by région and by zone ABC: the dossiers numbered and holding a part of the
envelope, those with a favourable CCN opinion still holding it, and the waiting list (`liste_attente`:
numbered, holding nothing until promoted). Pure: dossiers in, figures out.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pydantic import Field

from ami.domain.base import Model
from ami.domain.dispositif import dispositif
from ami.domain.lifecycle import FINAL, GARANTI, Phase, phase
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


def region_name(code: str) -> str:
    return REGIONS.get(code, f"Région {code}")


FAVOURABLE = frozenset({DossierStatus.AVIS_FAVORABLE, DossierStatus.TARIFICATION_PROPOSEE, DossierStatus.ACCEPTEE})


def _phase(d: Dossier) -> Phase | None:
    """A numbered dossier holds its part of the envelope unless it waits or left (a final status)."""
    if d.status == DossierStatus.LISTE_ATTENTE or d.status in FINAL - GARANTI:
        return None
    return phase(d.status) or "reserve"


def is_favourable(d: Dossier) -> bool:
    """The CCN gave a favourable opinion and the dossier still holds its part of the envelope."""
    return d.status in FAVOURABLE or phase(d.status) in ("engage", "garanti")


class Ligne(Model):
    cle: str
    dossiers_numerotes: int = 0
    principal_numerotes_eur: Decimal = Decimal(0)
    dossiers_favorables: int = 0
    principal_favorables_eur: Decimal = Decimal(0)
    dossiers_liste_attente: int = 0
    principal_liste_attente_eur: Decimal = Decimal(0)
    reserve_eur: Decimal = Decimal(0)
    engage_eur: Decimal = Decimal(0)
    garanti_eur: Decimal = Decimal(0)
    dossiers_liberes: int = 0
    principal_libere_eur: Decimal = Decimal(0)


class Enveloppe(Model):
    montant_eur: Decimal
    reserve_eur: Decimal = Field(description="Principal des dossiers numérotés jusqu'à la décision du CA")
    engage_eur: Decimal = Field(description="Principal des dossiers confirmés par le CA, acte non encore transmis")
    garanti_eur: Decimal = Field(description="Principal des dossiers dont l'acte de cautionnement est transmis")
    disponible_eur: Decimal = Field(description="Enveloppe − réservé − engagé − garanti")
    dossiers_reserve: int
    dossiers_engage: int
    dossiers_garanti: int
    dossiers_liberes: int = Field(description="Dossiers numérotés sortis de l'enveloppe (refus, expiration, "
                                  "retrait, sans suite)")
    principal_libere_eur: Decimal
    principal_numerotes_eur: Decimal
    principal_favorables_eur: Decimal
    restant_eur: Decimal = Field(description="Enveloppe moins le principal des dossiers numérotés qui en tiennent "
                                 "une part (= disponible)")
    restant_apres_favorables_eur: Decimal
    taux_consommation: Decimal = Field(description="Principal numéroté / enveloppe (0 à 1 ou plus)")
    dossiers_numerotes: int
    dossiers_favorables: int
    dossiers_liste_attente: int
    principal_liste_attente_eur: Decimal
    avis_ccn_suivi: bool = True
    note: str | None = None
    par_region: list[Ligne]
    par_zone: list[Ligne]


def _add(line: Ligne, d: Dossier, amount: Decimal) -> None:
    where = _phase(d)
    if d.status == DossierStatus.LISTE_ATTENTE:
        line.dossiers_liste_attente += 1
        line.principal_liste_attente_eur += amount
        return
    if where is None:
        line.dossiers_liberes += 1
        line.principal_libere_eur += amount
        return
    line.dossiers_numerotes += 1
    line.principal_numerotes_eur += amount
    if where == "reserve":
        line.reserve_eur += amount
    elif where == "engage":
        line.engage_eur += amount
    else:
        line.garanti_eur += amount
    if is_favourable(d):
        line.dossiers_favorables += 1
        line.principal_favorables_eur += amount


def envelope(dossiers: Iterable[Dossier], montant_eur: Decimal | None = None) -> Enveloppe:
    total = Decimal(montant_eur if montant_eur is not None else dispositif().enveloppe)
    regions: dict[str, Ligne] = {}
    zones: dict[str, Ligne] = {z: Ligne(cle=z) for z in ZONES}
    overall = Ligne(cle="total")
    counts = {"reserve": 0, "engage": 0, "garanti": 0}
    for d in dossiers:
        if d.deposit_number is None:
            continue
        amount = d.loan_total
        where = _phase(d)
        if where is not None:
            counts[where] += 1
        c = commune(d.form.operation.commune_insee or "")
        region = region_name(c.region) if c else UNKNOWN
        zone = c.zone if c else UNKNOWN
        for line in (overall, regions.setdefault(region, Ligne(cle=region)),
                     zones.setdefault(zone, Ligne(cle=zone))):
            _add(line, d, amount)
    return Enveloppe(
        montant_eur=total,
        reserve_eur=overall.reserve_eur,
        engage_eur=overall.engage_eur,
        garanti_eur=overall.garanti_eur,
        disponible_eur=total - overall.reserve_eur - overall.engage_eur - overall.garanti_eur,
        dossiers_reserve=counts["reserve"],
        dossiers_engage=counts["engage"],
        dossiers_garanti=counts["garanti"],
        dossiers_liberes=overall.dossiers_liberes,
        principal_libere_eur=overall.principal_libere_eur,
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
        par_region=sorted(regions.values(), key=lambda line: line.cle),
        par_zone=list(zones.values()),
    )
