"""The plateforme in a real browser, continued: a colleague invited by email joins the bailleur's space,
the draft saves itself as the bailleur types (and never overwrites unseen what another tab saved), the
commune is found by its postcode (with and without JavaScript), and the receipt email links to the
receipt. Every page met is checked with axe-core and photographed at 1280 and 360 px (see conftest)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from support import PASSWORD as API_PASSWORD

from browser.conftest import CAPTURES
from browser.test_plateforme import PASSWORD, _header, _web_bailleur, french_only, register, sign_in

pytestmark = pytest.mark.slow


def _wait_until_all_saved(page: Any) -> None:
    """Until the page's script has saved what the form holds (what the status says was saved is the form)."""
    saved = (
        "() => { const data = new FormData(document.getElementById('formulaire')); data.delete('version'); "
        "return document.getElementById('statut-brouillon').dataset.enregistre === "
        "new URLSearchParams(data).toString(); }"
    )
    for _ in range(150):
        if page.evaluate(saved):
            return
        page.wait_for_timeout(200)
    raise AssertionError("le brouillon n'a pas été enregistré automatiquement")


def _invitation_link(ami: Any, address: str) -> str:
    (email,) = [e for e in ami.emails_to(address) if "invitation" in e.subject]
    link = re.search(r'href="([^"]*/invitation\?jeton=[^"]+)"', email.body)
    assert link is not None, email.body
    return link[1].replace("&amp;", "&")


def test_a_colleague_invited_by_email_joins_the_same_siren(page: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    owner = ami.register_bailleur()
    dossier_id = ami.new_dossier(owner)
    name = ami.runtime.functions.app.dossiers.get_dossier(dossier_id).form.operation.nom
    colleague = f"collegue.{owner.siren}@bailleur-essai.example"

    sign_in(page, web, owner.email, API_PASSWORD)
    page.get_by_role("link", name="Équipe").click()
    page.wait_for_url(re.compile(r".*/equipe$"))
    page.get_by_label("Adresse électronique de votre collègue").fill("pas-une-adresse")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    assert page.locator("#email-erreur").inner_text().startswith("Indiquez l'adresse électronique de votre collègue")
    french_only(page)
    inspect.check(page, "20 equipe erreur")
    page.get_by_label("Adresse électronique de votre collègue").fill(owner.email)  # already has an account
    page.get_by_role("button", name="Envoyer l'invitation").click()
    assert "Un compte existe déjà pour cette adresse" in page.locator("#email-erreur").inner_text()
    page.get_by_label("Adresse électronique de votre collègue").fill(colleague)
    page.get_by_role("button", name="Envoyer l'invitation").click()
    assert page.get_by_role("status").inner_text().startswith(f"Invitation envoyée à {colleague}")
    inspect.check(page, "21 equipe invitation envoyee")
    link = _invitation_link(ami, colleague)

    # The colleague, in another browser, opens the link and chooses a password.
    other = page.context.browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        guest = other.new_page()
        guest.goto(link)
        assert owner.raison_sociale in guest.locator("h1").inner_text()
        assert colleague in french_only(guest)
        inspect.check(guest, "22 invitation")
        guest.locator("#mot_de_passe").fill(PASSWORD)
        guest.get_by_label("Confirmation du mot de passe").fill(PASSWORD + "x")
        guest.get_by_role("button", name="Rejoindre l'espace").click()
        assert guest.locator("#mot_de_passe_confirmation-erreur").inner_text() == (
            "Les deux mots de passe saisis sont différents."
        )
        inspect.check(guest, "23 invitation erreur")
        guest.locator("#mot_de_passe").fill(PASSWORD)
        guest.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
        guest.get_by_role("button", name="Rejoindre l'espace").click()
        guest.wait_for_url(re.compile(r".*/connexion\?invitation=1$"))
        assert "Votre compte est créé et rattaché à votre organisme" in french_only(guest)
        sign_in(guest, web, colleague)
        assert name in guest.inner_text("main")  # the organisme's dossiers, the colleague's too
        guest.goto(f"{web}/dossiers/{dossier_id}")
        assert guest.locator("h1").inner_text() == name
        # The link is used up.
        guest.goto(link)
        assert "Ce lien d'invitation est invalide, a déjà servi ou a expiré" in french_only(guest)
    finally:
        other.close()
    from ami.domain.audit import bailleur_chain

    entries = ami.runtime.functions.app.store.chain_entries(bailleur_chain(owner.siren))
    assert [e.action for e in entries][-2:] == ["invitation_envoyee", "utilisateur_ajoute"]
    assert all("@" not in e.actor and colleague not in str(e.details) for e in entries)  # pseudonyms only

    # A stranger registering the same SIREN is told how to join.
    page.context.clear_cookies()
    register(page, web, owner.siren, f"inconnu.{owner.siren}@bailleur-essai.example", "Un autre nom")
    message = page.locator("#siren-erreur").inner_text()
    assert "Ce SIREN est déjà inscrit" in message and "de vous inviter (page « Équipe »" in message
    inspect.check(page, "24 inscription siren deja inscrit")


def test_the_draft_saves_itself_and_never_overwrites_another_tab_unseen(page: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    owner = ami.register_bailleur()
    dossier_id = ami.new_dossier(owner)
    dossiers = ami.runtime.functions.app.dossiers
    sign_in(page, web, owner.email, API_PASSWORD)
    page.goto(f"{web}/dossiers/{dossier_id}")
    second = page.context.new_page()  # the same person, a second tab on the same dossier
    second.goto(f"{web}/dossiers/{dossier_id}")

    page.locator("#champ-operation-nom").fill("Résidence enregistrée seule")
    status = page.locator("#statut-brouillon")
    status.filter(has_text=re.compile(r"^Brouillon enregistré à \d{1,2} h \d{2}\.$")).wait_for()
    assert dossiers.get_dossier(dossier_id).form.operation.nom == "Résidence enregistrée seule"
    inspect.check(page, "25 brouillon enregistre automatiquement")

    # The second tab, loaded before that save, types too: refused, said, and its typing kept on the page.
    second.locator("#champ-operation-nom").fill("Résidence du second onglet")
    warning = second.locator("#statut-brouillon")
    warning.filter(has_text="Ce brouillon a été enregistré ailleurs").wait_for()
    assert dossiers.get_dossier(dossier_id).form.operation.nom == "Résidence enregistrée seule"
    assert second.locator("#champ-operation-nom").input_value() == "Résidence du second onglet"
    inspect.check(second, "26 brouillon modifie ailleurs")
    # Saving by the button then shows the same warning next to the form, and a second save replaces.
    second.get_by_role("button", name="Enregistrer le brouillon").click()
    assert "Ce brouillon a été enregistré ailleurs" in second.locator("#resume-erreurs").inner_text()
    assert dossiers.get_dossier(dossier_id).form.operation.nom == "Résidence enregistrée seule"
    second.get_by_role("button", name="Enregistrer le brouillon").click()
    second.wait_for_url(re.compile(r".*\?note=enregistre#formulaire$"))
    assert dossiers.get_dossier(dossier_id).form.operation.nom == "Résidence du second onglet"

    # A value that cannot be read is not saved, and the status says why, in French.
    page.reload()
    page.locator("#champ-operation-surface-utile-m2").fill("mille")
    page.locator("#statut-brouillon").filter(has_text="Brouillon non enregistré automatiquement").wait_for()
    assert "Surface utile : doit être un nombre." in page.locator("#statut-brouillon").inner_text()


def test_the_autosave_endpoint_checks_csrf_version_and_owner(ami: Any) -> None:
    web = ami.runtime.web_url
    owner, cookies = _web_bailleur(ami)
    _stranger, stranger_cookies = _web_bailleur(ami)
    dossier_id = ami.new_dossier(owner)
    dossiers = ami.runtime.functions.app.dossiers
    version = dossiers.get_dossier(dossier_id).version
    url = f"{web}/dossiers/{dossier_id}/brouillon"
    json_headers = {**_header(cookies), "Accept": "application/json"}

    def post(data: dict[str, str], headers: dict[str, str] = json_headers) -> Any:
        return requests.post(url, data=data, headers=headers, allow_redirects=False, timeout=30)

    assert post({"version": str(version), "operation.nom": "Sans jeton"}).status_code == 403
    stale = post({"csrf_token": cookies["__Host-ami_csrf"], "version": str(version - 1), "operation.nom": "Vieux"})
    assert stale.status_code == 409 and stale.json()["code"] == "brouillon_modifie"
    assert stale.json()["message"].startswith("Ce brouillon a été enregistré ailleurs à ")
    other = post(
        {"csrf_token": stranger_cookies["__Host-ami_csrf"], "version": str(version), "operation.nom": "X"},
        {**_header(stranger_cookies), "Accept": "application/json"},
    )
    assert other.status_code == 404
    saved = post(
        {
            "csrf_token": cookies["__Host-ami_csrf"],
            "version": str(version),
            "operation.nom": "Résidence du point d'accès",
            "operation.commune_insee": "38000",
        }
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == version + 1 and saved.json()["message"].startswith("Brouillon enregistré à ")
    from ami.domain.audit import dossier_chain

    # The page's save is audited under the user's pseudonym (its Cognito sub), as the API's: never its address.
    actors = [e.actor for e in ami.runtime.functions.app.store.chain_entries(dossier_chain(dossier_id))]
    assert actors[-1].startswith(f"bailleur:{owner.siren}:") and all("@" not in a for a in actors)
    d = dossiers.get_dossier(dossier_id)
    assert (d.form.operation.nom, d.form.operation.commune_insee, d.version) == (
        "Résidence du point d'accès",
        "38185",
        version + 1,
    )


def test_the_commune_is_found_by_its_postcode_with_and_without_javascript(page: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    owner = ami.register_bailleur()
    dossier_id = ami.new_dossier(owner)
    dossiers = ami.runtime.functions.app.dossiers
    sign_in(page, web, owner.email, API_PASSWORD)
    page.goto(f"{web}/dossiers/{dossier_id}")
    field = page.locator("#champ-operation-commune-insee")
    field.fill("")
    field.press_sequentially("38000", delay=30)
    page.locator("#communes-suggestions option[value='Grenoble (38185)']").wait_for(state="attached")
    field.fill("Grenoble (38185)")
    assert page.locator("#zone-suggestion").inner_text() == (
        "Grenoble (38185), code postal 38000, 38100, 38700, département 38 : zone B1."
    )
    inspect.check(page, "27 commune par code postal")
    page.locator("#statut-brouillon").filter(has_text="Brouillon enregistré à").wait_for()
    _wait_until_all_saved(page)
    assert dossiers.get_dossier(dossier_id).form.operation.commune_insee == "38185"  # saved as typed
    page.goto(f"{web}/tableau-de-bord")  # nothing left to save in this tab

    plain = page.context.browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        nojs = plain.new_page()
        sign_in(nojs, web, owner.email, API_PASSWORD)
        nojs.goto(f"{web}/dossiers/{dossier_id}")
        nojs.locator("#champ-operation-commune-insee").fill("69001")
        nojs.get_by_role("button", name="Enregistrer le brouillon").click()
        assert nojs.locator("#champ-operation-commune-insee-erreur").inner_text() == (
            "Le code 69001 désigne plusieurs communes : choisissez-en une, par exemple Affoux (69001), Lyon (69123)."
        )
        # (axe-core needs JavaScript: the same page is checked below, with it.)
        nojs.screenshot(path=str(CAPTURES / "28-commune-code-ambigu-sans-javascript-1280.png"), full_page=True)
        nojs.locator("#champ-operation-commune-insee").fill("75011")  # a postcode of Paris only
        nojs.get_by_role("button", name="Enregistrer le brouillon").click()
        nojs.wait_for_url(re.compile(r".*\?note=enregistre#formulaire$"))
        assert dossiers.get_dossier(dossier_id).form.operation.commune_insee == "75056"
        assert "Paris (75056), département 75 : zone Abis." in nojs.locator("#zone-commune").inner_text()
    finally:
        plain.close()
    page.goto(f"{web}/dossiers/{dossier_id}")
    page.locator("#champ-operation-commune-insee").fill("69001")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.locator("#champ-operation-commune-insee-erreur").inner_text().startswith("Le code 69001 désigne")
    inspect.check(page, "28 commune code ambigu")


def test_the_receipt_email_links_to_the_receipt_on_the_plateforme(page: Any, ami: Any, settle: Any) -> None:
    web = ami.runtime.web_url
    owner = ami.register_bailleur()
    dossier_id = ami.new_dossier(owner)
    ami.upload_good_pieces(owner, dossier_id)
    settle()
    owner.call("POST", f"/dossiers/{dossier_id}/envoi")
    settle()
    (email,) = [e for e in ami.emails_to(owner.email) if "accusé de réception" in e.subject.lower()]
    links = re.findall(r'href="([^"]+)"', email.body)
    assert f"{web}/dossiers/{dossier_id}/accuse" in links and f"{web}/dossiers/{dossier_id}/accuse.pdf" in links
    # Followed from the email: sign-in first, then the very receipt.
    page.goto(f"{web}/dossiers/{dossier_id}/accuse")
    page.wait_for_url(re.compile(rf".*/connexion\?suite=/dossiers/{dossier_id}/accuse&motif=connexion_requise$"))
    page.get_by_label("Adresse électronique").fill(owner.email)
    page.get_by_label("Mot de passe").fill(API_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier_id}/accuse$"))
    assert "Accusé de réception" in page.locator("h1").inner_text()
