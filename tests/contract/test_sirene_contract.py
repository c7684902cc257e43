"""The `Sirene` port: the register the local emulation uses (`infra/sirene_fixture.py`) and the INSEE
adapter agree. The adapter reads, through Secrets Manager on the emulation and HTTP, an INSEE-shaped
answer made from the same rows: the same unit comes back for an active SIREN and a ceased one, None
for an unknown one; the fixture therefore stands for INSEE in every local run."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from ami.adapters.aws import default_aws
from ami.adapters.sirene import InseeSirene
from ami.domain.inscription import UniteLegale
from ami.services.ports import Sirene

from infra.sirene_fixture import sirene_fixture


def insee_answer(unit: UniteLegale) -> dict[str, Any]:
    """How the INSEE API 3.11 writes a unit: its periods, the current one first."""
    return {"uniteLegale": {"siren": unit.siren, "periodesUniteLegale": [
        {"etatAdministratifUniteLegale": "A" if unit.active else "C",
         "categorieJuridiqueUniteLegale": unit.categorie_juridique, "denominationUniteLegale": unit.denomination},
        {"etatAdministratifUniteLegale": "A", "categorieJuridiqueUniteLegale": "9999",
         "denominationUniteLegale": "ANCIEN NOM"},
    ]}}


@pytest.fixture(scope="module")
def insee(emulation: Any) -> Iterator[InseeSirene]:
    units = sirene_fixture().units

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            unit = units.get(self.path.rsplit("/", 1)[-1])
            ok = self.headers.get("X-INSEE-Api-Key-Integration") == "cle-essai" and unit is not None
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(insee_answer(unit) if ok and unit else {}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    default_aws().client("secretsmanager").put_secret_value(
        SecretId=emulation.sirene_secret_arn, SecretString=json.dumps({"api_key": "cle-essai"}))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield InseeSirene(emulation.sirene_secret_arn, base_url=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["fixture", "insee"])
def sirene(request: pytest.FixtureRequest) -> Sirene:
    return sirene_fixture() if request.param == "fixture" else request.getfixturevalue("insee")


def test_active_ceased_and_unknown_units_read_alike(sirene: Sirene) -> None:
    units = sirene_fixture().units.values()
    active = next(u for u in units if u.active)
    ceased = next(u for u in units if not u.active)
    assert sirene.unite_legale(active.siren) == active
    assert sirene.unite_legale(ceased.siren) == ceased
    assert sirene.unite_legale("123456782") is None
