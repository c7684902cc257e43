"""Retention in template.yaml: the TTL attributes the tables declare are the ones the adapters write, the S3
lifecycle rules use the durations of functions/ami/domain/conservation.toml, and nothing expires the deposit
evidence (docs/rgpd.md)."""

from __future__ import annotations

from typing import Any

import pytest
from ami.domain.conservation import conservation
from ami.domain.deposit_keys import piece_key
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from infra.template import load_sam

RESOURCES = load_sam()["Resources"]


def props(logical_id: str) -> dict[str, Any]:
    return dict(RESOURCES[logical_id]["Properties"])


def rules(bucket: str) -> dict[str, dict[str, Any]]:
    return {r["Id"]: r for r in props(bucket).get("LifecycleConfiguration", {}).get("Rules", [])}


def ttl_attribute(table: str) -> str | None:
    spec = props(table).get("TimeToLiveSpecification")
    if spec is None:
        return None
    assert spec["Enabled"] is True, table
    return str(spec["AttributeName"])


def test_the_tables_expire_by_the_attributes_the_adapters_write() -> None:
    assert ttl_attribute("DossiersTable") == "expires_epoch"  # ami.adapters.dynamodb.inscriptions
    powertools = DynamoDBPersistenceLayer(table_name="idempotency", boto3_client=object())
    assert ttl_attribute("IdempotencyTable") == powertools.expiry_attr == "expiration"


@pytest.mark.parametrize("table", ["AuditTable", "CountersTable"])
def test_the_evidence_and_the_outbox_never_expire(table: str) -> None:
    # The audit log is the deposit evidence; the counters table holds the deposit counter, the pending
    # envois and the outbox, none of which may vanish by itself.
    assert ttl_attribute(table) is None


def test_the_quarantine_keeps_a_refused_file_the_configured_days() -> None:
    rule = rules("QuarantineBucket")["supprimer-apres-90-jours"]
    assert rule["Status"] == "Enabled" and "Prefix" not in rule  # every refused file
    assert rule["ExpirationInDays"] == conservation().quarantaine_jours
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    assert "ObjectLockConfiguration" not in props("QuarantineBucket")


def test_the_logs_are_kept_the_configured_days() -> None:
    rule = rules("AccessLogsBucket")["journaux-un-an"]
    assert rule["ExpirationInDays"] == conservation().journaux_jours
    groups = {k: r["Properties"] for k, r in RESOURCES.items() if r["Type"] == "AWS::Logs::LogGroup"}
    assert "ApiAccessLogGroup" in groups and len(groups) > 5
    kept = {k: p.get("RetentionInDays") for k, p in groups.items()}
    assert kept == dict.fromkeys(groups, conservation().journaux_jours)


def test_the_deposits_expire_only_what_was_never_deposited() -> None:
    bucket = props("DepositsBucket")
    # A deposited version is under legal hold before its deposit is concluded (at envoi when intake has not
    # accepted it yet, else by the numbering seconds later, well within the 30 days a replaced version is kept);
    # a lifecycle rule cannot delete a locked version, and the bucket policy lets nobody lift a hold
    # (tests/infra/test_template.py).
    assert bucket["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}  # no default retention either
    found = rules("DepositsBucket")
    pieces = found["versions-remplacees-30-jours"]
    assert piece_key("732829320", "0" * 32, "lettre_offre").startswith(pieces["Prefix"])
    assert pieces["NoncurrentVersionExpiration"]["NoncurrentDays"] == conservation().versions_remplacees_jours
    registres = found["registres-1-jour"]
    assert registres["ExpirationInDays"] == conservation().registres_jours
    for rule in found.values():
        prefix = rule.get("Prefix", "")
        expires_current = any(k in rule for k in ("ExpirationInDays", "ExpirationDate", "Transitions"))
        # No rule removes, or moves away, the current version of a piece.
        assert not (expires_current and "bailleurs/".startswith(prefix)), rule["Id"]
