"""Whether a bailleur seems to deposit the same operation twice: same name, or same commune and
address (accents, case and punctuation ignored). A warning for the bailleur, never a refusal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ami.domain.models import Dossier


def _fold(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def likely_duplicates(d: Dossier, others: Iterable[Dossier]) -> list[Dossier]:
    op = d.form.operation
    name, address = _fold(op.nom), _fold(op.adresse)
    found = []
    for other in others:
        if other.dossier_id == d.dossier_id or other.siren != d.siren:
            continue
        o = other.form.operation
        same_name = bool(name) and _fold(o.nom) == name
        same_place = bool(address) and op.commune_insee == o.commune_insee and _fold(o.adresse) == address
        if same_name or same_place:
            found.append(other)
    return found
