"""Text typed by users, written into a workbook as text: shown as typed, never run as a formula.

openpyxl writes a string that starts with `=` as a live formula, and `#N/A`-like strings as error
values; Excel re-reads a cell that starts with `=`, `+`, `-`, `@` (or a tab or line break before
them) as a formula as soon as someone edits it. So such a text becomes an explicit string cell
(`t="inlineStr"`: the file holds the characters, no `<f>`) with the « quotePrefix » style, Excel's
own way of saying « this is text » (the apostrophe is a style, not a character of the value: the
cell shows and holds exactly what was typed).

Characters no worksheet can hold (C0 controls but tab and line breaks, surrogates, U+FFFE/U+FFFF)
are replaced by U+FFFD, so that one bad name already stored cannot make the registre unwritable;
the API refuses them at the boundary (ami.domain.textsafety).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
# What XML 1.0 (and so a worksheet) cannot carry.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def clean(text: str) -> str:
    return UNWRITABLE.sub(REPLACEMENT, text)


def needs_text_cell(text: str) -> bool:
    """Would a plain string be read or re-read as something other than this text?"""
    return text.lstrip(" \t\r\n").startswith(FORMULA_STARTS) or text.strip() in ERROR_VALUES


def set_text(cell: Any, text: str) -> Any:
    """Make `cell` hold `text` as a string, whatever it starts with."""
    cell.value = None
    cell._value = clean(text)  # the exact text, past openpyxl's formula and error-value detection
    cell.data_type = "s"
    cell.quotePrefix = needs_text_cell(text)
    return cell


def assign(cell: Any, value: Any) -> Any:
    """`cell.value = value`, texts kept as texts."""
    if isinstance(value, str):
        return set_text(cell, value)
    cell.value = value
    return cell


def text_cells(ws: Any, values: Sequence[Any]) -> list[Any]:
    """A row for `ws.append` (write-only sheet) where every text is written as typed."""
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value in values:
        if isinstance(value, str):
            text = clean(value)
            out.append(set_text(WriteOnlyCell(ws), value) if needs_text_cell(text) else text)
        else:
            out.append(value)
    return out
