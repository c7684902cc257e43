"""Territory referentials: the documented file format, line-numbered French errors, nothing changed on
error, versioned storage, and recomputing a score as it was."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from ami.adapters import referentiels
from ami.adapters.aws import Aws
from ami.adapters.referentiels import ReferentielStore
from ami.domain.errors import InvalidInput
from ami.domain.referentiel import parse
from ami.domain.scoring import score_dossier
from ami.settings import Settings
from moto import mock_aws
from unit.scoring_data import dossier

REGION = "eu-west-3"
GOOD = "code_insee;valeur;commentaire\n69123;0,8;Lyon\n75056;1.25;\n2A004;-0,5;Ajaccio\n\n"


def errors_of(data: bytes, nom: str = "dynamisme_economique") -> list[str]:
    with pytest.raises(InvalidInput) as exc:
        parse(nom, data)
    assert exc.value.code in ("referentiel_invalide", "referentiel_inconnu")
    details: list[dict[str, str]] = exc.value.details or []  # type: ignore[assignment]
    return [e["message"] for e in details]


def test_a_good_file_with_bom_commas_and_comments() -> None:
    values = parse("dynamisme_economique", ("\ufeff" + GOOD).encode("utf-8"))
    assert values == {"69123": Decimal("0.8"), "75056": Decimal("1.25"), "2A004": Decimal("-0.5")}


def test_every_error_with_its_line_number_in_french() -> None:
    data = (b"code_insee;valeur\n"
            b"69123;0,8\n"       # 2 ok
            b"99999;1\n"         # 3 unknown commune
            b"69123;0,9\n"       # 4 duplicate
            b"75056;beaucoup\n"  # 5 wrong type
            b"7505;1\n"          # 6 malformed code
            b"21231;150\n"       # 7 out of bounds
            b"21054\n"           # 8 missing column
            )
    assert errors_of(data) == [
        "Ligne 3 : la commune 99999 est inconnue du zonage ABC 2024.",
        "Ligne 4 : le code INSEE 69123 est en double (déjà ligne 2).",
        "Ligne 5 : la valeur « beaucoup » n'est pas un nombre décimal.",
        "Ligne 6 : code INSEE « 7505 » invalide (5 caractères : chiffres, ou 2A/2B pour la Corse).",
        "Ligne 7 : la valeur 150 est hors des bornes [-100 ; 100] (%/an).",
        "Ligne 8 : 1 colonne au lieu de 2.",
    ]


def test_wrong_encoding_header_empty_and_unknown_referential() -> None:
    (msg,) = errors_of("code_insee;valeur\n69123;1\n13055;0,5 # Marseille é\n".encode("cp1252"))
    assert msg.startswith("Ligne 3 : octet 0xE9 invalide en UTF-8")
    (msg,) = errors_of(b"insee,valeur\n69123,1\n")
    assert msg.startswith("Ligne 1 : en-tête « insee,valeur »")
    assert errors_of(b"") == ["Ligne 1 : en-tête `code_insee;valeur` attendu."]
    assert errors_of(b"code_insee;valeur\n") == ["Ligne 2 : aucune donnée après l'en-tête."]
    assert errors_of("code_insee;valeur\n".encode("utf-16")) != []
    with pytest.raises(InvalidInput) as exc:
        parse("beaute_du_site", b"code_insee;valeur\n69123;1\n")
    assert exc.value.code == "referentiel_inconnu"


# ---------------------------------------------------------------- storage


@pytest.fixture
def refstore(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ReferentielStore, Any, Any]]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("AWS_DEFAULT_REGION", REGION), ("AWS_ACCESS_KEY_ID", "t"), ("AWS_SECRET_ACCESS_KEY", "t")):
        monkeypatch.setenv(name, value)
    referentiels._CONTENT.clear()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        ddb.create_table(TableName="dossiers", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                    {"AttributeName": "sk", "KeyType": "RANGE"}])
        s3: Any = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="deposits", CreateBucketConfiguration={"LocationConstraint": REGION})
        settings = Settings.model_validate({
            "DOSSIERS_TABLE": "dossiers", "COUNTERS_TABLE": "c", "AUDIT_TABLE": "a", "IDEMPOTENCY_TABLE": "i",
            "DEPOSITS_BUCKET": "deposits", "QUARANTINE_BUCKET": "q", "COMPLETENESS_QUEUE_URL": "q",
            "SCORING_QUEUE_URL": "q", "NOTIFICATIONS_QUEUE_URL": "q", "INSTRUCTION_QUEUE_URL": "q",
            "SENDER_EMAIL": "a@b.fr", "USER_POOL_ID": "p"})
        yield ReferentielStore(settings, Aws()), ddb, s3
    referentiels._CONTENT.clear()


def _everything(ddb: Any, s3: Any) -> tuple[list[Any], list[str]]:
    items = ddb.scan(TableName="dossiers")["Items"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="deposits").get("Contents", [])]
    return items, keys


def test_import_is_versioned_and_a_refused_file_changes_nothing(refstore: Any) -> None:
    store, ddb, s3 = refstore
    assert store.latest("dynamisme_economique") is None
    with pytest.raises(InvalidInput):
        store.import_file("dynamisme_economique", b"code_insee;valeur\n99999;1\n", "ops:test")
    assert _everything(ddb, s3) == ([], [])

    first = store.import_file("dynamisme_economique", GOOD.encode(), "ops:test", source="Insee 2024", fichier="a.csv")
    assert first.cree and first.referentiel.version == 1 and first.referentiel.label == "dynamisme_economique v1"
    same = store.import_file("dynamisme_economique", GOOD.replace("0,8", "0.80").encode(), "ops:test")
    assert not same.cree and same.referentiel.version == 1  # same values: no new version
    second = store.import_file("dynamisme_economique", GOOD.replace("0,8", "2").encode(), "ops:test")
    assert second.cree and second.referentiel.version == 2

    before = _everything(ddb, s3)
    with pytest.raises(InvalidInput):
        store.import_file("dynamisme_economique", GOOD.replace("0,8", "x").encode(), "ops:test")
    assert _everything(ddb, s3) == before

    items, keys = before
    assert sorted(i["sk"]["S"] for i in items) == ["v000001", "v000002"]
    assert {i["pk"]["S"] for i in items} == {"REFERENTIEL#dynamisme_economique"}
    assert all(k.startswith("referentiels/dynamisme_economique/") for k in keys) and len(keys) == 2

    referentiels._CONTENT.clear()  # a cold start reads the content back from S3
    latest = store.latest("dynamisme_economique")
    assert latest is not None and latest.version == 2 and latest.valeurs["69123"] == Decimal("2")
    v1 = store.get("dynamisme_economique", 1)
    assert v1.valeurs["69123"] == Decimal("0.8") and v1.source == "Insee 2024" and v1.fichier == "a.csv"


def test_a_score_can_be_recomputed_as_it_was(refstore: Any) -> None:
    store, _, _ = refstore
    store.import_file("dynamisme_economique", GOOD.encode(), "ops")
    store.import_file("saturation_demande_li", b"code_insee;valeur\n69123;3\n", "ops")
    d = dossier()
    original = score_dossier(d, {}, store.current(["dynamisme_economique", "saturation_demande_li"]))
    assert original.referentiels["dynamisme_economique"] == "dynamisme_economique v1"

    store.import_file("dynamisme_economique", GOOD.replace("0,8", "-3").encode(), "ops")  # v2 changes the score
    current = score_dossier(d, {}, store.current(["dynamisme_economique", "saturation_demande_li"]))
    assert current.total != original.total

    as_it_was = score_dossier(d, {}, store.as_scored(original.referentiels))
    assert as_it_was == original
