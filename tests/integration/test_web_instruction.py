"""The instructors' workspace over HTTP on the local stack (no browser): who may enter (instructors with
their second factor only), the list's server-side filters and paging, a dossier's PDFs served inline with
their own CSP, the score override and its audit entry, the actions with their confirmation, the registre
download, and the CSRF check of every POST."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
from support import PASSWORD
from webclient import WebClient

from infra.client import totp_code
from infra.provision import REGION

INSTRUCTOR_PASSWORD = "Instructeur-Essais-2026!"
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def deposited(ami: Any) -> dict[str, Any]:
    """Two numbered dossiers of one bailleur (Lyon, zone A), and an instructor with MFA."""
    bailleur = ami.register_bailleur()
    ids = [ami.new_dossier(bailleur) for _ in range(2)]
    for dossier_id in ids:
        ami.upload_good_pieces(bailleur, dossier_id)
    ami.settle()
    for dossier_id in ids:
        bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
        ami.settle()
    from infra.ops import add_instructor

    email = "espace.instruction@actionlogement.fr"
    secret = add_instructor(ami.runtime.stack, email, INSTRUCTOR_PASSWORD)
    return {"bailleur": bailleur, "ids": ids, "email": email, "secret": secret}


@pytest.fixture
def instructor(ami: Any, deposited: dict[str, Any]) -> WebClient:
    web = WebClient(ami.runtime.web_url)
    answer = web.sign_in(deposited["email"], INSTRUCTOR_PASSWORD, deposited["secret"])
    assert (answer.status_code, answer.headers["Location"]) == (303, "/instruction")
    return web


def test_nobody_but_an_instructor_with_a_second_factor_enters(ami: Any, deposited: dict[str, Any]) -> None:
    anonymous = WebClient(ami.runtime.web_url)
    answer = anonymous.get("/instruction")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/connexion?suite=/instruction")

    bailleur = WebClient(ami.runtime.web_url)
    assert bailleur.sign_in(deposited["bailleur"].email, PASSWORD).headers["Location"] == "/tableau-de-bord"
    for path in ("/instruction", f"/instruction/dossiers/{deposited['ids'][0]}",
                 f"/instruction/dossiers/{deposited['ids'][0]}/pieces/lettre_offre", "/instruction/registre"):
        refused = bailleur.get(path)
        assert refused.status_code == 403, path
        assert "réservé aux instructeurs" in refused.text and "%PDF" not in refused.text
    assert bailleur.post("/instruction/travail/suivant").status_code == 403

    # An instructor whose account has no second factor is refused as the JSON API refuses them.
    idp = boto3.session.Session().client("cognito-idp", endpoint_url=ami.runtime.emulation.endpoint,
                                         region_name=REGION)
    pool, email = ami.runtime.stack.user_pool_id, "sans.mfa@actionlogement.fr"
    idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=INSTRUCTOR_PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="instructeurs")
    no_mfa = WebClient(ami.runtime.web_url)
    assert no_mfa.sign_in(email, INSTRUCTOR_PASSWORD).headers["Location"] == "/instruction"
    refused = no_mfa.get("/instruction")
    assert refused.status_code == 403 and "double authentification" in refused.text


def test_the_second_factor_is_asked_and_a_wrong_code_starts_over(ami: Any, deposited: dict[str, Any]) -> None:
    web = WebClient(ami.runtime.web_url)
    answer = web.post("/connexion", {"email": deposited["email"], "mot_de_passe": INSTRUCTOR_PASSWORD,
                                     "suite": "/instruction?zone=A"})
    assert answer.headers["Location"] == "/connexion/code" and "__Host-ami_mfa" in web.jar
    assert "__Host-ami_session" not in web.jar
    page = web.get("/connexion/code")
    assert page.status_code == 200 and "application d'authentification" in page.text
    bad = web.post("/connexion/code", {"code": "12ab"})
    assert bad.status_code == 422 and "6 chiffres" in bad.text
    good = web.post("/connexion/code", {"code": totp_code(deposited["secret"])})
    assert good.status_code == 303 and good.headers["Location"] == "/instruction"
    assert "__Host-ami_session" in web.jar and "__Host-ami_mfa" not in web.jar
    # The challenge is used once: the code page without it sends back to the sign-in.
    assert web.get("/connexion/code").headers["Location"].startswith("/connexion")


def test_the_list_is_filtered_and_paged_on_the_server(instructor: WebClient, deposited: dict[str, Any]) -> None:
    ids = deposited["ids"]
    page = instructor.get("/instruction", zone="A", region="84")
    assert page.status_code == 200
    assert all(f"/instruction/dossiers/{i}" in page.text for i in ids)
    assert "Dossiers à instruire" in page.text and "Prendre le dossier suivant de la file" in page.text
    assert not any(f"/instruction/dossiers/{i}" in instructor.get("/instruction", zone="C").text for i in ids)
    assert not any(f"/instruction/dossiers/{i}" in instructor.get("/instruction", attente="oui").text for i in ids)
    wrong = instructor.get("/instruction", score_min="beaucoup", zone="Z")
    assert wrong.status_code == 422
    assert "Indiquez un nombre de points entre 0 et 100" in wrong.text and "Cette zone n'existe pas" in wrong.text
    far = instructor.get("/instruction", page="999")  # past the end: the last page
    shown = re.search(r"\(page (\d+) sur (\d+)\)", far.text)
    assert far.status_code == 200 and shown is not None and shown[1] == shown[2]


def test_a_dossier_shows_its_pdfs_inline_with_their_own_policy(instructor: WebClient,
                                                              deposited: dict[str, Any]) -> None:
    dossier_id = deposited["ids"][0]
    page = instructor.get(f"/instruction/dossiers/{dossier_id}")
    assert page.status_code == 200
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    for title in ("Pièces déposées", "Contrôles des pièces", "Score de priorité 2", "Formulaire du bailleur",
                  "Historique", "Actions possibles", "Numérotation"):
        assert title in page.text, title
    pdf = instructor.get(f"/instruction/dossiers/{dossier_id}/pieces/lettre_offre")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("inline;")
    assert pdf.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN" and pdf.headers["Cache-Control"] == "no-store"
    assert instructor.get(f"/instruction/dossiers/{dossier_id}/pieces/tableau_programmation").status_code == 404
    assert instructor.get("/instruction/dossiers/" + "0" * 32).status_code == 404


def test_a_criterion_is_overridden_with_a_justification_and_audited(ami: Any, instructor: WebClient,
                                                                    deposited: dict[str, Any]) -> None:
    dossier_id = deposited["ids"][0]
    short = instructor.post(f"/instruction/dossiers/{dossier_id}/score",
                            {"critere": "surfaces", "points": "2", "justification": "court"})
    assert short.status_code == 422 and "Une justification d'au moins 10 caractères" not in short.text
    assert "Justification trop courte" in short.text and "court</textarea>" in short.text
    too_many = instructor.post(f"/instruction/dossiers/{dossier_id}/score",
                               {"critere": "surfaces", "points": "1 000", "justification": "Relevé au plan."})
    assert too_many.status_code == 422 and "Entre 0 et" in too_many.text
    done = instructor.post(f"/instruction/dossiers/{dossier_id}/score",
                           {"critere": "surfaces", "points": "2,5", "justification": "Surfaces relevées au plan."})
    assert done.status_code == 303 and done.headers["Location"].endswith("?note=surcharge#score")
    d = ami.runtime.functions.app.dossiers.get_dossier(dossier_id)
    assert d.scoring.surcharges["surfaces"].points == 2.5
    assert d.scoring.surcharges["surfaces"].par == f"instructeur:{deposited['email']}"
    last = ami.runtime.functions.app.audit_log.history(dossier_id)[-1]
    assert (last.action, last.actor, last.reason) == ("surcharge_score", f"instructeur:{deposited['email']}",
                                                      "Surfaces relevées au plan.")
    page = instructor.get(f"/instruction/dossiers/{dossier_id}", note="surcharge")
    assert "La surcharge du critère est enregistrée" in page.text and "Surcharge d'un critère du score" in page.text


def test_actions_are_confirmed_then_done_as_the_signed_in_instructor(ami: Any, instructor: WebClient,
                                                                     deposited: dict[str, Any]) -> None:
    ids = deposited["ids"]
    # Nothing is held yet: no action but the override, and a forged one is refused.
    page = instructor.get(f"/instruction/dossiers/{ids[1]}")
    assert "/actions/mettre-en-instruction" not in page.text
    assert instructor.get(f"/instruction/dossiers/{ids[1]}/actions/mettre-en-instruction").status_code == 409
    held = None
    for _ in range(200):  # dossiers of other tests first, in number order: taken into instruction
        taken = instructor.post("/instruction/travail/suivant")
        assert taken.status_code == 303 and "/instruction/dossiers/" in taken.headers["Location"]
        held = taken.headers["Location"].split("/")[3].split("?")[0]
        if held in ids:
            break
        assert instructor.post(f"/instruction/dossiers/{held}/actions/mettre-en-instruction").status_code == 303
    assert held in ids
    page = instructor.get(f"/instruction/dossiers/{held}", note="pris")
    assert "Le dossier est à vous" in page.text and "/actions/mettre-en-instruction" in page.text
    confirm = instructor.get(f"/instruction/dossiers/{held}/actions/mettre-en-instruction")
    assert confirm.status_code == 200 and "Mettre ce dossier en instruction ?" in confirm.text
    assert instructor.post(f"/instruction/dossiers/{held}/actions/mettre-en-instruction", csrf=False).status_code \
        == 403  # no CSRF token: nothing done
    assert ami.runtime.functions.app.dossiers.get_dossier(held).status == "complet"
    done = instructor.post(f"/instruction/dossiers/{held}/actions/mettre-en-instruction")
    assert done.status_code == 303
    assert ami.runtime.functions.app.dossiers.get_dossier(held).status == "en_instruction"
    last = ami.runtime.functions.app.audit_log.history(held)[-1]
    assert (last.action, last.actor) == ("prise_en_instruction", f"instructeur:{deposited['email']}")
    again = instructor.post(f"/instruction/dossiers/{held}/actions/mettre-en-instruction")
    assert again.status_code == 409 and "Cette action n'est pas possible" in again.text


def test_the_registre_is_downloaded(instructor: WebClient, deposited: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    answer = instructor.get("/instruction/registre", ccn=tomorrow)
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == f'attachment; filename="registre-ccn-{tomorrow}.xlsx"'
    wb = load_workbook(io.BytesIO(answer.content))
    assert wb["Dossiers"].max_row >= 3 and wb["Dossiers"].page_setup.orientation == "landscape"
    unknown = instructor.get("/instruction/registre", seance="CCN-1999-01-01")
    assert unknown.status_code == 422 and "Aucun dossier n'est inscrit à cette séance" in unknown.text
    assert instructor.get("/instruction/registre", ccn="31/12/2026").status_code == 422
