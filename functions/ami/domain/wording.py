"""French counts, agreed with their number (DESIGN §8: never « courriel(s) »)."""

from __future__ import annotations


def compte(n: int, singulier: str, pluriel: str | None = None) -> str:
    """« 0 courriel », « 1 courriel », « 3 courriels » (French takes the singular below two)."""
    return f"{n} {singulier if abs(n) < 2 else (pluriel or singulier + 's')}"
