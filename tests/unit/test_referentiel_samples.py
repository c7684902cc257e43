"""The sample referentials shipped for the demo and the tests: valid files, clearly marked as samples wherever a
score or the registre uses them, and covering every commune of the demo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from ami.domain.referentiel import SAMPLE_PREFIX, SAMPLE_SOURCE, Referentiel, parse
from ami.domain.scoring import score_dossier
from scoring_data import dossier

SAMPLES = Path(__file__).resolve().parents[2] / "infra" / "referentiels"
DEMO_COMMUNES = {"75056", "69123", "21231", "21054", "23096", "33063", "44109", "59350", "13055", "31555", "97411",
                 "74010"}


@pytest.mark.parametrize("nom", ["dynamisme_economique", "saturation_demande_li"])
def test_each_sample_is_a_valid_referential_of_the_grid_covering_the_demo(nom: str) -> None:
    path = SAMPLES / f"{SAMPLE_PREFIX}{nom}.csv"
    values = parse(nom, path.read_bytes())
    assert set(values) >= DEMO_COMMUNES
    assert all("valeur fictive (exemple)" in line for line in path.read_text(encoding="utf-8").splitlines()[1:])


def test_a_score_made_with_a_sample_says_so() -> None:
    sample = {nom: Referentiel(nom, 1, f"sha-{nom}", {"69123": Decimal("1")}, source=f"{SAMPLE_SOURCE} (x.csv)")
              for nom in ("dynamisme_economique", "saturation_demande_li")}
    s = score_dossier(dossier(), {}, sample)
    assert s.referentiels == {"dynamisme_economique": "dynamisme_economique v1 (exemple)",
                              "saturation_demande_li": "saturation_demande_li v1 (exemple)"}
    assert s.critere("dynamisme_economique").sources[0].version == "dynamisme_economique v1 (exemple)"  # type: ignore[union-attr]
    real = Referentiel("dynamisme_economique", 2, "sha", {"69123": Decimal("1")}, source="INSEE, Estel 2022")
    assert real.label == "dynamisme_economique v2" and not real.exemple
