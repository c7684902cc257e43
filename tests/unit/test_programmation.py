"""The DROM tableau de programmation: the template, generated workbooks read against their ground truth in
several bailleurs' styles, and hostile workbooks refused with their French reason."""

from __future__ import annotations

import io

import pytest
from ami.domain import programmation
from ami.domain.dispositif import dispositif
from ami.domain.drom import priorities
from ami.domain.errors import PieceRefused
from ami.domain.programmation import ROWS_TAB, SYNTHESIS_TAB, examine, synthesis_of, template

from infra import xlsxgen

RULES = dispositif("drom-2024").pieces["tableau_programmation"]
ROWS = xlsxgen.operations(40, seed=7)


def refusal(data: bytes) -> PieceRefused:
    with pytest.raises(PieceRefused) as refused:
        examine(data, RULES)
    return refused.value


def truth(rows: list[programmation.OperationRow]) -> list[tuple[object, ...]]:
    return [(r.reference, r.filiere, r.nature, r.logements, r.montant, r.date_agrement, r.dpe, r.rtaa)
            for r in rows]


def test_the_template_has_its_tabs_lists_and_protected_headers() -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template([("97411", "Saint-Denis")])))
    ws = wb[ROWS_TAB]
    assert ws.protection.sheet and ws["A1"].protection.locked
    assert [c.value for c in ws[1]][:3] == ["Référence de l'opération", "Nom de l'opération", "Commune (code INSEE)"]
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "=Listes!$A$1:$A$5" in lists and "=Listes!$C$1:$C$1" in lists
    assert wb[SYNTHESIS_TAB]["B2"].value.startswith("=COUNTIF(Programmation!$D$2")
    assert wb["Listes"].sheet_state == "hidden"


def test_the_empty_template_is_accepted_with_an_empty_programmation() -> None:
    report = examine(template(), RULES)
    assert report.rows == () and report.synthesis == () and report.checks == ()


@pytest.mark.parametrize("style", ["modele", "lignes_vides", "colonnes_reordonnees", "nombres_texte",
                                   "titre_fusionne"])
def test_rows_are_read_as_written_whatever_the_bailleurs_style(style: xlsxgen.Style) -> None:
    report = examine(xlsxgen.workbook(ROWS, style), RULES)
    assert truth(list(report.rows)) == truth(ROWS)
    assert report.synthesis == synthesis_of(ROWS)
    assert not [c for c in report.checks if c.code.startswith("synthese")]


def test_the_synthesis_is_recomputed_and_a_differing_tab_is_said() -> None:
    report = examine(xlsxgen.workbook(ROWS, tamper={"LLS": 2}), RULES)
    differing = [c for c in report.checks if c.code == "synthese_differente"]
    assert len(differing) == 1 and "filière LLS" in differing[0].message_fr
    assert "nombre d'opérations" in differing[0].message_fr
    lls = next(line for line in report.synthesis if line.filiere == "LLS")
    assert lls.operations == sum(r.filiere == "LLS" for r in ROWS)  # the rows, never the tab


def test_the_template_formulas_are_trusted_as_formulas_not_as_cached_values() -> None:
    report = examine(xlsxgen.workbook(ROWS, synthesis="formules"), RULES)
    assert not [c for c in report.checks if c.code.startswith("synthese")]
    fields = {f.name: f.value for f in report.fields}
    lls = next(line for line in synthesis_of(ROWS) if line.filiere == "LLS")
    assert fields["synthese.LLS.montant_pret_eur"] == str(lls.montant_pret_eur)


@pytest.mark.parametrize(
    ("make", "code", "fragment"),
    [
        (lambda d: xlsxgen.with_macros(d), "macros", "contient des macros"),
        (lambda d: xlsxgen.with_external_link(d), "liens_externes", "liaisons vers d'autres fichiers"),
        (lambda d: xlsxgen.zip_bomb(d), "bombe_decompression", "décompressé"),
        (lambda d: xlsxgen.encrypted(), "chiffre", "mot de passe"),
        (lambda d: b"%PDF-1.7\n", "pas_un_classeur", "n'est pas un classeur Excel"),
        (lambda d: d[: len(d) // 2], "corrompu", "endommagé"),
        (lambda d: b"", "vide_octets", "vide"),
    ],
)
def test_hostile_workbooks_are_refused_in_french(make: object, code: str, fragment: str) -> None:
    refused = refusal(make(xlsxgen.workbook(ROWS[:3])))  # type: ignore[operator]
    assert refused.code == code and fragment in refused.message


def test_a_hundred_thousand_rows_are_refused_without_reading_them_all() -> None:
    many = xlsxgen.operations(1, seed=3) * 100_000
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ROWS_TAB)
    ws.append([c.label for c in programmation.COLUMNS[:7]])
    row = many[0]
    for _ in range(len(many)):
        ws.append([row.reference, row.nom, row.commune, row.filiere, "Construction neuve", 3, 1000])
    wb.create_sheet(SYNTHESIS_TAB)
    out = io.BytesIO()
    wb.save(out)
    refused = refusal(out.getvalue())
    assert refused.code == "trop_de_lignes" and "plus de 5000 opérations" in refused.message


def test_missing_tabs_columns_and_wrong_types_are_named() -> None:
    from openpyxl import Workbook, load_workbook

    wb = load_workbook(io.BytesIO(xlsxgen.workbook(ROWS[:3])))
    del wb[SYNTHESIS_TAB]
    out = io.BytesIO()
    wb.save(out)
    assert refusal(out.getvalue()).code == "onglets_manquants"

    wb = load_workbook(io.BytesIO(xlsxgen.workbook(ROWS[:3])))
    wb[ROWS_TAB].delete_cols(6)  # Nombre de logements
    out = io.BytesIO()
    wb.save(out)
    refused = refusal(out.getvalue())
    assert refused.code == "colonnes_manquantes" and "« Nombre de logements »" in refused.message

    wb = load_workbook(io.BytesIO(xlsxgen.workbook(ROWS[:3])))
    wb[ROWS_TAB]["F2"] = "douze"
    wb[ROWS_TAB]["D3"] = "HLM"
    wb[ROWS_TAB]["G4"] = "=F4*1000"
    out = io.BytesIO()
    wb.save(out)
    refused = refusal(out.getvalue())
    assert refused.code == "valeurs_invalides"
    assert "ligne 2, « Nombre de logements » n'est pas un nombre" in refused.message
    assert "ligne 3, « Filière » n'est pas une filière de la liste" in refused.message
    assert "ligne 4, « Montant du prêt sollicité (€) » est une formule" in refused.message

    wb = Workbook()
    for i in range(9):
        wb.create_sheet(f"Onglet {i}")
    out = io.BytesIO()
    wb.save(out)
    assert refusal(out.getvalue()).code == "trop_d_onglets"


def test_eligibility_dates_and_acv_are_checked_per_operation() -> None:
    import dataclasses
    import datetime as dt

    base = ROWS[0]
    rows = [
        dataclasses.replace(base, reference="A", nature="construction_neuve", filiere="LLS",
                            date_agrement=dt.date(2025, 1, 10)),
        dataclasses.replace(base, reference="B", nature="rehabilitation", date_os=dt.date(2027, 1, 1)),
        dataclasses.replace(base, reference="C", nature="demolition", date_demolition=None),
        dataclasses.replace(base, reference="D", nature="construction_neuve", acv=True,
                            date_agrement=dt.date(2024, 1, 1)),
        dataclasses.replace(base, reference="E", nature="construction_neuve", filiere="LI", commune="97611",
                            date_agrement=None),
    ]
    report = examine(xlsxgen.workbook(rows), RULES)
    by_ref = {}
    for check in report.checks:
        by_ref.setdefault(check.message_fr.split("(opération ")[1].split(")")[0], []).append(check.code)
    assert by_ref["A"] == ["eligibilite_date_tardive"]
    assert by_ref["B"] == ["eligibilite_date_tardive"]
    assert by_ref["C"] == ["eligibilite_date_absente"]
    assert by_ref["D"] == ["operation_acv"]
    assert "E" not in by_ref  # LI in Mayotte: no déclaration d'informations asked


def test_priorities_are_explained_and_priority_one_sets_aside() -> None:
    import dataclasses

    base = ROWS[0]
    rows = [
        dataclasses.replace(base, line=2, reference="P2", nature="construction_neuve", rtaa=True, lien_emploi="ZA"),
        dataclasses.replace(base, line=3, reference="P3", nature="construction_neuve", rtaa=False, lien_emploi="ZA"),
        dataclasses.replace(base, line=4, reference="X", nature="construction_neuve", rtaa=False, lien_emploi=None),
    ]
    result = {p.reference: p for p in priorities(rows)}
    assert result["P2"].priorite == 2 and "RTAA-DOM" in result["P2"].explications[-1]
    assert result["P3"].priorite == 4  # one of three meets priority 2: no ambitious strategy shown
    assert result["X"].ecartee and result["X"].priorite is None
    assert "lien emploi-logement n'est pas justifié" in result["X"].explications[0]
    rows.append(dataclasses.replace(base, line=5, reference="P2b", nature="construction_neuve", rtaa=True,
                                    lien_emploi="ZA"))
    assert {p.reference: p for p in priorities(rows)}["P3"].priorite == 3  # half meet it: priority 3
