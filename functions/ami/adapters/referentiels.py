"""Storage of the territory referentials (format and versioning in `ami.domain.referentiel`):
content in the deposits bucket, versions in the dossiers table."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from ami.adapters.aws import Aws, default_aws
from ami.domain.errors import NotFound
from ami.domain.models import utcnow
from ami.domain.referentiel import Referentiel, canonical, parse
from ami.settings import Settings

# Content is addressed by its SHA-256, so a per-process cache can never serve a stale version.
_CONTENT: dict[str, dict[str, Decimal]] = {}


@dataclass(frozen=True)
class ImportResult:
    referentiel: Referentiel
    cree: bool  # False: same content as the latest version, nothing written


class ReferentielStore:
    PREFIX = "referentiels/"

    def __init__(self, settings: Settings, aws: Aws | None = None) -> None:
        aws = aws or default_aws()
        self.s = settings
        self.table = aws.table(settings.dossiers_table)
        self.s3 = aws.client("s3")
        self.bucket = settings.deposits_bucket

    def import_file(self, nom: str, data: bytes, actor: str, source: str = "", fichier: str = "") -> ImportResult:
        values = parse(nom, data)  # raises before anything is written
        body = canonical(nom, values)
        sha = hashlib.sha256(body).hexdigest()
        latest = self.versions(nom)
        if latest and latest[-1]["sha256"] == sha:
            return ImportResult(self.get(nom, int(latest[-1]["version"])), cree=False)
        key = f"{self.PREFIX}{nom}/{sha}.json"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        version = int(latest[-1]["version"]) + 1 if latest else 1
        now = utcnow()
        for _ in range(20):
            item = {"pk": f"REFERENTIEL#{nom}", "sk": f"v{version:06d}", "version": version, "sha256": sha,
                    "s3_key": key, "lignes": len(values), "importe_le": now.isoformat(), "importe_par": actor,
                    "source": source, "fichier": fichier}
            try:
                self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
                break
            except self.table.meta.client.exceptions.ConditionalCheckFailedException:
                version += 1  # another import took this number
        else:  # pragma: no cover
            raise RuntimeError("référentiel : numéro de version introuvable")
        _CONTENT[sha] = values
        return ImportResult(Referentiel(nom, version, sha, values, now, actor, source, fichier), cree=True)

    def versions(self, nom: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(f"REFERENTIEL#{nom}"), "ConsistentRead": True}
        while True:
            page = self.table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get(self, nom: str, version: int) -> Referentiel:
        item = self.table.get_item(Key={"pk": f"REFERENTIEL#{nom}", "sk": f"v{version:06d}"},
                                   ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound("referentiel_introuvable", f"Le référentiel {nom} v{version} n'existe pas.")
        return self._materialise(nom, item)

    def latest(self, nom: str) -> Referentiel | None:
        page = self.table.query(KeyConditionExpression=Key("pk").eq(f"REFERENTIEL#{nom}"), ScanIndexForward=False,
                                Limit=1, ConsistentRead=True)
        items = page.get("Items", [])
        return self._materialise(nom, items[0]) if items else None

    def current(self, noms: Iterable[str]) -> dict[str, Referentiel]:
        """The latest version of each referential that has one."""
        found = {n: self.latest(n) for n in noms}
        return {n: r for n, r in found.items() if r is not None}

    def as_scored(self, versions: Mapping[str, str]) -> dict[str, Referentiel]:
        """The referentials a score recorded (`{"nom": "nom v3" | "absent"}`), to recompute it as it was."""
        out: dict[str, Referentiel] = {}
        for nom, label in versions.items():
            m = re.fullmatch(rf"{re.escape(nom)} v(\d+)(?: \(exemple\))?", label)
            if m:
                out[nom] = self.get(nom, int(m.group(1)))
        return out

    def _materialise(self, nom: str, item: Mapping[str, Any]) -> Referentiel:
        sha = str(item["sha256"])
        values = _CONTENT.get(sha)
        if values is None:
            body = self.s3.get_object(Bucket=self.bucket, Key=str(item["s3_key"]))["Body"].read()
            if hashlib.sha256(body).hexdigest() != sha:
                raise RuntimeError(f"référentiel {nom} : contenu altéré ({item['s3_key']})")
            values = {k: Decimal(v) for k, v in json.loads(body)["valeurs"].items()}
            _CONTENT[sha] = values
        return Referentiel(nom=nom, version=int(item["version"]), sha256=sha, valeurs=values,
                           importe_le=datetime.fromisoformat(str(item["importe_le"])),
                           importe_par=str(item.get("importe_par", "")), source=str(item.get("source", "")),
                           fichier=str(item.get("fichier", "")))
