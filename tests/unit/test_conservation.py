"""The adapters write each item's TTL attribute from the durations of conservation.toml (the tables declare
that attribute in template.yaml: tests/infra/test_retention.py)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ami.adapters.dynamodb.inscriptions import DynamoRegistrations
from ami.domain import conservation as conservation_module
from ami.domain import inscription
from ami.domain.conservation import Conservation, conservation, parse
from ami.domain.models import Bailleur
from ami.services.idempotency import Idempotency
from ami.settings import Settings
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

CONFIG = Path(__file__).resolve().parents[2] / "functions" / "ami" / "domain" / "conservation.toml"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Recorder:
    """A DynamoDB table (resource) or client that keeps what was written."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def table(self, name: str) -> Recorder:
        return self

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        self.items.append(kwargs["Item"])
        return {}

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        return {}


def shorter() -> Conservation:
    return Conservation(timedelta(minutes=17), timedelta(days=3), 1, 1, 1, 1)


def test_the_configuration_is_read_as_written() -> None:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    c = conservation()
    assert c.inscription_en_attente == timedelta(minutes=data["dynamodb"]["inscription_en_attente_minutes"])
    assert c.idempotence == timedelta(days=data["dynamodb"]["idempotence_jours"])
    assert c.inscription_en_attente == inscription.CODE_VALIDITY


def test_a_duration_that_is_not_positive_is_refused() -> None:
    text = CONFIG.read_text(encoding="utf-8").replace("idempotence_jours = 7", "idempotence_jours = 0")
    assert "idempotence_jours = 0" in text
    with pytest.raises(ValueError, match="positive"):
        parse(text)


@pytest.mark.parametrize("configured", [conservation, shorter])
def test_an_inscription_waiting_carries_its_ttl_from_the_configuration(
    configured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inscription, "conservation", configured)
    bailleur = Bailleur(raison_sociale="Habitat Forézien", siren="732829320", forme_juridique="sa_hlm",
                        adresse="1 rue de la Paix, 42000 Saint-Étienne", email_contact="a@habitat.example",
                        registered_at=T0)
    pending, _ = inscription.new_pending(bailleur, T0)
    table = Recorder()
    DynamoRegistrations(Settings(DOSSIERS_TABLE="dossiers"), aws=table).put_pending(pending)  # type: ignore[arg-type]
    [item] = table.items
    assert item["expires_epoch"] == int((T0 + configured().inscription_en_attente).timestamp())


@pytest.mark.filterwarnings("ignore:Couldn't determine the remaining time left")
@pytest.mark.parametrize("configured", [conservation, shorter])
def test_an_idempotency_record_carries_its_ttl_from_the_configuration(
    configured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ami.services.idempotency as idempotency_module

    monkeypatch.setattr(idempotency_module, "conservation", configured)
    client = Recorder()
    once = Idempotency(lambda: DynamoDBPersistenceLayer(table_name="idempotency", boto3_client=client))
    run = once.once(lambda *, data: {"ok": True}, data_keyword_argument="data", key="id")
    before = datetime.now(UTC)
    assert run(data={"id": "m-1"}) == {"ok": True}
    [item] = client.items
    expires = datetime.fromtimestamp(int(item["expiration"]["N"]), UTC)
    # The record expires the configured time after it was written (a second's rounding either way).
    assert before + configured().idempotence - timedelta(seconds=2) <= expires
    assert expires <= datetime.now(UTC) + configured().idempotence + timedelta(seconds=2)


def test_the_module_reads_the_packaged_file() -> None:
    assert conservation_module.conservation() == parse(CONFIG.read_text(encoding="utf-8"))


def test_the_codes_validity_is_whole_hours() -> None:
    text = CONFIG.read_text(encoding="utf-8").replace("inscription_en_attente_minutes = 60",
                                                      "inscription_en_attente_minutes = 90")
    assert "= 90" in text
    with pytest.raises(ValueError, match="heures entières"):
        parse(text)
