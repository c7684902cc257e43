"""Where the pieces live in the deposits bucket: `bailleurs/<siren>/<dossier_id>/<piece>.<pdf|xlsx>`.

Each upload is a new version of that key; the versions recorded at envoi are the deposit. The signed convention,
deposited after the instruction (ami.domain.lifecycle, « deposer_convention »), lives beside the pieces at
`bailleurs/<siren>/<dossier_id>/convention_signee.pdf`: the same bucket notification brings it to intake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ami.domain.models import PIECE_FILE_TYPES, PIECE_KINDS, PieceKind

KEY_PATTERN = re.compile(
    r"^bailleurs/(?P<siren>\d{9})/(?P<dossier_id>[0-9a-f]{32})/(?P<piece>" + "|".join(PIECE_KINDS)
    + r")\.(?P<ext>pdf|xlsx)$"
)


def piece_key(siren: str, dossier_id: str, piece: PieceKind) -> str:
    return f"bailleurs/{siren}/{dossier_id}/{piece}.{PIECE_FILE_TYPES[piece]}"


@dataclass(frozen=True)
class KeyParts:
    siren: str
    dossier_id: str
    piece: PieceKind


def parse_key(key: str) -> KeyParts | None:
    m = KEY_PATTERN.match(key)
    if not m or PIECE_FILE_TYPES[m["piece"]] != m["ext"]:  # type: ignore[index]
        return None
    return KeyParts(m["siren"], m["dossier_id"], m["piece"])  # type: ignore[arg-type]


CONVENTION_SIGNEE = "convention_signee"
CONVENTION_PATTERN = re.compile(r"^bailleurs/(?P<siren>\d{9})/(?P<dossier_id>[0-9a-f]{32})/convention_signee\.pdf$")


def convention_key(siren: str, dossier_id: str) -> str:
    """Where the bailleur deposits the dossier's signed convention (one key, each deposit a new version)."""
    return f"bailleurs/{siren}/{dossier_id}/{CONVENTION_SIGNEE}.pdf"


@dataclass(frozen=True)
class ConventionKey:
    siren: str
    dossier_id: str


def parse_convention_key(key: str) -> ConventionKey | None:
    m = CONVENTION_PATTERN.match(key)
    return ConventionKey(m["siren"], m["dossier_id"]) if m else None
