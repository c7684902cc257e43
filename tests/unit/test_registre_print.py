"""The CCN registre as a reader prints and reads it (issue 13), opened with openpyxl: print setup of every
sheet, French number formats, no `###` on the Synthèse sheet, the chart's helper cells hidden, an integer x
axis, a running total that leaves waiting-list dossiers out, and the registre of one séance of the CCN."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ami.domain import registre
from ami.domain.models import Dossier, DossierStatus, Seance, SeanceCcn, Suivi
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from scoring_data import BAILLEUR, dossier

CCN = date(2025, 3, 31)
NOW = datetime(2025, 3, 28, 15, 0, tzinfo=UTC)
SEANCE = SeanceCcn(seance_id="CCN-2025-04-10", date_seance=date(2025, 4, 10))
CUMUL = "Principal cumulé (dans l'enveloppe)"


def presented(seance: SeanceCcn) -> Suivi:
    """What the lifecycle records when the dossier is presented at that sitting."""
    return Suivi(ccn=Seance(libelle=seance.seance_id, le=seance.date_seance))


def dossiers() -> list[Dossier]:
    out = [dossier(i, sent_at=datetime(2025, 3, i, 9, 0, tzinfo=UTC)) for i in range(1, 6)]
    out[2] = out[2].model_copy(update={"status": DossierStatus.LISTE_ATTENTE})  # n° 3 waits: outside the envelope
    return out


@pytest.fixture
def book(tmp_path: Path) -> Any:
    out = tmp_path / "registre.xlsx"
    assert registre.write(str(out), dossiers(), {BAILLEUR.siren: BAILLEUR}, CCN, NOW) == 5
    return load_workbook(out)


def test_every_sheet_prints_landscape_a4_fitted_to_the_width_with_the_header_repeated(book: Any) -> None:
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title  # one page wide, as tall as needed
    assert book["Dossiers"].print_title_rows == "$1:$1"


def test_the_chart_is_on_a_printed_page_of_its_own(book: Any) -> None:
    ws = book["Synthèse"]
    (chart,) = ws._charts
    anchor_row = chart.anchor._from.row + 1  # 0-based in the drawing
    last_table_row = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None)
    (brk,) = ws.row_breaks.brk
    assert last_table_row <= brk.id < anchor_row  # a page break between the tables and the chart


def test_numbers_have_french_formats(book: Any) -> None:
    ws = book["Dossiers"]
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    for title in ("Prêt foncier", "Principal total", CUMUL):
        assert row[title].number_format.startswith("[$-40C]") and row[title].number_format.endswith('"€"')
    assert row["Déposé le (heure de Paris)"].number_format == "[$-40C]dd/mm/yyyy hh:mm:ss"
    assert row["Loyer / plafond"].number_format == "[$-40C]0.0%"
    synth = book["Synthèse"]
    amounts = [c for r in synth.iter_rows() for c in r if isinstance(c.value, int | float) and c.value > 1000]
    assert amounts and all(c.number_format.startswith("[$-40C]") for c in amounts)


def _shown(value: Any, fmt: str) -> str:
    """What a reader sees in the cell, near enough to measure its width."""
    if isinstance(value, datetime):
        return "31/03/2025 23:59:59" if "hh" in fmt else "31/03/2025"
    if isinstance(value, int | float) and "€" in fmt:
        return f"{value:,.2f} €"
    if isinstance(value, int | float) and "%" in fmt:
        return f"{value * 100:.1f} %"
    return str(value)


def test_no_column_of_the_synthese_is_too_narrow_for_its_numbers(book: Any) -> None:
    ws = book["Synthèse"]
    checked = 0
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, int | float | datetime) and not ws.column_dimensions[c.column_letter].hidden:
                width = ws.column_dimensions[c.column_letter].width
                assert len(_shown(c.value, c.number_format)) + 2 <= width, (c.coordinate, c.value, width)
                checked += 1
    assert checked >= 10
    assert ws.column_dimensions["B"].width >= len("600 000 000,00 €") + 2


def test_the_chart_helper_cells_are_hidden_and_still_plotted(book: Any) -> None:
    ws = book["Synthèse"]
    (chart,) = ws._charts
    _, envelope_line = chart.series
    ref = envelope_line.yVal.numRef.f  # 'Synthèse'!$I$2:$I$3
    letter = ref.split("!")[1].split("$")[1]
    xletter = envelope_line.xVal.numRef.f.split("!")[1].split("$")[1]
    assert ws.column_dimensions[letter].hidden and ws.column_dimensions[xletter].hidden
    assert column_index_from_string(letter) == registre.ENVELOPE_POINTS_COL + 1
    # Hidden cells are plotted only when the chart says so (Excel leaves them out by default).
    assert chart.visible_cells_only is False
    visible = [c.column_letter for r in ws.iter_rows() for c in r
               if c.value is not None and ws.column_dimensions[c.column_letter].hidden]
    assert set(visible) == {letter, xletter}  # nothing else sits in the hidden columns


def test_the_x_axis_shows_whole_deposit_numbers(book: Any) -> None:
    (chart,) = book["Synthèse"]._charts
    x = chart.x_axis
    assert x.majorUnit == 1 and x.number_format.formatCode == "0" and x.number_format.sourceLinked is False
    assert (x.scaling.min, x.scaling.max) == (1, 5)
    assert x.delete is False and chart.y_axis.number_format.formatCode.startswith("[$-40C]")


def test_the_axis_step_stays_whole_for_many_dossiers(tmp_path: Path) -> None:
    many = [dossier(i, sent_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC)) for i in range(1, 46)]
    out = tmp_path / "r.xlsx"
    registre.write(str(out), many, {BAILLEUR.siren: BAILLEUR}, CCN, NOW)
    (chart,) = load_workbook(out)["Synthèse"]._charts
    assert chart.x_axis.majorUnit == 3 and float(chart.x_axis.majorUnit).is_integer()


def test_the_running_total_leaves_waiting_list_dossiers_out(book: Any) -> None:
    ws = book["Dossiers"]
    header = [c.value for c in ws[1]]
    i, total = header.index(CUMUL), header.index("Principal total")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    each = rows[0][total]
    # n° 3 is on the waiting list: the total does not grow with it, and goes on from there.
    assert [r[i] for r in rows] == pytest.approx([each, 2 * each, 2 * each, 3 * each, 4 * each])
    synth = {r[0]: r[1] for r in book["Synthèse"].iter_rows(values_only=True) if r and r[0]}
    assert synth["Principal des dossiers numérotés"] == pytest.approx(4 * each)
    assert synth["Principal des dossiers en liste d'attente (hors enveloppe)"] == pytest.approx(each)


def test_the_registre_of_one_seance_holds_its_dossiers_only(tmp_path: Path) -> None:
    ds = dossiers()
    other = SeanceCcn(seance_id="CCN-2025-05-15", date_seance=date(2025, 5, 15))
    ds[1] = ds[1].model_copy(update={"suivi": presented(SEANCE)})
    ds[4] = ds[4].model_copy(update={"suivi": presented(SEANCE)})
    ds[0] = ds[0].model_copy(update={"suivi": presented(other)})
    assert [s.seance_id for s in registre.seances(ds)] == ["CCN-2025-04-10", "CCN-2025-05-15"]
    assert registre.find_seance(ds, "CCN-2025-04-10") == SEANCE and registre.find_seance(ds, "CCN-X") is None
    out = tmp_path / "seance.xlsx"
    assert registre.write(str(out), ds, {BAILLEUR.siren: BAILLEUR}, CCN, NOW, seance=SEANCE) == 2
    wb = load_workbook(out)
    assert [r[0] for r in wb["Dossiers"].iter_rows(min_row=2, values_only=True)] == [2, 5]
    synth = wb["Synthèse"]
    assert synth["A1"].value == "Registre de la Commission de Crédit Nationale du 10/04/2025 (séance CCN-2025-04-10)"
    assert synth["B3"].value == datetime(2025, 4, 10) and synth["A3"].value == "Dossiers de la séance"
    # A séance nobody is presented at: an empty registre, which still opens.
    empty = tmp_path / "vide.xlsx"
    assert registre.write(str(empty), ds, {}, CCN, NOW, seance=SeanceCcn(seance_id="CCN-2025-06-01",
                                                                       date_seance=date(2025, 6, 1))) == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice n'est pas installé sur ce poste")
def test_a_reader_in_another_locale_still_sees_french_numbers(book: Any, tmp_path: Path) -> None:
    """LibreOffice in the C locale, exporting the cells as shown: commas for decimals, spaces for thousands."""
    path = tmp_path / "registre.xlsx"
    book.save(path)
    done = subprocess.run(["soffice", "--headless", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true", "--outdir", str(tmp_path),
                           str(path)], capture_output=True, timeout=180, check=False,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    shown = (tmp_path / "registre.csv").read_text(encoding="utf-8")
    assert done.returncode == 0, done.stderr
    total = dossier(1).loan_total
    units, cents = f"{total:.2f}".split(".")
    french = f"{int(units):,}".replace(",", "\u00a0") + f",{cents} €"
    assert french.replace("\u00a0", " ") in shown.replace("\u00a0", " ").replace("\u202f", " ")
    assert f"{int(units):,}.{cents}" not in shown
    assert Decimal(units) > 1000


def test_ami_registre_per_seance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import InMemoryStore
    from typer.testing import CliRunner

    from infra import cli_ccn
    from infra.cli import app

    store = InMemoryStore()
    store.register_bailleur(BAILLEUR)
    for d in dossiers():
        store.t.dossiers[d.dossier_id] = d.model_copy(update={"suivi": presented(SEANCE)} if d.deposit_number in (1, 4)
                                                      else {})
    monkeypatch.setattr(cli_ccn, "_store", lambda: store)
    out = tmp_path / "r.xlsx"
    done = CliRunner().invoke(app, ["registre", "--seance", "CCN-2025-04-10", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "2 dossiers de la séance CCN-2025-04-10 du 10/04/2025" in " ".join(done.output.split())
    assert [r[0] for r in load_workbook(out)["Dossiers"].iter_rows(min_row=2, values_only=True)] == [1, 4]
    unknown = CliRunner().invoke(app, ["registre", "--seance", "CCN-2099-01-01", "-o", str(out)])
    assert unknown.exit_code == 1 and "séances connues : CCN-2025-04-10" in " ".join(unknown.output.split())
    both = CliRunner().invoke(app, ["registre", "--seance", "X", "--ccn", "2025-03-31", "-o", str(out)])
    assert both.exit_code == 2 and "soit --ccn" in both.output
    by_date = CliRunner().invoke(app, ["registre", "--ccn", "2025-03-31", "-o", str(out)])
    assert by_date.exit_code == 0 and "5 dossiers déposés jusqu'au 31/03/2025" in " ".join(by_date.output.split())
