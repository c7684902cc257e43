"""Dossiers for the scoring, envelope and registre tests (a helper module, not a test module)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ami.domain.models import Bailleur, Dossier, DossierForm, Envoi
from ami.domain.referentiel import Referentiel

SIREN = "732829320"
DEPOSIT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
BAILLEUR = Bailleur(raison_sociale="Habitat Exemple", siren=SIREN, forme_juridique="sa_hlm",
                    adresse="1 rue de la Paix, 75002 Paris", email_contact="a@b.fr", registered_at=DEPOSIT)


def lignes(t2_loyer: str = "760", t3_loyer: str = "880") -> list[dict[str, Any]]:
    """10 T2 of 55 m² SH / 58 m² SU and 5 T3 of 70 / 74 m²: 900 m² SH, 950 m² SU, 12 000 € a month."""
    return [
        {"typologie": "t2", "nombre": 10, "surface_habitable_m2": "55", "surface_utile_m2": "58",
         "loyer_mensuel_eur": t2_loyer},
        {"typologie": "t3", "nombre": 5, "surface_habitable_m2": "70", "surface_utile_m2": "74",
         "loyer_mensuel_eur": t3_loyer},
    ]


def operation(**over: Any) -> dict[str, Any]:
    """A complete operation form; a key given None is left out (and `lignes=None` leaves the totals alone)."""
    op: dict[str, Any] = {
        "nom": "Les Tilleuls", "commune_insee": "69123", "adresse": "3 rue des Tilleuls, 69003 Lyon",
        "logements": {"t2": 10, "t3": 5}, "surface_habitable_m2": "900", "surface_utile_m2": "950",
        "loyer_mensuel_total_eur": "12000", "date_debut_travaux": "2025-06-01",
        "lignes": lignes(),
        "transport": {"voir_page": 14},
        "services_proximite": {"rayon_m": 500, "services": ["commerces", "ecoles", "creches"]},
        "qualite_construction": {"classe_dpe": "B"},
    }
    if "lignes" in over and over["lignes"] is not None:
        for total in ("logements", "surface_habitable_m2", "surface_utile_m2", "loyer_mensuel_total_eur"):
            op.pop(total)  # derived from the lines given
    op.update(over)
    return {k: v for k, v in op.items() if v is not None}


def dossier(number: int = 1, sent_at: datetime = DEPOSIT, prets: list[dict[str, Any]] | None = None,
            **over: Any) -> Dossier:
    form = DossierForm.model_validate({
        "operation": operation(**over),
        "prets": prets if prets is not None else [
            {"kind": "foncier", "montant_eur": "1000000.10", "duree_mois": 600, "marge_pct": "0.60"},
            {"kind": "bati", "montant_eur": "2500000", "duree_mois": 480, "marge_pct": "0.60"},
        ],
    })
    return Dossier(dossier_id=f"{number:032x}", siren=SIREN, form=form, created_at=sent_at, updated_at=sent_at,
                   envoi=Envoi(envoi_id=f"e{number}", sent_at=sent_at), deposit_number=number)


def referentiels(dynamisme: str = "0.8", saturation: str = "3", insee: str = "69123",
                 version: int = 1) -> dict[str, Referentiel]:
    return {
        "dynamisme_economique": Referentiel("dynamisme_economique", version, f"sha-dyn-{version}",
                                           {insee: Decimal(dynamisme)}),
        "saturation_demande_li": Referentiel("saturation_demande_li", version, f"sha-sat-{version}",
                                            {insee: Decimal(saturation)}),
    }
