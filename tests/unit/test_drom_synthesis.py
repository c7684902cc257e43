"""Before the envoi, the synthesis the bailleur reported onto the form is compared with the workbook's (recomputed
from its rows, which the « données pour formulaire » tab holds): each difference is a check the bailleur sees, as
the LLI's constats, on the API's dossier detail and the plateforme's pages (both read `instruction_view`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ami.domain.dispositif import dispositif
from ami.domain.extraction.compare import instruction_view, programmation_vs_form
from ami.domain.models import Dossier, DossierForm, PieceRecord, ProgrammationForm, SyntheseFiliere
from ami.domain.programmation import examine, synthesis_of

from infra import xlsxgen

NOW = dt.datetime(2024, 9, 2, 9, 0, tzinfo=dt.UTC)
RULES = dispositif("drom-2024").pieces["tableau_programmation"]


def reported(lines: dict[str, tuple[int, int, str]]) -> ProgrammationForm:
    return ProgrammationForm(departement="974", synthese=[  # type: ignore[arg-type]
        SyntheseFiliere(filiere=f, operations=o, logements=lg, montant_pret_eur=Decimal(m))  # type: ignore[arg-type]
        for f, (o, lg, m) in lines.items()])


def as_form(rows: list[xlsxgen.OperationRow]) -> dict[str, tuple[int, int, str]]:
    return {s.filiere: (s.operations, s.logements, str(s.montant_pret_eur)) for s in synthesis_of(rows)}


def test_a_form_reporting_the_workbook_exactly_raises_no_check() -> None:
    rows = xlsxgen.operations(15, seed=3)
    report = examine(xlsxgen.workbook(rows), RULES)
    assert programmation_vs_form(report.fields, reported(as_form(rows))) == []


def test_each_difference_is_said_filiere_by_filiere() -> None:
    rows = [r for r in xlsxgen.operations(30, seed=3) if r.filiere in ("LLS", "PLS")]
    report = examine(xlsxgen.workbook(rows), RULES)
    lines = as_form(rows)
    first, second, *_ = sorted(lines)
    ops, lgts, amount = lines[first]
    lines[first] = (ops, lgts + 2, amount)  # two homes too many reported
    dropped = lines.pop(second)  # one filière not reported
    assert (first, second) == ("LLS", "PLS")
    absent = "LI"
    lines[absent] = (1, 10, "100000")  # a filière the workbook does not have
    checks = programmation_vs_form(report.fields, reported(lines))
    said = sorted(c.message_fr for c in checks)
    assert all(c.code == "synthese_formulaire_differente" and c.severity == "attention" for c in checks)
    lg = f"{lgts:,}".replace(",", "\u202f")
    lg2 = f"{lgts + 2:,}".replace(",", "\u202f")
    assert said == sorted([
        f"Filière {first} : le nombre de logements reporté au formulaire ({lg2}) diffère de celui du tableau de "
        f"programmation ({lg}).",
        f"La filière {second} figure au tableau de programmation ({dropped[0]} opération"
        f"{'s' if dropped[0] > 1 else ''}) mais n'est pas reportée au formulaire.",
        f"La filière {absent} est reportée au formulaire mais ne figure pas au tableau de programmation.",
    ])


def test_the_bailleur_sees_the_checks_of_the_deposited_workbook_before_the_envoi() -> None:
    rows = xlsxgen.operations(6, seed=8)
    report = examine(xlsxgen.workbook(rows, tamper={rows[0].filiere: 1}), RULES)
    lines = as_form(rows)
    f = rows[0].filiere
    lines[f] = (lines[f][0], lines[f][1], str(Decimal(lines[f][2]) + 1))
    d = Dossier(dossier_id="d" * 32, siren="552100554", dispositif="drom-2024",
                form=DossierForm(programmation=reported(lines)), created_at=NOW, updated_at=NOW)
    record = PieceRecord(piece="tableau_programmation", key="k", version_id="v1", size=report.size,
                         sha256=report.sha256, accepted=True, received_at=NOW, checked_at=NOW,
                         checks=list(report.checks), fields=list(report.fields))
    checks, fields, _ = instruction_view([record], d)
    codes = [c.code for c in checks]
    assert "synthese_differente" in codes  # the tab against the rows (intake's own check)
    mine = [c for c in checks if c.code == "synthese_formulaire_differente"]
    assert len(mine) == 1 and "le montant des prêts sollicités reporté au formulaire" in mine[0].message_fr
    assert "\u00a0€" in mine[0].message_fr and fields["tableau_programmation"]
    refused = record.model_copy(update={"accepted": False, "checks": [], "fields": []})
    assert instruction_view([refused], d)[0] == []  # a refused workbook is no basis for comparison


def test_the_priorities_come_from_the_dispositifs_grid_and_reach_the_instructors() -> None:
    import dataclasses

    from ami.domain.drom import GrilleDrom, grille, priorities

    g = grille(dispositif("drom-2024").grille or "")
    assert g.priorite_2.etiquettes_dpe == ("A", "B", "C") and g.priorite_3.part_minimale == Decimal("0.5")
    rows = xlsxgen.operations(8, seed=2)
    report = examine(xlsxgen.workbook(rows), RULES, grille=dispositif("drom-2024").grille)
    got = {f.name: f for f in report.fields if f.name.startswith("priorite")}
    assert len(got) == 1 + len(rows) and "grille 2024.1" in got["priorites"].source
    assert all(f.value in {"2", "3", "4", "ecartee"} for n, f in got.items() if n != "priorites")
    assert not [f for f in examine(xlsxgen.workbook(rows), RULES).fields if f.name.startswith("priorite")]
    # A rule changed in the grid changes the assessment: DPE D accepted for priority 2.
    row = dataclasses.replace(rows[0], line=2, nature="rehabilitation", dpe="D", lien_emploi="ZA", acv=False)
    assert priorities([row], g)[0].priorite == 4
    lenient = GrilleDrom.model_validate({**g.model_dump(), "priorite_2": {
        **g.priorite_2.model_dump(), "etiquettes_dpe": ["A", "B", "C", "D"]}})
    assert priorities([row], lenient)[0].priorite == 2
