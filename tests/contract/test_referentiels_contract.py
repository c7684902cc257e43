"""The `Referentiels` port: the in-memory fake and `ReferentielStore` (S3 + DynamoDB on the emulation)
agree on what scoring reads: the latest version of each table imported, none for a table never
imported, a new version only when the values change, nothing written by a refused file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ami.adapters.referentiels import ReferentielStore
from ami.domain.errors import InvalidInput
from fakes import InMemoryReferentiels
from support import empty_tables

NOM = "dynamisme_economique"


@pytest.fixture(params=["memoire", "emulation"])
def referentiels(request: pytest.FixtureRequest) -> Any:
    if request.param == "memoire":
        return InMemoryReferentiels()
    env = request.getfixturevalue("emulation")
    empty_tables(env)  # each case starts without any version
    return ReferentielStore(env)


def table(value: str) -> bytes:
    return f"code_insee;valeur;commentaire\n69123;{value};Lyon\n75056;1.25;\n".encode()


def test_scoring_reads_the_latest_version_of_each_table_imported(referentiels: Any) -> None:
    assert referentiels.current([NOM, "tension_locative"]) == {}
    first = referentiels.import_file(NOM, table("0,8"), "ops:essai", source="Insee 2024", fichier="a.csv")
    same = referentiels.import_file(NOM, table("0.80"), "ops:essai")  # the same values, written otherwise
    second = referentiels.import_file(NOM, table("2"), "ops:essai")
    assert (first.cree, same.cree, second.cree) == (True, False, True)
    assert [first.referentiel.version, same.referentiel.version, second.referentiel.version] == [1, 1, 2]
    current = referentiels.current([NOM, "tension_locative"])
    assert list(current) == [NOM]
    assert current[NOM].version == 2 and current[NOM].valeurs["69123"] == Decimal("2")
    assert current[NOM].sha256 == second.referentiel.sha256


def test_a_refused_file_changes_nothing(referentiels: Any) -> None:
    referentiels.import_file(NOM, table("0,8"), "ops:essai")
    with pytest.raises(InvalidInput):
        referentiels.import_file(NOM, table("x"), "ops:essai")
    assert referentiels.current([NOM])[NOM].version == 1
