"""The CCN registre, read back with openpyxl (and python-calamine): values, types, order, formats,
frozen header, autofilter, conditional formatting, summary, chart and grid."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ami.domain import registre, scoring
from ami.domain.models import Dossier
from ami.domain.scoring import Fact, score_dossier
from openpyxl import load_workbook
from scoring_data import BAILLEUR, dossier, referentiels

FACTS = {"distance_transport_m": Fact(valeur="250"), "dpe_classe": Fact(valeur="A", piece="dossier_presentation",
                                                                        page=2)}
CCN = date(2025, 3, 31)
NOW = datetime(2025, 3, 28, 15, 0, tzinfo=UTC)


def scored(d: Dossier, facts: dict[str, Fact] | None = None) -> Dossier:
    refs = referentiels(insee=d.form.operation.commune_insee or "")
    return d.model_copy(update={"scoring": score_dossier(d, FACTS if facts is None else facts, refs)})


def dossiers() -> list[Dossier]:
    first = scored(dossier(1, sent_at=datetime(2025, 3, 3, 9, 30, 15, tzinfo=UTC)))
    first = first.model_copy(update={"scoring": scoring.override(
        first.scoring, "surfaces", Decimal("2"), "Surfaces relevées au plan inférieures.", "instructeur:x",
        NOW)})
    second = scored(dossier(2, sent_at=datetime(2025, 3, 4, 23, 30, tzinfo=UTC), commune_insee="23096",
                            loyer_mensuel_total_eur="12000"))  # Guéret, zone C, rent above the C ceiling
    third = dossier(3, sent_at=datetime(2025, 3, 5, 8, 0, tzinfo=UTC), commune_insee="75056")  # not scored yet
    late = scored(dossier(4, sent_at=datetime(2025, 3, 31, 22, 30, tzinfo=UTC)))  # 1 April in Paris: after the CCN
    return [third, late, second, first]  # any order in, deposit-number order out


@pytest.fixture
def path(tmp_path: Path) -> Path:
    out = tmp_path / "registre.xlsx"
    n = registre.write(str(out), dossiers(), {BAILLEUR.siren: BAILLEUR}, CCN, NOW)
    assert n == 3
    return out


def test_dossiers_sheet_values_types_and_order(path: Path) -> None:
    wb = load_workbook(path)
    assert wb.sheetnames == ["Dossiers", "Synthèse", "Grille"]
    ws = wb["Dossiers"]
    header = [c.value for c in ws[1]]
    assert header[:10] == ["N° de dépôt", "Déposé le (heure de Paris)", "Bailleur", "SIREN", "Forme juridique",
                           "Opération", "Commune", "Code INSEE", "Région", "Zone"]
    col = {title: i for i, title in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [1, 2, 3]
    first, second, third = rows
    assert first[col["Déposé le (heure de Paris)"]].value == datetime(2025, 3, 3, 10, 30, 15)
    assert second[col["Déposé le (heure de Paris)"]].value == datetime(2025, 3, 5, 0, 30)  # Paris, next day
    assert first[col["Déposé le (heure de Paris)"]].number_format == registre.DATETIME
    assert first[col["SIREN"]].value == "732829320" and first[col["SIREN"]].data_type == "s"
    assert first[col["Code INSEE"]].value == "69123" and first[col["Commune"]].value == "Lyon"
    assert first[col["Région"]].value == "Auvergne-Rhône-Alpes" and first[col["Zone"]].value == "A"
    assert first[col["Forme juridique"]].value == "SA d'HLM (art. L.422-2 du CCH)"
    assert first[col["T2"]].value == 10 and isinstance(first[col["T2"]].value, int)
    assert first[col["Logements"]].value == 15 and isinstance(first[col["Logements"]].value, int)
    assert first[col["Prêt foncier"]].value == pytest.approx(1000000.10)
    assert first[col["Prêt foncier"]].number_format == registre.EUROS
    assert first[col["Durée foncier (mois)"]].value == 600
    assert first[col["Principal total"]].value == pytest.approx(3500000.10)
    cumul = col["Principal cumulé (dans l'enveloppe)"]
    assert [r[cumul].value for r in rows] == pytest.approx([3500000.10, 7000000.20, 10500000.30])
    assert first[col["Principal cumulé (dans l'enveloppe)"]].number_format == registre.EUROS
    assert first[col["Loyer (€/m² SU/mois)"]].value == pytest.approx(12.63)
    # each dwelling's own ceiling: 10 T2 of 58 m² SU at 14,92 €/m², 5 T3 of 74 m² at 13,91 €/m²
    assert first[col["Plafond LLI (€/m² SU/mois)"]].value == pytest.approx(14.53)
    assert first[col["Loyer / plafond"]].value == pytest.approx(0.8695)
    assert first[col["Loyer / plafond"]].number_format == registre.PERCENT
    # the override is retained and the computed score stays beside it
    assert first[col["Score P2 calculé (/100)"]].value == pytest.approx(77.50)
    assert first[col["Score P2 retenu (/100)"]].value == pytest.approx(74.50)
    assert first[col["Données manquantes, à fournir par"]].value is None
    surf = next(t for t in header if t.startswith("Conception : surface"))
    assert first[col[surf]].value == 2
    assert "surfaces : 5.00 → 2.00" in first[col["Surcharges"]].value
    assert first[col["Contrôles ouverts"]].value == 0 and first[col["Détail des contrôles ouverts"]].value is None
    # zone C and rent above ceiling: findings for the instructor, scored all the same
    assert second[col["Zone"]].value == "C" and second[col["Contrôles ouverts"]].value == 2
    detail = second[col["Détail des contrôles ouverts"]].value
    assert "Éligibilité : Commune en zone C" in detail and "Éligibilité : Loyer au-dessus du plafond LLI" in detail
    assert "T2 (10 logements de 58 m² SU) : 13,10 €/m² SU pour un plafond de 10,45 €/m² SU" in detail
    assert second[col["Loyer / plafond"]].value > 1
    # not scored yet: said, cells empty rather than zero
    assert third[col["Score P2 retenu (/100)"]].value is None
    assert third[col["Détail des contrôles ouverts"]].value == "Score de priorité 2 non calculé."


def test_dossiers_sheet_layout(path: Path) -> None:
    ws = load_workbook(path)["Dossiers"]
    last = ws.max_column
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:{registre._col(last)}4"
    assert ws.column_dimensions["C"].width == 30 and ws.column_dimensions["A"].width == 9
    assert ws["A1"].font.bold
    ranges = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
    checks = registre._col(last - 1)
    assert ranges[f"A2:{registre._col(last)}4"] == ["expression"]
    assert ranges[f"{checks}2:{checks}4"] == ["cellIs"]
    assert len(ranges) == 3


def test_summary_chart_and_grid(path: Path) -> None:
    wb = load_workbook(path)
    ws = wb["Synthèse"]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert values["Enveloppe"] == 600_000_000
    assert values["Dossiers au registre"] == 3
    assert values["Principal des dossiers numérotés"] == pytest.approx(3 * 3500000.10)
    assert values["Restant (enveloppe − numérotés)"] == pytest.approx(600_000_000 - 3 * 3500000.10)
    assert values["Dossiers numérotés déposés jusqu'au (inclus)"] == datetime(2025, 3, 31)
    assert values["Auvergne-Rhône-Alpes"] == 1 and values["Île-de-France"] == 1 and values["C"] == 1
    assert ws["B5"].number_format == registre.EUROS and ws["B5"].value == 600_000_000
    (chart,) = ws._charts
    cumul, envelope_line = chart.series
    assert cumul.yVal.numRef.f == "'Dossiers'!$X$2:$X$4" and cumul.xVal.numRef.f == "'Dossiers'!$A$2:$A$4"
    assert envelope_line.yVal.numRef.f == "'Synthèse'!$I$2:$I$3"
    assert [ws["H2"].value, ws["I2"].value, ws["H3"].value, ws["I3"].value] == [1, 600_000_000, 3, 600_000_000]
    grid = {r[0]: r[1:] for r in wb["Grille"].iter_rows(values_only=True) if r and r[0]}
    assert grid["Grille de notation (priorité 2)"][0] == "2026.1"
    assert grid["niveau_loyer"][2] == 20
    assert "dynamisme_economique : dynamisme_economique v1" in grid["Référentiels utilisés par les scores"][0]
    assert "chaque logement" in grid["Coefficient"][0]
    assert "2 terdecies F" in grid["Plafonds outre-mer"][0]
    assert "non évalué outre-mer" in grid["Années"][0]


def test_a_dossier_scored_without_referentials_says_so_and_who_provides_them(tmp_path: Path) -> None:
    d = dossier(1)
    d = d.model_copy(update={"scoring": score_dossier(d, FACTS, {})})
    out = tmp_path / "r.xlsx"
    registre.write(str(out), [d], {BAILLEUR.siren: BAILLEUR}, CCN, NOW)
    ws = load_workbook(out)["Dossiers"]
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    by = dict(zip(header, row, strict=True))
    assert by["Données manquantes, à fournir par"] == "exploitation : dynamisme_economique, saturation_demande_li"
    assert by["Points non évalués"] == 30 and by["Contrôles ouverts"] == 2
    assert "aucun référentiel « dynamisme_economique » n'a été importé" in by["Détail des contrôles ouverts"]
    grid = {r[0]: r[1:] for r in load_workbook(out)["Grille"].iter_rows(values_only=True) if r and r[0]}
    assert "dynamisme_economique : absent" in grid["Référentiels utilisés par les scores"][0]


def test_read_back_with_calamine(path: Path) -> None:
    calamine = pytest.importorskip("python_calamine", reason="python-calamine is a dev dependency")
    book = calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Dossiers", "Synthèse", "Grille"]
    rows: list[list[Any]] = book.get_sheet_by_name("Dossiers").to_python()
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    assert rows[1][1] == datetime(2025, 3, 3, 10, 30, 15) and rows[1][3] == "732829320"
    assert rows[1][22] == pytest.approx(3500000.10)


def test_an_empty_registre_still_opens(tmp_path: Path) -> None:
    out = tmp_path / "vide.xlsx"
    assert registre.write(str(out), [], {}, CCN, NOW) == 0
    wb = load_workbook(out)
    ws = wb["Dossiers"]
    assert ws.max_row == 1 and ws.auto_filter.ref == f"A1:{registre._col(ws.max_column)}1"


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice n'est pas installé sur ce poste : rendu PDF headless non vérifié")
def test_renders_headless_with_libreoffice(path: Path, tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office
    done = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, timeout=180, check=False)
    pdf = tmp_path / "registre.pdf"
    assert done.returncode == 0 and pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), done.stderr
    # Printed as set up: landscape A4, fitted to the width (19 pages for 3 dossiers before issue 13): the
    # Dossiers sheet, the Synthèse's tables, its chart on a page of its own, the Grille.
    from pypdf import PdfReader

    pages = PdfReader(pdf).pages
    assert len(pages) == 4
    assert all(round(float(pg.mediabox.width)) == 842 and round(float(pg.mediabox.height)) == 595 for pg in pages)
