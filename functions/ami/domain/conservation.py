"""How long the service keeps what it may not keep for ever (functions/ami/domain/conservation.toml).

DynamoDB items that must go carry the table's TTL attribute, written by their adapter from these
durations; S3 objects go by the lifecycle rules of template.yaml, which tests/infra/test_retention.py
holds to the same numbers. What is not here (dossiers, deposited pieces, the audit log) is the deposit
evidence, kept by the service without limit (docs/rgpd.md).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Conservation:
    inscription_en_attente: timedelta
    idempotence: timedelta
    quarantaine_jours: int
    versions_remplacees_jours: int
    registres_jours: int
    journaux_jours: int


def parse(text: str) -> Conservation:
    data = tomllib.loads(text)
    ddb, s3 = data["dynamodb"], data["s3"]
    out = Conservation(
        inscription_en_attente=timedelta(minutes=int(ddb["inscription_en_attente_minutes"])),
        idempotence=timedelta(days=int(ddb["idempotence_jours"])),
        quarantaine_jours=int(s3["quarantaine_jours"]),
        versions_remplacees_jours=int(s3["versions_remplacees_jours"]),
        registres_jours=int(s3["registres_jours"]),
        journaux_jours=int(s3["journaux_jours"]),
    )
    if min(out.inscription_en_attente, out.idempotence) <= timedelta(0) or min(
        out.quarantaine_jours, out.versions_remplacees_jours, out.registres_jours, out.journaux_jours
    ) < 1:
        raise ValueError("conservation.toml : chaque durée doit être positive")
    if out.inscription_en_attente % timedelta(hours=1):
        # The registration's messages say how long the code is valid in hours.
        raise ValueError("conservation.toml : inscription_en_attente_minutes doit compter des heures entières")
    return out


@cache
def conservation() -> Conservation:
    return parse((resources.files("ami.domain") / "conservation.toml").read_text(encoding="utf-8"))
