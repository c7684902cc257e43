"""Text that people type, checked at the boundary: no control, invisible or direction-changing characters.

One control character in a name (`\\x0b`, `\\x00`) made the CCN registre unwritable for every
instructor (openpyxl refuses it, and XML cannot carry it); bidi overrides and zero-width characters
make a name read differently from what it is. So the API's input models refuse them, with a French
message naming the field (see `ami.domain.validation_fr`), instead of storing them.

Refused everywhere: C0 and C1 controls and DEL (in multi-line fields, tab, line feed and carriage
return are allowed), format characters (Unicode category Cf: bidi embeddings, overrides and
isolates, LRM/RLM, zero-width space/joiners, word joiner, BOM, soft hyphen…), lone surrogates,
noncharacters (U+FFFE, U+FFFF…), and line or paragraph separators in single-line fields.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

MULTILINE_ALLOWED = frozenset("\t\n\r")
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unicode category Cf covers these; listed for the message, which names the kind of character.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")
LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85\x0b\x0c")

# Error types, stable: `ami.domain.validation_fr` turns them into French sentences.
CONTROL = "texte_caractere_controle"
INVISIBLE = "texte_caractere_invisible"
DIRECTION = "texte_caractere_direction"
LINE_BREAK = "texte_retour_ligne"


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def first_forbidden(text: str, multiline: bool = False) -> tuple[str, str] | None:
    """The first character `text` may not hold, as (error type, "U+XXXX"); None when it is clean."""
    for ch in text:
        cp = ord(ch)
        if cp >= 0x20 and cp != 0x7F and not 0x80 <= cp <= 0x9F and cp < 0xAD:
            continue  # printable ASCII and Latin-1: the common case, decided without a lookup
        code = f"U+{cp:04X}"
        if multiline and ch in MULTILINE_ALLOWED:
            continue
        if ch in LINE_BREAKS:
            return LINE_BREAK, code
        if ch in BIDI:
            return DIRECTION, code
        category = unicodedata.category(ch)
        if category == "Cc":
            return CONTROL, code
        if category in ("Cf", "Cs") or ch in ZERO_WIDTH or _is_noncharacter(cp):
            return INVISIBLE, code
    return None


def check(text: str, multiline: bool = False) -> str:
    found = first_forbidden(text, multiline)
    if found is not None:
        kind, code = found
        # The message is replaced by a French sentence naming the field (ami.domain.validation_fr); the
        # character is given by its code point, never as typed.
        raise PydanticCustomError(kind, "caractère interdit {caractere}", {"caractere": code})
    return text


def _single_line(value: object) -> object:
    return check(value) if isinstance(value, str) else value


def _multi_line(value: object) -> object:
    return check(value, multiline=True) if isinstance(value, str) else value


# Checked before any stripping: "\t=1+1" is refused, not silently turned into "=1+1".
SingleLine = BeforeValidator(_single_line)
MultiLine = BeforeValidator(_multi_line)

SingleLineText = Annotated[str, SingleLine]
MultiLineText = Annotated[str, MultiLine]
