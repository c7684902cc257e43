"""One loan line of a lettre d'offre as the readers fill it in: the text readers (`lettre_offre`, `prose`) by
offsets in the text, the table readers (`tables`) by `Placed` values read from the page's geometry."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ami.domain.extraction.tables import Placed


@dataclass
class LoanLine:
    """What one loan line says: name -> (value, start, end, confidence) for what was read in the text, and
    name -> `Placed` (page, source) for what was read from the page's geometry."""

    anchor: int
    values: dict[str, tuple[str | int, int, int, float]] = field(default_factory=dict)
    placed: dict[str, Placed] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.values or name in self.placed

    def put(self, name: str, value: str | int, start: int, end: int, confidence: float) -> None:
        if not self.has(name):
            self.values[name] = (value, start, end, confidence)

    def amount(self) -> Decimal | None:
        found = self.values.get("montant_eur")
        if found:
            return Decimal(str(found[0]))
        placed = self.placed.get("montant_eur")
        return Decimal(str(placed.value)) if placed else None
