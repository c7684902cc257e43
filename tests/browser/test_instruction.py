"""The instructors' workspace in a real browser (headless Chromium) against the local stack: an instructor signs
in with the authenticator app's code, filters the list, opens a dossier, sees its PDFs, checks and score, and
overrides a criterion with a justification; two instructors side by side take work items (different dossiers,
in number order). Every page is checked with axe-core and photographed at 1280 and 360 px (see conftest)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from infra.client import totp_code

pytestmark = pytest.mark.slow
PASSWORD = "Instructeur-Navigateur-2026!"
ENGLISH = re.compile(r"\b(Field required|Input should|value is not|Internal Server Error|Traceback|Forbidden|"
                     r"Not Found)\b")


def french_only(page: Any) -> str:
    text = str(page.inner_text("body"))
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert "(s)" not in text and "(e)" not in text
    return text


def numbered_dossiers(ami: Any, n: int) -> list[str]:
    bailleur = ami.register_bailleur()
    ids = [ami.new_dossier(bailleur) for _ in range(n)]
    for dossier_id in ids:
        ami.upload_good_pieces(bailleur, dossier_id)
    ami.settle()
    for dossier_id in ids:
        bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
        ami.settle()
    return ids


def instructor_signs_in(page: Any, web: str, ami: Any, email: str, inspect: Any | None = None) -> None:
    from infra.ops import add_instructor

    secret = add_instructor(ami.runtime.stack, email, PASSWORD)
    page.goto(f"{web}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r".*/connexion/code$"))
    if inspect is not None:
        inspect.check(page, "instruction 01 code")
    page.get_by_label("Code à 6 chiffres").fill(totp_code(secret))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r".*/instruction$"))


def drain(ami: Any, keep: set[str]) -> None:
    """Every dossier of the shared stack ahead of ours taken into instruction (through the API), so that the
    file hands out ours next."""
    api = ami.instructor("instruction.vidange@actionlogement.fr")
    for _ in range(500):
        entries = api.call("GET", "/instruction/travail")
        ahead = [e for e in entries if e["element"]["dossier_id"] not in keep and e["etat"] == "à prendre"]
        if not ahead:
            return
        taken = api.call("POST", "/instruction/travail/suivant")["element"]
        assert taken is not None
        if taken["dossier_id"] in keep:
            api.call("POST", f"/instruction/travail/{taken['dossier_id']}/rendre")
            return
        api.call("POST", f"/instruction/travail/{taken['dossier_id']}/prise")


def test_an_instructor_filters_opens_a_dossier_and_overrides_a_criterion(page: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    (dossier_id,) = numbered_dossiers(ami, 1)
    instructor_signs_in(page, web, ami, "instruction.navigateur@actionlogement.fr", inspect)
    text = french_only(page)
    assert ("Dossiers à instruire" in text and "Page" not in text) or "sur" in text
    inspect.check(page, "instruction 02 liste")

    # Filters, without JavaScript: a GET form read by the server.
    page.get_by_label("Zone ABC").select_option("C")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*zone=C.*"))
    assert page.locator(f"a[href='/instruction/dossiers/{dossier_id}']").count() == 0
    page.get_by_label("Zone ABC").select_option("A")
    page.get_by_label("Région").select_option("84")
    page.get_by_label("Score minimal (sur 100)").fill("abc")
    page.get_by_role("button", name="Filtrer").click()
    assert "Indiquez un nombre de points entre 0 et 100" in french_only(page)
    inspect.check(page, "instruction 03 filtre en erreur")
    page.get_by_label("Score minimal (sur 100)").fill("")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*zone=A.*region=84|.*region=84.*zone=A"))
    link = page.locator(f"a[href='/instruction/dossiers/{dossier_id}']")
    assert link.count() == 1
    link.click()
    page.wait_for_url(re.compile(rf".*/instruction/dossiers/{dossier_id}$"))

    text = french_only(page)
    for part in ("Pièces déposées", "Contrôles des pièces", "Score de priorité 2", "Le score critère par critère",
                 "Formulaire du bailleur", "Historique", "Actions possibles", "Envoi du dossier", "Numérotation"):
        assert part in text, part
    frames = page.locator("iframe.pdf")
    assert frames.count() == 2
    assert frames.first.get_attribute("title") == "Lettre d'offre de la Banque des Territoires (PDF)"
    pdf = page.request.get(web + str(frames.first.get_attribute("src")))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    assert pdf.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'self'"
    inspect.check(page, "instruction 04 dossier")

    # The override: a justification too short is refused next to its field; then recorded and audited.
    page.get_by_label("Critère").select_option("surfaces")
    page.get_by_label("Points retenus").fill("2,5")
    page.get_by_label("Justification", exact=False).fill("Trop bref")
    page.get_by_role("button", name="Enregistrer la surcharge").click()
    assert "Justification trop courte" in french_only(page)
    assert page.get_by_label("Justification", exact=False).get_attribute("aria-invalid") == "true"
    inspect.check(page, "instruction 05 surcharge refusee")
    page.get_by_label("Justification", exact=False).fill("Surfaces relevées sur le plan masse, page 4.")
    page.get_by_role("button", name="Enregistrer la surcharge").click()
    page.wait_for_url(re.compile(r".*note=surcharge#score$"))
    text = french_only(page)
    assert "La surcharge du critère est enregistrée" in text
    assert "Surfaces relevées sur le plan masse, page 4." in text and "surchargé" in text
    assert "Surcharge d'un critère du score" in text
    assert "Instructeur (instruction.navigateur@actionlogement.fr)" in text
    inspect.check(page, "instruction 06 surcharge enregistree")
    d = ami.runtime.functions.app.dossiers.get_dossier(dossier_id)
    assert d.scoring.surcharges["surfaces"].points == Decimal("2.5")


def test_two_instructors_take_work_items_side_by_side(browser: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    ids = numbered_dossiers(ami, 3)
    drain(ami, set(ids))
    numbers = {i: ami.runtime.functions.app.dossiers.get_dossier(i).deposit_number for i in ids}
    pages = []
    for who in ("a", "b"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                      timezone_id="Europe/Paris")
        context.set_default_timeout(20_000)
        pg = context.new_page()
        instructor_signs_in(pg, web, ami, f"instruction.cote.{who}@actionlogement.fr")
        pages.append(pg)
    a, b = pages

    held = []
    for pg in (a, b):  # A first, then B while A still holds hers
        pg.get_by_role("button", name="Prendre le dossier suivant de la file").click()
        pg.wait_for_url(re.compile(r".*/instruction/dossiers/[0-9a-f]{32}\?note=pris$"))
        assert "Le dossier est à vous" in french_only(pg)
        held.append(re.search(r"/instruction/dossiers/([0-9a-f]{32})", pg.url)[1])  # type: ignore[index]
    inspect.check(a, "instruction 07 dossier pris")
    assert held[0] != held[1] and set(held) <= set(ids)
    assert [numbers[h] for h in held] == sorted(numbers.values())[:2]  # in number order, nobody waits

    # B sees that A holds hers; A puts hers into instruction after the confirmation page.
    b.goto(f"{web}/instruction")
    row = b.locator("tr", has=b.locator(f"a[href='/instruction/dossiers/{held[0]}']"))
    assert "pris par instruction.cote.a@actionlogement.fr" in row.inner_text()
    a.get_by_role("link", name="Mettre le dossier en instruction").click()
    assert "Mettre ce dossier en instruction ?" in french_only(a)
    inspect.check(a, "instruction 08 confirmation")
    a.get_by_role("button", name=re.compile("Confirmer")).click()
    a.wait_for_url(re.compile(r".*note=mettre-en-instruction$"))
    assert "Le dossier est mis en instruction." in french_only(a)
    assert ami.runtime.functions.app.dossiers.get_dossier(held[0]).status == "en_instruction"
    last = ami.runtime.functions.app.audit_log.history(held[0])[-1]
    assert (last.action, last.actor) == ("prise_en_instruction", "instructeur:instruction.cote.a@actionlogement.fr")

    # B gives hers back: A's next one is B's, at its number's place, before the third.
    b.goto(f"{web}/instruction/dossiers/{held[1]}")
    b.get_by_role("link", name="Rendre le dossier à la file").click()
    b.get_by_role("button", name=re.compile("Confirmer")).click()
    b.wait_for_url(re.compile(r".*note=rendre$"))
    a.goto(f"{web}/instruction")
    a.get_by_role("button", name="Prendre le dossier suivant de la file").click()
    a.wait_for_url(re.compile(rf".*/instruction/dossiers/{held[1]}\?note=pris$"))
    for pg in pages:
        pg.context.close()
