"""Territory referentials imported by ops (`ami referentiel import <fichier.csv> --nom <nom>`).

File format (documented for ops, also in `ami referentiel import --help`)
    - encoding UTF-8 (a BOM is accepted), separator `;`, one header line;
    - columns `code_insee;valeur`, then optionally `commentaire` (ignored by the score);
    - `code_insee`: 5 characters (2A/2B for Corsica), a commune of the bundled zonage ABC 2024;
    - `valeur`: a decimal number, comma or point (`1,25` or `1.25`), within the bounds that
      `scoring_config.toml` declares for the referential;
    - one line per commune: a duplicate code is an error.
A file with any error is refused as a whole, with every error and its line number, in French; the
stored referentials are not touched.

Storage (versioned, so that a score can be recomputed as it was)
    - content: deposits bucket, `referentiels/<nom>/<sha256>.json` (content-addressed: writing it
      twice is harmless, and nothing points at it until the version item is written);
    - versions: dossiers table, pk `REFERENTIEL#<nom>`, sk `v000001`, `v000002`… written with
      `attribute_not_exists`, so two concurrent imports cannot take the same number. Importing
      the same content as the latest version creates no new version.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ami.domain.errors import InvalidInput
from ami.domain.grid import scoring_config
from ami.domain.rules import communes
from ami.domain.wording import compte

COLUMNS = ("code_insee", "valeur")
OPTIONAL_COLUMNS = ("commentaire",)
MAX_ERRORS = 50
# The source recorded for the sample tables shipped in infra/referentiels/ (`exemple-<nom>.csv`): the scores and
# the registre that use them say « (exemple) » beside the version.
SAMPLE_SOURCE = "Exemple fictif"
SAMPLE_PREFIX = "exemple-"
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DECIMAL = re.compile(r"^[+-]?\d+([.,]\d+)?$")


@dataclass(frozen=True)
class Referentiel:
    nom: str
    version: int
    sha256: str
    valeurs: Mapping[str, Decimal] = field(repr=False)
    importe_le: datetime | None = None
    importe_par: str = ""
    source: str = ""
    fichier: str = ""

    @property
    def exemple(self) -> bool:
        """Imported from one of the project's sample tables: fictitious values, never for a real CCN."""
        return self.source.startswith(SAMPLE_SOURCE)

    @property
    def label(self) -> str:
        return f"{self.nom} v{self.version}" + (" (exemple)" if self.exemple else "")


def _declared(nom: str) -> Any:
    decl = scoring_config()[0].referentiels.get(nom)
    if decl is None:
        known = ", ".join(sorted(scoring_config()[0].referentiels))
        raise InvalidInput("referentiel_inconnu", f"Référentiel « {nom} » inconnu de la grille de notation "
                           f"(référentiels attendus : {known}).")
    return decl


def parse(nom: str, data: bytes) -> dict[str, Decimal]:
    """The values of a referential file, or `InvalidInput` with every line-numbered error."""
    decl = _declared(nom)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput("referentiel_invalide", "Le fichier n'est pas encodé en UTF-8 : enregistrez-le en "
                           "« CSV UTF-8 » et recommencez.",
                           [{"ligne": line, "message": f"Ligne {line} : octet 0x{data[exc.start]:02X} invalide "
                             f"en UTF-8 (fichier probablement en Windows-1252/Latin-1)."}]) from exc
    if "\x00" in text:
        raise InvalidInput("referentiel_invalide", "Le fichier n'est pas un fichier CSV texte.",
                           [{"ligne": 1, "message": "Ligne 1 : caractère nul (fichier binaire ou UTF-16)."}])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    errors: list[dict[str, Any]] = []

    def err(line: int, message: str) -> None:
        errors.append({"ligne": line, "message": f"Ligne {line} : {message}"})

    if not rows:
        raise InvalidInput("referentiel_invalide", "Le fichier est vide.",
                           [{"ligne": 1, "message": "Ligne 1 : en-tête `code_insee;valeur` attendu."}])
    header = [h.strip().lower() for h in rows[0]]
    if tuple(header[:2]) != COLUMNS or any(h not in OPTIONAL_COLUMNS for h in header[2:]):
        raise InvalidInput("referentiel_invalide", "L'en-tête du fichier est incorrect.", [
            {"ligne": 1, "message": f"Ligne 1 : en-tête « {';'.join(rows[0])} » ; attendu « code_insee;valeur » "
             f"(séparateur point-virgule), colonne facultative : commentaire."}])
    known = communes()
    values: dict[str, Decimal] = {}
    first_seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            err(number, f"{compte(len(row), 'colonne')} au lieu de {len(header)}.")
            continue
        code, raw = row[0].strip(), row[1].strip()
        if not _INSEE.match(code):
            err(number, f"code INSEE « {code} » invalide (5 caractères : chiffres, ou 2A/2B pour la Corse).")
        elif code not in known:
            err(number, f"la commune {code} est inconnue du zonage ABC 2024.")
        elif code in first_seen:
            err(number, f"le code INSEE {code} est en double (déjà ligne {first_seen[code]}).")
        if not _DECIMAL.match(raw.replace("\u00a0", "").replace(" ", "")):
            err(number, f"la valeur « {raw} » n'est pas un nombre décimal.")
            value = None
        else:
            try:
                value = Decimal(raw.replace("\u00a0", "").replace(" ", "").replace(",", ".")).normalize() + 0
            except InvalidOperation:  # pragma: no cover - the pattern above already excludes it
                value = None
            if value is not None and not decl.minimum <= value <= decl.maximum:
                err(number, f"la valeur {raw} est hors des bornes [{decl.minimum} ; {decl.maximum}] ({decl.unite}).")
                value = None
        if code and code not in first_seen:
            first_seen[code] = number
        if value is not None and code in known and first_seen.get(code) == number:
            values[code] = value
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        shown = errors[:MAX_ERRORS]
        more = " (50 premières erreurs)" if len(errors) >= MAX_ERRORS else ""
        raise InvalidInput("referentiel_invalide",
                           f"Le référentiel « {nom} » est refusé : {compte(len(shown), 'erreur')}{more}. "
                           "Rien n'a été importé.",
                           shown)
    if not values:
        raise InvalidInput("referentiel_invalide", "Le fichier ne contient aucune ligne de données.",
                           [{"ligne": 2, "message": "Ligne 2 : aucune donnée après l'en-tête."}])
    return values


def canonical(nom: str, values: Mapping[str, Decimal]) -> bytes:
    body = {"nom": nom, "valeurs": {k: format(v, "f") for k, v in sorted(values.items())}}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
