"""The INSEE Sirene API (version 3.11): the legal unit of a SIREN.

`GET {base}/siren/{siren}` with the integration key in the `X-INSEE-Api-Key-Integration` header
answers the unit and its periods, the current one first: its `etatAdministratifUniteLegale` (« A »
active, « C » cessée) and `categorieJuridiqueUniteLegale`. 404: unknown SIREN. The key is read once
per process from Secrets Manager (the secret `SireneApiSecret` of template.yaml, either the bare key
or JSON `{"api_key": …}`); it is never logged.

Locally and in the tests the register is a fixture (`infra/sirene_fixture.py`).
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any

from ami.adapters.aws import Aws, default_aws
from ami.domain.errors import RetryLater
from ami.domain.inscription import UniteLegale

BASE_URL = "https://api.insee.fr/api-sirene/3.11"
TIMEOUT_SECONDS = 5
log = logging.getLogger("ami.sirene")

UNAVAILABLE = RetryLater(
    "sirene_indisponible",
    "Le répertoire Sirene de l'Insee ne répond pas : le SIREN ne peut pas être vérifié. "
    "Réessayez dans quelques minutes.",
)


def parse_unite_legale(siren: str, body: dict[str, Any]) -> UniteLegale:
    unite = body.get("uniteLegale") or {}
    periods = unite.get("periodesUniteLegale") or [{}]
    current = periods[0]  # the API lists the periods from the most recent
    return UniteLegale(
        siren=str(unite.get("siren") or siren),
        active=current.get("etatAdministratifUniteLegale") == "A",
        categorie_juridique=str(current.get("categorieJuridiqueUniteLegale") or ""),
        denomination=str(current.get("denominationUniteLegale") or ""),
    )


class InseeSirene:
    def __init__(self, secret_id: str, aws: Aws | None = None, base_url: str = BASE_URL) -> None:
        self.secret_id = secret_id
        self.aws = aws or default_aws()
        self.base_url = base_url.rstrip("/")
        self._key: str | None = None
        self._lock = threading.Lock()

    def _api_key(self) -> str:
        with self._lock:
            if self._key is None:
                raw = str(self.aws.client("secretsmanager").get_secret_value(SecretId=self.secret_id)["SecretString"])
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = raw
                self._key = str(parsed.get("api_key", "")) if isinstance(parsed, dict) else str(parsed)
            return self._key

    def unite_legale(self, siren: str) -> UniteLegale | None:
        request = urllib.request.Request(
            f"{self.base_url}/siren/{siren}",
            headers={"X-INSEE-Api-Key-Integration": self._api_key(), "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            log.warning("Sirene a répondu %s", exc.code)
            raise UNAVAILABLE from exc
        except (OSError, ValueError) as exc:
            log.warning("Sirene injoignable (%s)", type(exc).__name__)
            raise UNAVAILABLE from exc
        return parse_unite_legale(siren, body)
