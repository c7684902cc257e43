"""Where an unexpected exception happened, without what it said.

A traceback's last line repeats the exception's message, and messages quote their input
(openpyxl's IllegalCharacterError quotes the whole cell, a KeyError its key): a name, an address, an
amount typed by a bailleur would end up in the logs. This keeps the exception types and the frames
(file, line, function) and drops every message and every local value.
"""

from __future__ import annotations

import traceback
from pathlib import Path

MAX_FRAMES = 12
MAX_CHAIN = 3


def _frames(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-MAX_FRAMES:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)) or "?"


def where(exc: BaseException) -> str:
    """« RuntimeError à app.py:42 view < … ; causée par KeyError à store.py:7 get » (types and frames only)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(parts) < MAX_CHAIN:
        seen.add(id(current))
        parts.append(f"{type(current).__name__} à {_frames(current)}")
        current = current.__cause__ or current.__context__
    return " ; causée par ".join(parts)
