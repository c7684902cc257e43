"""Whether a bailleur seems to deposit the same operation twice: same name, or same commune and
address (accents, case and punctuation ignored). A warning for the bailleur, never a refusal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ami.domain.models import Dossier

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _fold(text: str | None) -> str:
    return _folded(text) if text else ""


@lru_cache(maxsize=8192)  # a warm function sees the same bailleur's names page after page
def _folded(text: str) -> str:
    # Accents off in C (decomposed, then the marks dropped by the ASCII encoder): a dashboard compares
    # a dossier with all the bailleur's others.
    ascii_text = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", ascii_text).strip()


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
