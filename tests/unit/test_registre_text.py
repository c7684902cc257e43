"""User text in the CCN registre: written as text whatever it starts with, shown as typed, never a formula.

Read back three ways: the sheet's XML (no `<f>` element at all), openpyxl (data type and value)
and python-calamine (the value a spreadsheet application shows).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from ami.domain import registre, scoring
from ami.domain.models import Bailleur, Dossier
from openpyxl import load_workbook
from scoring_data import BAILLEUR, dossier

CCN = date(2025, 3, 31)
NOW = datetime(2025, 3, 28, 15, 0, tzinfo=UTC)

PAYLOADS = [
    '=HYPERLINK("http://exemple.invalid/","Cliquez ici")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(1;2)",
    "\t=1+1",
    "\n=1+1",
    "#N/A",
    " =1+1",
]


def with_text(text: str) -> tuple[Dossier, Bailleur]:
    """A numbered, scored dossier whose bailleur, operation and override justification are `text`,
    as if stored before the API refused anything (no validation on the way)."""
    d = dossier(1)
    op = d.form.operation.model_copy(update={"nom": text})
    d = d.model_copy(update={"form": d.form.model_copy(update={"operation": op})})
    from ami.domain.scoring import Fact, score_dossier
    from scoring_data import referentiels

    rec = score_dossier(d, {"distance_transport_m": Fact(valeur="250")}, referentiels())
    rec = scoring.override(rec, "surfaces", Decimal("2"), justification(text), "instructeur", NOW)
    return d.model_copy(update={"scoring": rec}), BAILLEUR.model_copy(update={"raison_sociale": text})


def justification(text: str) -> str:
    return text if len(text.strip()) >= 10 else f"{text} (relevé au plan)"


def written(text: str) -> bytes:
    d, b = with_text(text)
    return registre.to_bytes([d], {b.siren: b}, CCN, NOW)


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def columns(ws: Any) -> dict[str, int]:
    return {c.value: i for i, c in enumerate(ws[1])}


@pytest.mark.parametrize("text", PAYLOADS)
def test_user_text_is_never_a_formula(text: str) -> None:
    data = written(text)
    assert not re.search(r"<(\w+:)?f[ >]", sheet_xml(data)), "a formula was written"
    ws = load_workbook(io.BytesIO(data))["Dossiers"]
    col = columns(ws)
    row = next(ws.iter_rows(min_row=2, max_row=2))
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    for title in ("Bailleur", "Opération"):
        cell = row[col[title]]
        assert cell.data_type == "s" and cell.value == text, title
        assert cell.quotePrefix is True, title  # Excel keeps it text even when the cell is edited
    assert justification(text).strip() in row[col["Surcharges"]].value


@pytest.mark.parametrize("text", PAYLOADS)
def test_calamine_shows_the_text_as_typed(text: str) -> None:
    calamine = pytest.importorskip("python_calamine", reason="python-calamine is a dev dependency")
    rows: list[list[Any]] = calamine.CalamineWorkbook.from_filelike(io.BytesIO(written(text))).get_sheet_by_name(
        "Dossiers").to_python()
    header = rows[0]
    assert rows[1][header.index("Bailleur")] == text
    assert rows[1][header.index("Opération")] == text


def test_ordinary_text_stays_a_plain_cell() -> None:
    ws = load_workbook(io.BytesIO(written("Résidence « Les Tilleuls » – tranche 2")))["Dossiers"]
    cell = next(ws.iter_rows(min_row=2, max_row=2))[columns(ws)["Opération"]]
    assert cell.value == "Résidence « Les Tilleuls » – tranche 2" and cell.data_type == "s"
    assert not cell.quotePrefix


def test_a_control_character_already_stored_does_not_take_the_registre_down() -> None:
    data = written("Habitat\x0bExemple\x00\x01")
    ws = load_workbook(io.BytesIO(data))["Dossiers"]
    row = next(ws.iter_rows(min_row=2, max_row=2))
    assert row[columns(ws)["Bailleur"]].value == "Habitat\ufffdExemple\ufffd\ufffd"
