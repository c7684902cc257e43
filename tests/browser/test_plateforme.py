"""The plateforme in a real browser (headless Chromium) against the local stack: a bailleur's whole
deposit, tenant isolation through the pages, the session and CSRF checks, and a keyboard-only journey.
Every page met is checked with axe-core and photographed at 1280 and 360 px (see conftest)."""

from __future__ import annotations

import hashlib
import io
import re
import time
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow
PASSWORD = "Plateforme-Essai-2026!"
ENGLISH = re.compile(r"\b(Field required|Input should|value is not|String should|Internal Server Error|"
                     r"Traceback|Forbidden|Not Found)\b")


def french_only(page: Any) -> str:
    text = page.inner_text("body")
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert "(s)" not in text and "(e)" not in text
    return str(text)


def register(page: Any, web: str, siren: str, email: str, raison_sociale: str) -> None:
    page.goto(f"{web}/inscription")
    page.get_by_label("Raison sociale").fill(raison_sociale)
    page.get_by_label("SIREN").fill(siren)
    page.get_by_label("Forme juridique").select_option("oph")
    page.get_by_label("Adresse du siège").fill("12 quai Perrache, 69002 Lyon")
    page.get_by_label("Adresse électronique de contact").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Inscrire l'organisme").click()


def sign_in(page: Any, web: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{web}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r".*/tableau-de-bord$"))


def fill_operation(page: Any, form: dict[str, Any]) -> None:
    op = form["operation"]
    page.get_by_label("Nom de l'opération").fill(op["nom"])
    page.get_by_label("Commune").fill("Lyon")
    page.get_by_label("Adresse de l'opération").fill(op["adresse"])
    for typology, n in op["logements"].items():
        page.locator(f"#champ-operation-logements-{typology.replace('_', '-')}").fill(str(n))
    page.locator("#champ-operation-surface-habitable-m2").fill(op["surface_habitable_m2"].replace(".", ","))
    page.locator("#champ-operation-surface-utile-m2").fill(op["surface_utile_m2"].replace(".", ","))
    page.locator("#champ-operation-loyer-mensuel-total-eur").fill("36 928,40")
    page.locator("#champ-operation-date-debut-travaux").fill(op["date_debut_travaux"])


def upload(page: Any, piece: str, name: str, data: bytes) -> None:
    form = page.locator(f"#piece-{piece} form.depot")
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": "application/pdf", "buffer": data})
    form.get_by_role("button", name="Déposer le fichier").click()


def test_a_bailleur_deposits_a_dossier_in_the_browser(page: Any, inspect: Any, ami: Any, settle: Any) -> None:
    web = ami.runtime.web_url
    siren = ami.unique_siren("oph")
    email, raison_sociale = f"plateforme.{siren}@bailleur-essai.example", f"Habitat Plateforme {siren}"

    page.goto(f"{web}/")
    assert "600\u00a0000\u00a0000 €" in french_only(page)
    inspect.check(page, "01 accueil")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Cahier des charges")).click()
    assert "BIBLIOTHEQUE DE TELECHARGEMENT" in download.value.path().read_text(encoding="utf-8")

    # A wrong SIREN is refused next to its field, in French; the right one registers the organisme.
    register(page, web, siren[:-1] + str((int(siren[-1]) + 1) % 10), email, raison_sociale)
    assert page.locator("#siren-erreur").inner_text() == "Le numéro SIREN est invalide (clé de contrôle)."
    assert page.get_by_label("SIREN").get_attribute("aria-invalid") == "true"
    french_only(page)
    inspect.check(page, "02 inscription erreur")
    register(page, web, siren, email, raison_sociale)
    # Two steps: the account works once the code sent to the address is typed.
    page.wait_for_url(re.compile(r".*/inscription/confirmation$"))
    assert page.get_by_label("Adresse électronique de contact").input_value() == email
    page.get_by_label("Code de confirmation").fill("12345")
    page.get_by_role("button", name="Confirmer l'adresse").click()
    assert page.locator("#code-erreur").inner_text() == "Le code de confirmation compte 6 chiffres."
    french_only(page)
    inspect.check(page, "03 confirmation de l'adresse")
    from infra.mailbox import confirmation_code

    page.get_by_label("Code de confirmation").fill(confirmation_code(ami.runtime.emulation.endpoint, email))
    page.get_by_role("button", name="Confirmer l'adresse").click()
    page.wait_for_url(re.compile(r".*/connexion\?confirme=1$"))
    assert "Votre adresse est confirmée" in french_only(page)
    inspect.check(page, "03 connexion")
    sign_in(page, web, email)
    assert "Vous n'avez pas encore de dossier" in french_only(page)

    page.get_by_role("button", name="Créer un dossier").click()
    page.wait_for_url(re.compile(r".*/dossiers/[0-9a-f]{32}$"))
    dossier_id = page.url.rsplit("/", 1)[1]
    form = ami.complete_dossier_form()
    fill_operation(page, form)
    page.locator("#champ-operation-surface-utile-m2").fill("mille")  # an error first, in French, by its field
    page.get_by_role("button", name="Ajouter un prêt foncier").click()
    error = page.locator("#champ-operation-surface-utile-m2-erreur").inner_text()
    assert error == "Surface utile : doit être un nombre."
    french_only(page)
    inspect.check(page, "04 formulaire erreur")
    page.locator("#champ-operation-surface-utile-m2").fill(form["operation"]["surface_utile_m2"].replace(".", ","))
    page.locator("#prets-foncier .pret").last.get_by_label("Montant (en €)").fill("1 450 000,00")
    page.locator("#prets-foncier .pret").last.get_by_label("Durée en mois (en mois)").fill("600")
    page.locator("#prets-foncier .pret").last.get_by_label("Marge (en %)").fill("0,60")
    page.get_by_role("button", name="Ajouter un prêt bâti").click()
    page.locator("#prets-bati .pret").last.get_by_label("Montant (en €)").fill("7 300 000")
    page.locator("#prets-bati .pret").last.get_by_label("Durée en mois (en mois)").fill("480")
    page.locator("#prets-bati .pret").last.get_by_label("Marge (en %)").fill("0,60")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_role("status").first.inner_text() == "Le brouillon est enregistré."
    assert "zone A" in page.locator("#zone-commune").inner_text()
    saved = ami.runtime.functions.app.dossiers.get_dossier(dossier_id)
    assert [(p.kind, str(p.montant_eur)) for p in saved.form.prets] == [("foncier", "1450000.00"), ("bati", "7300000")]
    assert saved.form.operation.commune_insee == "69123"
    inspect.check(page, "05 formulaire enregistre")

    # The dwellings typology by typology (surfaces and rent of each): the totals are then computed.
    for typology, n, habitable, utile, rent in (("t2", "18", "55", "58", "780"), ("t3", "16", "68,75", "73,25",
                                                                                 "1 000,00"),
                                                ("t4", "6", "85", "90", "1 148,40")):
        page.get_by_role("button", name="Ajouter une ligne de logements").click()
        line = page.locator("#lignes .ligne").last
        line.get_by_label("Typologie").select_option(typology)
        line.get_by_label("Nombre de logements").fill(n)
        line.get_by_label("Surface habitable d'un logement (en m²)").fill(habitable)
        line.get_by_label("Surface utile d'un logement (en m²)").fill(utile)
        line.get_by_label("Loyer mensuel d'un logement (en €)").fill(rent)
    page.get_by_label("Distance à pied jusqu'à l'arrêt de transport en commun le plus proche (en m)").fill("350")
    page.get_by_label("Services de proximité, distance à pied retenue (en m)").fill("500")
    page.get_by_label("Écoles").check()
    page.get_by_label("Commerces").check()
    page.get_by_label("Classe DPE").select_option("B")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_role("status").first.inner_text() == "Le brouillon est enregistré."
    op = ami.runtime.functions.app.dossiers.get_dossier(dossier_id).form.operation
    assert [(ln.typologie, ln.nombre) for ln in op.lignes or []] == [("t2", 18), ("t3", 16), ("t4", 6)]
    expected = form["operation"]
    assert (str(op.surface_habitable_m2), str(op.surface_utile_m2), str(op.loyer_mensuel_total_eur)) == (
        "2600.00", expected["surface_utile_m2"], expected["loyer_mensuel_total_eur"])
    assert op.services_proximite is not None and op.services_proximite.services == ["commerces", "ecoles"]
    assert op.qualite_construction is not None and op.qualite_construction.classe_dpe == "B"
    assert page.locator("#champ-operation-surface-utile-m2").get_attribute("readonly") is not None
    french_only(page)
    inspect.check(page, "05 detail des logements")

    # Refused before any byte is sent: not a PDF, too big.
    form_lo = page.locator("#piece-lettre_offre form.depot")
    form_lo.locator("input[type=file]").set_input_files({"name": "offre.docx", "mimeType": "application/msword",
                                                         "buffer": b"PK\x03\x04"})
    form_lo.get_by_role("button", name="Déposer le fichier").click()
    assert "n'est pas un PDF" in page.locator("#fichier-lettre_offre-erreur").inner_text()
    form_lo.locator("input[type=file]").set_input_files({"name": "offre.pdf", "mimeType": "application/pdf",
                                                         "buffer": b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024 + 1)})
    form_lo.get_by_role("button", name="Déposer le fichier").click()
    assert "la limite est de 25\u00a0Mo" in page.locator("#fichier-lettre_offre-erreur").inner_text()
    assert ami.runtime.functions.app.dossiers.piece_records(dossier_id) == {}
    inspect.check(page, "06 piece refusee avant envoi")

    # A file that only looks like a PDF: intake refuses it, the page shows why; then the good one.
    upload(page, "lettre_offre", "offre.pdf", b"ceci n'est pas un PDF")
    refused = page.locator("#piece-lettre_offre .verdict.refuse")
    refused.wait_for()
    assert refused.inner_text().startswith("Refusée : ")
    french_only(page)
    inspect.check(page, "07 piece refusee par la verification")
    client = type("B", (), {"siren": siren, "raison_sociale": raison_sociale})()
    pieces = {p: ami.good_pdf(client, p) for p in ("lettre_offre", "dossier_presentation")}
    upload(page, "lettre_offre", "lettre-offre.pdf", pieces["lettre_offre"])
    page.locator("#piece-lettre_offre .verdict.accepte").wait_for()
    upload(page, "dossier_presentation", "presentation.pdf", pieces["dossier_presentation"])
    page.locator("#piece-dossier_presentation .verdict.accepte").wait_for()
    assert page.locator("#piece-dossier_presentation .verdict").inner_text().startswith("Accepté : ")
    checks = page.locator("#verifications").inner_text()
    assert "À compléter" not in checks
    inspect.check(page, "08 pieces acceptees")

    page.get_by_role("link", name="Envoyer le dossier…").click()
    text = french_only(page)
    assert "ne peuvent plus être modifiés" in text and "définitif" not in text
    inspect.check(page, "09 confirmation envoi")
    page.get_by_role("button", name="Envoyer le dossier").click()
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier_id}/accuse$"))
    sent = ami.runtime.functions.app.dossiers.get_dossier(dossier_id)
    assert sent.envoi is not None
    shown = page.locator("#heure-depot").inner_text()
    assert re.fullmatch(r"\d{1,2}(er)? \w+ \d{4} à \d{1,2} h \d{2} min \d{2},\d{3} s \(heure de Paris\)", shown)
    from web.views import paris_ms

    assert shown == paris_ms(sent.envoi.sent_at)
    for piece, data in pieces.items():
        assert hashlib.sha256(data).hexdigest() in page.inner_text("body"), piece
    inspect.check(page, "10 accuse de reception")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name=re.compile("Télécharger l'accusé")).click()
    from pypdf import PdfReader

    pdf_text = PdfReader(io.BytesIO(pdf_download.value.path().read_bytes())).pages[0].extract_text()
    assert hashlib.sha256(pieces["lettre_offre"]).hexdigest() in pdf_text and "Accusé de réception" in pdf_text

    settle()
    for _ in range(20):
        page.reload()
        if page.locator("#numero-depot").inner_text().startswith("n° "):
            break
        time.sleep(0.5)
    numbered = ami.runtime.functions.app.dossiers.get_dossier(dossier_id)
    assert page.locator("#numero-depot").inner_text() == f"n° {numbered.deposit_number}"
    page.goto(f"{web}/tableau-de-bord")
    assert f"Complet (n° {numbered.deposit_number})" in french_only(page)
    inspect.check(page, "11 tableau de bord")


def _session_cookies(web: str, email: str) -> dict[str, str]:
    """Sign in without a browser: the cookies a browser would hold."""
    first = requests.get(f"{web}/connexion", timeout=30)
    csrf = first.cookies["__Host-ami_csrf"]
    signed = requests.post(f"{web}/connexion", data={"csrf_token": csrf, "email": email, "mot_de_passe": PASSWORD},
                           headers={"Cookie": f"__Host-ami_csrf={csrf}"}, allow_redirects=False, timeout=30)
    assert signed.status_code == 303, signed.text[:300]
    cookies = dict(re.findall(r"(__Host-ami_\w+)=([^;]*)", signed.headers["Set-Cookie"]))
    return {"__Host-ami_csrf": csrf, **cookies}


def _header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


def _web_bailleur(ami: Any) -> tuple[Any, dict[str, str]]:
    from support import PASSWORD as API_PASSWORD

    b = ami.register_bailleur()
    global PASSWORD
    saved, PASSWORD = PASSWORD, API_PASSWORD
    try:
        return b, _session_cookies(ami.runtime.web_url, b.email)
    finally:
        PASSWORD = saved


def test_a_bailleur_cannot_reach_another_ones_dossier_nor_post_without_csrf(ami: Any) -> None:
    web = ami.runtime.web_url
    owner, owner_cookies = _web_bailleur(ami)
    stranger, stranger_cookies = _web_bailleur(ami)
    dossier_id = ami.new_dossier(owner)

    mine = requests.get(f"{web}/dossiers/{dossier_id}", headers=_header(owner_cookies), timeout=30)
    assert mine.status_code == 200 and "Résidence des Essais" in mine.text
    for path in ("", "/accuse", "/envoi", "/etat"):
        other = requests.get(f"{web}/dossiers/{dossier_id}{path}", headers=_header(stranger_cookies), timeout=30)
        assert other.status_code == 404, path
        assert "Résidence des Essais" not in other.text
    assert "Résidence des Essais" not in requests.get(f"{web}/tableau-de-bord", headers=_header(stranger_cookies),
                                                      timeout=30).text

    # The owner's session token with the stranger's SIREN written in: the signature no longer holds.
    head, payload, signature = owner_cookies["__Host-ami_session"].split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["custom:siren"] = stranger.siren
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tampered = {**stranger_cookies, "__Host-ami_session": f"{head}.{forged}.{signature}"}
    refused = requests.get(f"{web}/dossiers/{dossier_id}", headers=_header(tampered), allow_redirects=False, timeout=30)
    assert refused.status_code == 303 and refused.headers["Location"].startswith("/connexion")
    # The stranger's session cannot send the owner's dossier, even with a valid CSRF token.
    sent = requests.post(f"{web}/dossiers/{dossier_id}/envoi", data={"csrf_token": stranger_cookies["__Host-ami_csrf"]},
                         headers=_header(stranger_cookies), allow_redirects=False, timeout=30)
    assert sent.status_code == 404
    assert ami.runtime.functions.app.dossiers.get_dossier(dossier_id).envoi is None

    # A form posted without its CSRF token (or with another browser's) changes nothing.
    for data in ({}, {"csrf_token": "x" * 43}):
        csrfless = requests.post(f"{web}/dossiers/{dossier_id}", data={**data, "operation.nom": "Piratée"},
                                 headers=_header(owner_cookies), allow_redirects=False, timeout=30)
        assert csrfless.status_code == 403
        assert "rechargez la page" in csrfless.text
    assert ami.runtime.functions.app.dossiers.get_dossier(dossier_id).form.operation.nom != "Piratée"

    headers = mine.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and "max-age=" in headers["Strict-Transport-Security"]
    set_cookie = requests.get(f"{web}/", timeout=30).headers["Set-Cookie"]
    assert all(flag in set_cookie for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"))


def test_the_journey_works_with_the_keyboard_only(page: Any, inspect: Any, ami: Any) -> None:
    from support import PASSWORD as API_PASSWORD

    web = ami.runtime.web_url
    b = ami.register_bailleur()

    def tab_to(selector: str, limit: int = 60) -> None:
        target = page.locator(selector)
        for _ in range(limit):
            page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{selector} n'est pas atteignable au clavier")

    page.goto(f"{web}/connexion")
    tab_to("#email")
    page.keyboard.type(b.email)
    tab_to("#mot_de_passe")
    page.keyboard.type(API_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/tableau-de-bord$"))
    tab_to("button:has-text('Créer un dossier')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dossiers/[0-9a-f]{32}$"))
    tab_to("#champ-operation-nom")
    page.keyboard.type("Résidence au clavier")
    tab_to("#champ-operation-commune-insee")
    page.keyboard.type("69123")
    page.keyboard.press("Enter")  # Enter in a field saves the brouillon
    page.wait_for_url(re.compile(r".*\?note=enregistre#formulaire$"))
    assert page.locator("h1").inner_text() == "Résidence au clavier"
    tab_to("#fichier-lettre_offre")
    tab_to("a:has-text('Envoyer le dossier…')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/envoi$"))
    assert "Avant d'envoyer, vérifiez ces points" in page.inner_text("body")
    inspect.check(page, "12 envoi incomplet au clavier")


def test_one_click_on_envoyer_makes_one_deposit_even_when_posted_twice(ami: Any) -> None:
    web = ami.runtime.web_url
    owner, cookies = _web_bailleur(ami)
    dossier_id = ami.new_dossier(owner)
    confirm = requests.get(f"{web}/dossiers/{dossier_id}/envoi", headers=_header(cookies), timeout=30)
    key = re.search(r'name="cle_envoi" value="([0-9a-f]{32})"', confirm.text)
    assert key is not None
    posted = {"csrf_token": cookies["__Host-ami_csrf"], "cle_envoi": key[1]}
    dossiers = ami.runtime.functions.app.dossiers

    def post() -> Any:
        return requests.post(f"{web}/dossiers/{dossier_id}/envoi", data=posted, headers=_header(cookies),
                             allow_redirects=False, timeout=30)

    first = post()
    sent = dossiers.get_dossier(dossier_id)
    assert sent.envoi is not None and sent.envoi.idempotency_key == key[1]
    # The same click again (a lost answer, a double click): its deposit, not a conflict nor a second one,
    # even once the dossier has been declared incomplet (then editable, and another click sends it again).
    again = post()
    assert [first.status_code, again.status_code] == [303, 303]
    assert again.headers["Location"] == first.headers["Location"] == f"/dossiers/{dossier_id}/accuse"
    assert dossiers.get_dossier(dossier_id).envoi.envoi_id == sent.envoi.envoi_id


def test_a_forgotten_password_is_changed_with_the_code_sent_by_cognito(page: Any, inspect: Any, ami: Any) -> None:
    web = ami.runtime.web_url
    b = ami.register_bailleur()
    page.goto(f"{web}/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse électronique").fill(b.email)
    inspect.check(page, "13 mot de passe oublie")
    page.get_by_role("button", name="Recevoir un code").click()
    page.wait_for_url(re.compile(r".*/mot-de-passe-oublie/code$"))
    assert page.get_by_label("Adresse électronique").input_value() == b.email
    page.get_by_label("Code reçu par courriel").fill("12 345")
    page.locator("#mot_de_passe").fill("court")
    page.get_by_role("button", name="Changer le mot de passe").click()
    assert page.locator("#code-erreur").inner_text() == "Le code reçu par courriel compte 6 chiffres."
    assert page.locator("#mot_de_passe-erreur").inner_text() == ("Le mot de passe doit comporter au moins 12 "
                                                                 "caractères.")
    french_only(page)
    inspect.check(page, "14 nouveau mot de passe erreur")
    # In AWS, Cognito emails the code itself; the emulation accepts any code of the right form.
    page.get_by_label("Code reçu par courriel").fill("123456")
    page.locator("#mot_de_passe").fill(PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Changer le mot de passe").click()
    page.wait_for_url(re.compile(r".*/connexion\?mot_de_passe=1$"))
    assert "Votre mot de passe est changé" in french_only(page)
    sign_in(page, web, b.email)
