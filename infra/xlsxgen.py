"""Tableaux de programmation for tests, benchmarks and the demo: generated rows with their ground truth, in
several bailleurs' styles, and hostile workbooks (macros, zip bomb, external link, encryption, 100,000 rows)."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from ami.domain.drom import OperationRow
from ami.domain.models import FILIERES
from ami.domain.programmation import COLUMNS, NATURES, ROWS_TAB, SYNTHESIS_HEADERS, SYNTHESIS_TAB, synthesis_of

Style = Literal["modele", "lignes_vides", "colonnes_reordonnees", "nombres_texte", "titre_fusionne"]
COMMUNES = {"971": "97101", "972": "97209", "973": "97302", "974": "97411", "976": "97611"}


def operations(n: int, departement: str = "974", seed: int = 1) -> list[OperationRow]:
    """`n` plausible operations (the ground truth a reading must find)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        nature = rnd.choice(list(NATURES))
        out.append(OperationRow(
            line=0, reference=f"OP-{i + 1:05d}", nom=f"Résidence {i + 1}", commune=COMMUNES[departement],
            filiere=rnd.choice(list(FILIERES)), nature=nature, logements=rnd.randint(1, 120),
            montant=Decimal(rnd.randint(50_000, 9_000_000)) + Decimal(rnd.randint(0, 99)) / 100,
            date_agrement=None if nature in ("rehabilitation", "demolition") else dt.date(
                2024, rnd.randint(1, 9), rnd.randint(1, 28)),
            date_os=dt.date(2025, 3, 1) if nature == "rehabilitation" else None,
            date_demolition=dt.date(2026, 6, 1) if "demolition" in nature else None,
            acv=False, dpe=rnd.choice("ABCD"), rtaa=rnd.random() < 0.7,
            lien_emploi="Zone d'activité à 2 km" if rnd.random() < 0.9 else None))
    return out


def _fr_number(value: Decimal | int) -> str:
    whole, _, cents = f"{value:.2f}".partition(".") if isinstance(value, Decimal) else (str(value), "", "")
    grouped = f"{int(whole):,}".replace(",", "\u202f")
    return f"{grouped},{cents} €" if cents else grouped


def workbook(rows: Sequence[OperationRow], style: Style = "modele", synthesis: Literal["valeurs", "formules"]
             = "valeurs", tamper: dict[str, int] | None = None) -> bytes:
    """A filled tableau de programmation. `synthesis`: the tab as Excel saves it (values) or as the template has
    it (formulas); `tamper` adds to a filière's figure in the tab ({"LLS": 1} adds one operation)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = ROWS_TAB
    columns = list(COLUMNS)
    if style == "colonnes_reordonnees":
        required = [c for c in columns if c.required]
        columns = list(reversed([c for c in columns if not c.required])) + required[::-1]
    top = 1
    if style == "titre_fusionne":
        ws.cell(row=1, column=1, value="Programmation prévisionnelle 2024 — bailleur")
        ws.merge_cells(start_row=1, start_column=1, end_row=2, end_column=len(columns))
        top = 3
    for i, column in enumerate(columns, start=1):
        ws.cell(row=top, column=i, value=column.label)
    r = top + 1
    for index, row in enumerate(rows):
        if style == "lignes_vides" and index % 7 == 3:
            r += 1
        for i, column in enumerate(columns, start=1):
            value = getattr(row, column.key)
            if column.key == "filiere":
                value = FILIERES[value] if index % 2 else value
            elif column.key == "nature":
                value = NATURES[value]
            elif column.type == "oui_non":
                value = None if value is None else ("Oui" if value else "Non")
            elif style == "nombres_texte" and column.type in ("int", "euros"):
                value = _fr_number(value)
            elif style == "nombres_texte" and column.type == "date" and value is not None:
                value = value.strftime("%d/%m/%Y")
            elif column.type == "euros":
                value = float(value)
            ws.cell(row=r, column=i, value=value)
        r += 1
    tab = wb.create_sheet(SYNTHESIS_TAB)
    for i, header in enumerate(SYNTHESIS_HEADERS, start=1):
        tab.cell(row=1, column=i, value=header)
    computed = {line.filiere: line for line in synthesis_of(rows)}
    from ami.domain.programmation import _formulas

    for rr, code in enumerate(FILIERES, start=2):
        tab.cell(row=rr, column=1, value=code)
        line = computed.get(code)
        figures: list[int | float] = (
            [line.operations, line.logements, float(line.montant_pret_eur)] if line else [0, 0, 0])
        if tamper and code in tamper:
            figures[0] += tamper[code]
        for c, value in enumerate(figures, start=2):
            tab.cell(row=rr, column=c, value=_formulas(rr)[c - 2] if synthesis == "formules" else value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(data: bytes, extra: dict[str, bytes], content_types: bytes | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_types is not None:
                body = content_types
            dst.writestr(info.filename, body)
        for name, body in extra.items():
            dst.writestr(name, body)
    return out.getvalue()


def with_macros(data: bytes) -> bytes:
    """The same workbook saved as .xlsm: a VBA project and the macro-enabled content type."""
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    return _rezip(data, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 508}, types)


def with_external_link(data: bytes) -> bytes:
    return _rezip(data, {"xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main"/>'})


def zip_bomb(data: bytes, megabytes: int = 200) -> bytes:
    """A workbook with one part that inflates to `megabytes` (a few hundred kilobytes compressed)."""
    out = io.BytesIO(_rezip(data, {}))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst, dst.open("xl/media/padding.bin", "w") as part:
        chunk = b"\0" * 1_048_576
        for _ in range(megabytes):
            part.write(chunk)
    return out.getvalue()


def encrypted() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE2 container holding `EncryptedPackage`."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500
