"""Envelope tracking: principal of numbered dossiers and of favourable CCN opinions, remaining, by région
and by zone."""

from __future__ import annotations

from decimal import Decimal

from ami.domain.envelope import envelope
from ami.domain.models import DossierStatus
from scoring_data import dossier


def test_envelope_by_region_and_zone() -> None:
    ds = [
        dossier(1, commune_insee="69123"),  # Lyon, Auvergne-Rhône-Alpes, A: 3 500 000.10
        dossier(2, commune_insee="75056", prets=[
            {"kind": "bati", "montant_eur": "12000000", "duree_mois": 480, "marge_pct": "0.6"}]),
        dossier(3, commune_insee="21054", prets=[  # Beaune, Bourgogne-Franche-Comté, B2
            {"kind": "foncier", "montant_eur": "499999.90", "duree_mois": 480, "marge_pct": "0.6"}]),
        dossier(4, commune_insee="69123").model_copy(update={"deposit_number": None}),  # not numbered
        dossier(5, commune_insee="69123").model_copy(update={"status": DossierStatus.LISTE_ATTENTE}),
    ]
    env = envelope(ds)
    assert env.montant_eur == Decimal(600_000_000)
    assert env.principal_numerotes_eur == Decimal("16000000.00") and env.dossiers_numerotes == 3
    assert env.restant_eur == Decimal("584000000.00")
    assert env.dossiers_liste_attente == 1 and env.principal_liste_attente_eur == Decimal("3500000.10")
    assert env.taux_consommation == Decimal("0.0267")
    regions = {line.cle: (line.dossiers_numerotes, line.principal_numerotes_eur) for line in env.par_region}
    assert regions == {
        "Auvergne-Rhône-Alpes": (1, Decimal("3500000.10")),
        "Bourgogne-Franche-Comté": (1, Decimal("499999.90")),
        "Île-de-France": (1, Decimal("12000000")),
    }
    zones = {line.cle: line.principal_numerotes_eur for line in env.par_zone}
    assert list(zones) == ["Abis", "A", "B1", "B2", "C"]
    assert zones == {"Abis": Decimal("12000000"), "A": Decimal("3500000.10"), "B1": 0, "B2": Decimal("499999.90"),
                     "C": 0}
    assert all(isinstance(v, Decimal) for v in zones.values())


def test_reserve_engage_garanti_and_released_by_status() -> None:
    s = DossierStatus
    ds = [dossier(1), dossier(2).model_copy(update={"status": s.AVIS_FAVORABLE}),
          dossier(3).model_copy(update={"status": s.CONVENTION_ENVOYEE}),
          dossier(4).model_copy(update={"status": s.ACTE_TRANSMIS}),
          dossier(5).model_copy(update={"status": s.EXPIREE}),
          dossier(6).model_copy(update={"status": s.LISTE_ATTENTE})]
    env = envelope(ds, montant_eur=Decimal(20_000_000))
    each = ds[0].loan_total
    assert (env.reserve_eur, env.engage_eur, env.garanti_eur) == (2 * each, each, each)
    assert env.disponible_eur == 20_000_000 - 4 * each == env.restant_eur
    assert env.reserve_eur + env.engage_eur + env.garanti_eur + env.disponible_eur == env.montant_eur
    assert (env.dossiers_reserve, env.dossiers_engage, env.dossiers_garanti) == (2, 1, 1)
    assert env.dossiers_liberes == 1 and env.principal_libere_eur == each  # the expired one holds nothing
    assert env.dossiers_liste_attente == 1
    assert env.dossiers_favorables == 3 and env.note is None  # avis favorable, engagé, garanti


def test_configurable_amount_and_empty() -> None:
    env = envelope([], montant_eur=Decimal(1000))
    assert env.restant_eur == 1000 and env.taux_consommation == 0 and env.par_region == []
