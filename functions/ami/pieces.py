"""Validation of an uploaded piece: is it a readable PDF within the AMI's limits?

Pure: bytes in, a report or a `PieceRefused` out, whatever the bytes. Intake turns a refusal into a
quarantine reason, so every message speaks to the bailleur and says what to do next.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ami.dispositif import dispositif
from ami.errors import PieceRefused
from ami.models import PieceKind

if TYPE_CHECKING:
    from pypdf import PageObject

# Acrobat looks for the header in the first 1024 bytes and for %%EOF in the last 1024; following it
# accepts what opens on the instructor's desk and catches uploads cut short.
HEADER_WINDOW = 1024
EOF_WINDOW = 1024
TEXT_PROBE_PAGES = 3  # text layer probe stays cheap on a 300-page dossier

_PIECE_NAMES: dict[PieceKind, str] = {
    "lettre_offre": "la lettre d'offre",
    "dossier_presentation": "le dossier de présentation",
}

# (signature, what the file starts with as shown to the bailleur, what the file probably is)
_IMPOSTORS: tuple[tuple[bytes, str, str], ...] = (
    (b"PK", "PK", "comme un fichier Word, Excel ou une archive ZIP"),
    (b"\xd0\xcf\x11\xe0", "D0 CF 11 E0", "comme un ancien fichier Word ou Excel (.doc, .xls)"),
    (b"\x89PNG", "‰PNG", "c'est une image PNG"),
    (b"\xff\xd8\xff", "FF D8 FF", "c'est une image JPEG"),
    (b"GIF8", "GIF8", "c'est une image GIF"),
    (b"II*\x00", "II*", "c'est une image TIFF"),
    (b"MM\x00*", "MM", "c'est une image TIFF"),
    (b"{\\rtf", "{\\rtf", "c'est un document RTF"),
)
_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")


@dataclass(frozen=True)
class PieceReport:
    pages: int
    sha256: str
    size: int
    text_layer: bool  # at least one of the first pages yields extractable text
    # Seam for field extraction (amounts, SIREN read from the letter), a later issue: always () for now.
    fields: tuple[tuple[str, str], ...] = ()


def examine(data: bytes, piece: PieceKind, declared_size: int | None = None) -> PieceReport:
    """Check `data` as the given piece; raise `PieceRefused` with a stable code if it cannot be one."""
    rules = dispositif().pieces[piece]
    name = _PIECE_NAMES[piece]
    if not data:
        raise PieceRefused("vide_octets", f"Le fichier déposé est vide (0 octet). Déposez à nouveau {name}.")
    size = max(len(data), declared_size or 0)
    if size > rules.max_bytes:
        raise PieceRefused(
            "trop_volumineux",
            f"Le fichier pèse {_megabytes(size)} Mo ; la taille maximale pour {name} est de "
            f"{_megabytes(rules.max_bytes)} Mo. Réduisez-le (par exemple en baissant la résolution "
            "des images) puis déposez-le à nouveau.",
        )
    _check_signature(data, name)
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise PieceRefused(
            "corrompu",
            f"Le fichier PDF est incomplet : sa fin manque, le dépôt a sans doute été interrompu. "
            f"Déposez à nouveau {name}.",
        )
    pages, text_layer = _read_pages(data, name)
    if pages == 0:
        raise PieceRefused(
            "sans_page",
            f"Le fichier PDF ne contient aucune page. Déposez à nouveau {name}, avec toutes ses pages.",
        )
    if pages > rules.max_pages:
        raise PieceRefused(
            "trop_de_pages",
            f"Le fichier PDF compte {pages} pages ; {name} peut en compter au plus {rules.max_pages}. "
            "Déposez une version plus courte.",
        )
    return PieceReport(
        pages=pages, sha256=hashlib.sha256(data).hexdigest(), size=len(data), text_layer=text_layer
    )


def _megabytes(size: int) -> str:
    """25 Mo, 30,2 Mo: French decimal comma, at most one decimal."""
    return f"{size / 1_048_576:.1f}".removesuffix(".0").replace(".", ",")


def _check_signature(data: bytes, name: str) -> None:
    if b"%PDF-" in data[:HEADER_WINDOW]:
        return
    advice = f"Déposez {name} au format PDF."
    for signature, shown, likely in _IMPOSTORS:
        if data.startswith(signature):
            raise PieceRefused(
                "pas_un_pdf", f"Le fichier n'est pas un PDF (il commence par « {shown} », {likely}). {advice}"
            )
    head = data[:HEADER_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_STARTS):
        likely = "c'est une page web ou un fichier HTML/XML"
    elif _looks_like_text(data[:HEADER_WINDOW]):
        likely = "c'est un fichier texte"
    else:
        likely = "l'en-tête « %PDF- » est absent"
    raise PieceRefused("pas_un_pdf", f"Le fichier n'est pas un PDF ({likely}). {advice}")


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A window cut inside a multibyte character is still text; latin-1 text is too.
        text = head.decode("latin-1")
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def _read_pages(data: bytes, name: str) -> tuple[int, bool]:
    """Number of pages and whether the first pages carry text; pypdf failures become refusals."""
    from pypdf import PdfReader  # imported here: a cold start that never examines a piece skips it
    from pypdf.errors import DependencyError, FileNotDecryptedError, WrongPasswordError

    encrypted_message = (
        f"Le fichier PDF est protégé par un mot de passe ou chiffré. Déposez {name} sans protection "
        "(enregistrez-le ou imprimez-le en PDF sans mot de passe)."
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        pages = [] if encrypted else list(reader.pages)
    except (FileNotDecryptedError, WrongPasswordError, DependencyError) as exc:
        raise PieceRefused("chiffre", encrypted_message) from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files: all mean "unreadable"
        raise PieceRefused(
            "corrompu",
            f"Le fichier PDF est endommagé et ne peut pas être lu. Ouvrez-le pour vérifier, "
            f"enregistrez-le à nouveau en PDF puis déposez {name}.",
        ) from exc
    if encrypted:
        # Even an empty user password counts: encryption may forbid copying or printing.
        raise PieceRefused("chiffre", encrypted_message)
    return len(pages), any(_has_text(page) for page in pages[:TEXT_PROBE_PAGES])


def _has_text(page: PageObject) -> bool:
    # A pypdf extraction bug must not refuse a page a person can read: it only means "no text found".
    try:
        return bool(page.extract_text().strip())
    except Exception:
        return False
