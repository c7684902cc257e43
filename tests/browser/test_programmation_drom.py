"""A DROM programmation 2024 in a real browser, as a bailleur of La Réunion would make it on the evening of the
closing day: choose the dispositif, pick the département, report the workbook's synthesis filière by filière,
deposit the workbook (a refused one first), see the check when the synthesis differs, send before midnight; a
second programmation of the same département is refused with its reason; after midnight, sending is refused.
Every page met is checked with axe-core and photographed at 1280 and 360 px (see conftest).

The session stack's clock is moved to 30 September 2024 (Paris) for the test and put back after it: the DROM
envois take no place in the LLI numbering, and nothing else runs on this worker meanwhile."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import PASSWORD

from browser.test_plateforme import french_only, sign_in

pytestmark = pytest.mark.slow

PARIS = ZoneInfo("Europe/Paris")
EVENING = datetime(2024, 9, 30, 22, 30, tzinfo=PARIS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def closing_evening(ami: Any) -> Iterator[Any]:
    clock = ami.runtime.clock
    saved = clock.offset
    clock.set(EVENING)
    try:
        yield clock
    finally:
        clock.offset = saved


def _new_programmation(page: Any) -> str:
    page.locator("#dispositif-drom-2024").get_by_role("button").click()
    page.wait_for_url(re.compile(r".*/dossiers/[0-9a-f-]+$"))
    return _dossier_id(page)


def _dossier_id(page: Any) -> str:
    found = re.search(r"/dossiers/([0-9a-f-]+)", page.url)
    assert found is not None, page.url
    return found[1]


def _report(page: Any, lines: list[Any], extra_logements: int = 0) -> None:
    for i, line in enumerate(lines):
        code = line.filiere.lower()
        page.locator(f"#synthese-{code}-operations").fill(str(line.operations))
        page.locator(f"#synthese-{code}-logements").fill(str(line.logements + (extra_logements if i == 0 else 0)))
        page.locator(f"#synthese-{code}-montant-pret-eur").fill(f"{line.montant_pret_eur}".replace(".", ","))


def _deposit(page: Any, name: str, data: bytes) -> None:
    form = page.locator("#piece-tableau_programmation form.depot")
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": XLSX, "buffer": data})
    form.get_by_role("button", name="Déposer le fichier").click()


def test_a_drom_programmation_is_made_and_sent_before_midnight(
    page: Any, inspect: Any, ami: Any, closing_evening: Any
) -> None:
    from ami.domain.programmation import synthesis_of

    from infra import xlsxgen

    web = ami.runtime.web_url
    bailleur = ami.register_bailleur()
    sign_in(page, web, bailleur.email, PASSWORD)
    offer = page.locator("#dispositif-drom-2024")
    assert "jusqu'au 30 septembre 2024 à 23 h 59" in offer.inner_text()
    inspect.check(page, "30 drom tableau de bord")

    dossier_id = _new_programmation(page)
    assert page.locator("h1").inner_text() == "Programmation sans département"
    french_only(page)
    inspect.check(page, "31 drom programmation vide")

    rows = xlsxgen.operations(5, departement="974", seed=9)
    lines = list(synthesis_of(rows))
    page.get_by_label("Département de la programmation").select_option("974")
    _report(page, lines, extra_logements=3)  # three homes more than the workbook has
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.locator("h1", has_text="Programmation 974").wait_for()

    # Not a .xlsx: refused before any byte is sent. A workbook with macros renamed .xlsx: refused by the check,
    # with its reason. Then the real one.
    with_macros = xlsxgen.with_macros(xlsxgen.workbook(rows))
    _deposit(page, "programmation-974.xlsm", with_macros)
    assert page.locator("#fichier-tableau_programmation-erreur").inner_text() == (
        "Ce fichier n'est pas un classeur Excel .xlsx : « programmation-974.xlsm ». Déposez le tableau au format "
        ".xlsx, sans macro."
    )
    assert ami.runtime.functions.app.dossiers.piece_records(dossier_id) == {}
    _deposit(page, "programmation-974.xlsx", with_macros)
    refused = page.locator("#piece-tableau_programmation .verdict.refuse")
    refused.wait_for()
    assert refused.inner_text().startswith("Refusé : ")
    french_only(page)
    inspect.check(page, "32 drom tableau refuse")
    _deposit(page, "programmation-974.xlsx", xlsxgen.workbook(rows))
    page.locator("#piece-tableau_programmation .verdict.accepte").wait_for()
    page.reload()
    checks = page.locator("#verifications").inner_text()
    assert "logements" in checks.lower(), checks  # the reported synthesis differs from the workbook
    inspect.check(page, "33 drom synthese differente")

    _report(page, lines)  # corrected
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.locator("#verifications .note").wait_for()
    assert "concorde avec la synthèse reportée" in page.locator("#verifications").inner_text()

    page.get_by_role("link", name="Envoyer la programmation…").click()
    assert page.locator("h1").inner_text() == "Envoyer la programmation du département 974"
    text = french_only(page)
    assert "l'ordre des envois ne donne aucun rang" in text
    inspect.check(page, "34 drom confirmation envoi")
    page.get_by_role("button", name="Envoyer le dossier").click()
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier_id}/accuse$"))
    sent = ami.runtime.functions.app.dossiers.get_dossier(dossier_id)
    assert sent.envoi is not None and sent.deposit_number is None  # no place in the LLI sequence
    assert sent.envoi.sent_at.astimezone(PARIS).date() == EVENING.date()
    inspect.check(page, "35 drom accuse")

    # A second programmation of La Réunion for the same bailleur: refused, the first one named.
    page.goto(f"{web}/tableau-de-bord")
    _new_programmation(page)
    page.get_by_label("Département de la programmation").select_option("974")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    error = page.locator("#departement-erreur")
    error.wait_for()
    assert error.inner_text().startswith("Votre organisme a déjà un dossier de programmation pour le département "
                                         "974 (La Réunion)")
    french_only(page)
    inspect.check(page, "36 drom departement deja programme")

    # Past midnight, a programmation left in draft can no longer be sent.
    page.get_by_label("Département de la programmation").select_option("976")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.locator("h1", has_text="Programmation 976").wait_for()
    late_id = _dossier_id(page)
    closing_evening.offset += timedelta(hours=2)  # 00 h 30 on 1 October 2024
    page.goto(f"{web}/dossiers/{late_id}/envoi")
    assert page.get_by_role("button", name="Envoyer le dossier").count() == 0  # said before any click
    text = french_only(page)
    assert "Le dépôt est clos : il était possible jusqu'au 30 septembre 2024 à 23 h 59" in text, text
    assert ami.runtime.functions.app.dossiers.get_dossier(late_id).envoi is None
    inspect.check(page, "37 drom depot clos")
