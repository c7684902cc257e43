"""The Sirene register of the local emulation and the tests: a few hundred made-up legal units.

`infra/data/sirene-fixture.csv` (`siren;denomination;categorie_juridique;etat_administratif`): SIRENs
with a right Luhn key, names and catégories juridiques as Insee's register has them (mostly SA d'HLM,
OPH, SEM and coopératives; a few SARL and SCI; a few units cessées). It satisfies the same port as
the INSEE adapter (`ami.services.ports.Sirene`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from ami.domain.dispositif import dispositif
from ami.domain.inscription import UniteLegale

FIXTURE = Path(__file__).resolve().parent / "data" / "sirene-fixture.csv"


class SireneFixture:
    def __init__(self, units: dict[str, UniteLegale]) -> None:
        self.units = units

    def unite_legale(self, siren: str) -> UniteLegale | None:
        return self.units.get(siren)

    def eligible(self, forme_juridique: str) -> Iterator[UniteLegale]:
        """The active units whose catégorie juridique fits `forme_juridique` (for tests and demos)."""
        form = dispositif().form(forme_juridique)
        codes = form.categories_juridiques if form else ()
        return (u for u in self.units.values() if u.active and u.categorie_juridique in codes)


@cache
def sirene_fixture(path: Path = FIXTURE) -> SireneFixture:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    return SireneFixture({
        r["siren"]: UniteLegale(
            siren=r["siren"], active=r["etat_administratif"] == "A", categorie_juridique=r["categorie_juridique"],
            denomination=r["denomination"],
        )
        for r in rows
    })
