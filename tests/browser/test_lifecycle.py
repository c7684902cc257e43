"""One dossier from n° 1 to « acte transmis » through the pages, in headless Chromium against the local stack:
the instructor (workspace) and the bailleur (plateforme) alternate, each step with its confirmation; one
refused form shows its French error beside the field; the bailleur downloads the convention from the path the
emails link to and deposits it signed the way the pieces are deposited (the page's presigned upload, intake's
verdict awaited): first a file intake refuses, whose French reason the page shows, then a scan of several
megabytes. Every page is checked with axe-core and photographed (see conftest)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import PASSWORD

from browser.test_instruction import drain, french_only, instructor_signs_in, numbered_dossiers
from infra.pdfgen.scan import signed_scan

pytestmark = pytest.mark.slow


def step(page: Any, inspect: Any | None, link: str, fields: dict[str, str] | None = None,
         capture: str | None = None) -> str:
    """Follow the action's link, fill its confirmation form, confirm; the page's text once done."""
    page.get_by_role("link", name=link, exact=True).click()
    for label, value in (fields or {}).items():
        target = page.get_by_label(label, exact=False)
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    if capture and inspect is not None:
        inspect.check(page, capture)
    page.get_by_role("button", name=re.compile("^Confirmer")).click()
    page.wait_for_url(re.compile(r".*/dossiers/[0-9a-f]{32}\?note=[a-z_-]+$"))
    return french_only(page)


@pytest.mark.timeout(600)
def test_a_dossier_goes_from_number_one_to_the_acte_through_the_pages(browser: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    (dossier_id,) = numbered_dossiers(ami, 1)
    app = ami.runtime.functions.app
    owner = app.dossiers.get_dossier(dossier_id).siren
    drain(ami, {dossier_id})

    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                    timezone_id="Europe/Paris") for _ in range(2)]
    for c in contexts:
        c.set_default_timeout(20_000)
    instr, bail = (c.new_page() for c in contexts)

    instructor_signs_in(instr, web, ami, "instruction.cycle@actionlogement.fr")
    instr.get_by_role("button", name="Prendre le dossier suivant de la file").click()
    instr.wait_for_url(re.compile(rf".*/instruction/dossiers/{dossier_id}\?note=pris$"))
    assert "Le dossier est mis en instruction." in step(instr, None, "Mettre le dossier en instruction")
    assert "Présenter en CCN" in french_only(instr)

    # A séance without its date: refused beside the field, in French; nothing moves.
    instr.get_by_role("link", name="Présenter en CCN", exact=True).click()
    instr.get_by_label("Libellé de la séance", exact=False).fill("CCN n° 12")
    instr.get_by_role("button", name=re.compile("^Confirmer")).click()
    text = french_only(instr)
    assert "à corriger" in text and app.dossiers.get_dossier(dossier_id).status == "en_instruction"
    inspect.check(instr, "cycle 01 ccn en erreur")
    instr.goto(f"{web}/instruction/dossiers/{dossier_id}")
    step(instr, inspect, "Présenter en CCN", {"Libellé de la séance": "CCN n° 12", "Date de la séance": "2026-12-15"})
    step(instr, None, "Avis favorable de la CCN", {"Motif de la décision": "Opération conforme au cahier des charges."})
    step(instr, inspect, "Saisir la cotation FIBEN du bailleur",
         {"Cotation FIBEN (Banque de France)": "3+", "Date de la cotation": "2026-03-31"}, "cycle 02 fiben")
    text = step(instr, None, "Émettre la proposition de tarification", {"Qualité du programme": "standard"})
    assert "Proposition de tarification émise" in text and "Prime par prêt" in text
    inspect.check(instr, "cycle 03 proposition emise")

    # The bailleur sees the proposition, its last day, and accepts it.
    bail.goto(f"{web}/connexion")
    bail.get_by_label("Adresse électronique").fill(f"garanties.{owner}@bailleur-essai.example")
    bail.get_by_label("Mot de passe").fill(PASSWORD)
    bail.get_by_role("button", name="Se connecter").click()
    bail.wait_for_url(re.compile(r".*/tableau-de-bord$"))
    assert "Acceptez la proposition de tarification au plus tard le" in french_only(bail)
    inspect.check(bail, "cycle 04 tableau de bord proposition")
    bail.goto(f"{web}/dossiers/{dossier_id}")
    assert "heure de Paris" in french_only(bail)
    proposition = bail.request.get(f"{web}/dossiers/{dossier_id}/documents/proposition")
    assert proposition.status == 200 and proposition.body()[:4] == b"%PDF"
    text = step(bail, inspect, "Accepter la proposition de tarification", capture="cycle 05 accepter")
    assert "Vous avez accepté la proposition de tarification" in text

    instr.goto(f"{web}/instruction/dossiers/{dossier_id}")
    step(instr, None, "Engagement confirmé par le CA", {"Libellé de la séance": "CA du 18 décembre",
         "Date de la séance": "2026-12-18", "Motif de la décision": "Engagement confirmé par le CA."})
    step(instr, None, "Envoyer la convention de cautionnement")

    # The bailleur downloads the convention, the path the emails link to, and deposits it signed.
    bail.goto(f"{web}/dossiers/{dossier_id}")
    assert "Téléchargez la convention de cautionnement" in french_only(bail)
    convention = bail.request.get(f"{web}/dossiers/{dossier_id}/documents/convention")
    assert convention.status == 200 and convention.body()[:4] == b"%PDF"
    bail.get_by_role("link", name="Déposer la convention signée", exact=True).click()
    form = bail.locator("form.depot")
    # A file that only looks like a PDF goes up, intake refuses it: the page says why, in French, and the
    # dossier still awaits the convention.
    form.locator("input[type=file]").set_input_files(
        {"name": "convention-signee.pdf", "mimeType": "application/pdf", "buffer": b"ceci n'est pas un PDF"})
    bail.get_by_role("button", name="Déposer la convention signée").click()
    refused = bail.locator("#convention-refusee")
    refused.wait_for(timeout=60_000)
    assert "a été refusée" in refused.inner_text() and "la convention signée" in refused.inner_text()
    french_only(bail)
    inspect.check(bail, "cycle 06 convention refusee")
    assert app.dossiers.get_dossier(dossier_id).status.value == "convention_envoyée"
    # The signed convention as a scanner returns it: several pages, several megabytes.
    scan = signed_scan(pages=5)
    assert len(scan) > 3 * 1024 * 1024
    form.locator("input[type=file]").set_input_files(
        {"name": "convention-signee.pdf", "mimeType": "application/pdf", "buffer": scan})
    inspect.check(bail, "cycle 06 deposer convention")
    bail.get_by_role("button", name="Déposer la convention signée").click()
    bail.wait_for_url(re.compile(r".*note=deposer_convention$"), timeout=90_000)
    assert "La convention signée est reçue" in french_only(bail)
    signed = app.dossiers.get_dossier(dossier_id).suivi.documents["convention_signee"]
    assert signed.sha256 == hashlib.sha256(scan).hexdigest() and signed.size == len(scan)

    instr.goto(f"{web}/instruction/dossiers/{dossier_id}")
    step(instr, None, "Appeler la prime")
    prime = app.dossiers.get_dossier(dossier_id).suivi.proposition.prime_eur
    today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    step(instr, inspect, "Enregistrer le règlement de la prime", {"Montant réglé (en €)": str(prime).replace(".", ","),
         "Date du règlement": today, "Référence du virement": "VIR-NAVIGATEUR-1"}, "cycle 07 prime reglee")
    text = step(instr, None, "Transmettre l'acte à la Banque des Territoires")
    assert "L'acte de cautionnement est transmis à la Banque des Territoires." in text
    assert "Acte transmis à la Banque des Territoires" in text and "garantis sur l'enveloppe" in text
    inspect.check(instr, "cycle 08 acte transmis instructeur")

    bail.goto(f"{web}/dossiers/{dossier_id}")
    text = french_only(bail)
    assert "Acte transmis à la Banque des Territoires" in text and "Vos démarches" not in text
    inspect.check(bail, "cycle 09 acte transmis bailleur")
    acte = bail.request.get(f"{web}/dossiers/{dossier_id}/documents/acte")
    assert acte.status == 200 and acte.body()[:4] == b"%PDF"
    d = app.dossiers.get_dossier(dossier_id)
    assert d.status == "acte_transmis"
    from ami.domain.lifecycle import TRANSITIONS

    steps = [h.action for h in app.audit_log.history(dossier_id)
             if h.action in TRANSITIONS or h.action == "notation_fiben"]
    assert steps == ["presenter_ccn", "avis_favorable", "notation_fiben", "proposer_tarification", "accepter",
                     "confirmer_ca", "envoyer_convention", "deposer_convention", "appeler_prime", "regler_prime",
                     "transmettre_acte"]
    for c in contexts:
        c.close()
