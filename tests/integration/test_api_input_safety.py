"""The API's edges against hostile input: control, invisible and bidi characters refused field by field
in French (422), deeply nested JSON refused before parsing (400), and no 500 that logs what was typed."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from ami.adapters.dynamodb import Store as DynamoStore
from api.errors import MAX_BODY_BYTES
from chalice.test import Client
from test_api_moto import (  # noqa: F401
    BAILLEUR_A,
    FORM,
    INSTRUCTEUR,
    PASSWORD,
    aws,
    call,
    client,
    headers,
    new_dossier,
    register,
    registration,
)
from test_scoring_api import numbered_and_scored

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")

ENGLISH = ("String should", "Field required", "Input should", "Extra inputs", "Value error", "should have")
BAD_TEXT = {
    "\x0b": "texte_retour_ligne",
    "\x01": "texte_caractere_controle",
    "\x00": "texte_caractere_controle",
    "\x85": "texte_retour_ligne",
    "\x9b": "texte_caractere_controle",
    "\r\n": "texte_retour_ligne",
    "\n": "texte_retour_ligne",
    "\t": "texte_caractere_controle",
    "\u202e": "texte_caractere_direction",
    "\u2066": "texte_caractere_direction",
    "\u200f": "texte_caractere_direction",
    "\u200b": "texte_caractere_invisible",
    "\u200d": "texte_caractere_invisible",
    "\ufeff": "texte_caractere_invisible",
    "\u2028": "texte_retour_ligne",
}


def assert_french_422(r: Any, champ: str, kind: str, label: str) -> None:
    assert r.status_code == 422, r.body
    body = r.json_body
    assert set(body) == {"code", "message", "details"} and body["code"] == "donnees_invalides"
    (detail,) = body["details"]
    assert detail["champ"] == champ and detail["type"] == kind
    assert detail["msg"].startswith(f"{label} : ") and body["message"] == detail["msg"]
    assert not any(e in r.body.decode() for e in ENGLISH), r.body


@pytest.mark.parametrize(("char", "kind"), sorted(BAD_TEXT.items()))
def test_operation_name_refuses_control_bidi_and_invisible_characters(
    client: Client, char: str, kind: str  # noqa: F811
) -> None:
    register(client)
    r = call(client, "POST", "/dossiers", {"operation": {"nom": f"Les{char}Tilleuls"}}, BAILLEUR_A)
    assert_french_422(r, "operation.nom", kind, "Nom de l'opération")
    assert f"U+{ord(char[0]):04X}" in r.json_body["message"]


def test_a_leading_tab_is_refused_not_stripped(client: Client) -> None:  # noqa: F811
    register(client)
    r = call(client, "POST", "/dossiers", {"operation": {"nom": "\t=1+1"}}, BAILLEUR_A)
    assert_french_422(r, "operation.nom", "texte_caractere_controle", "Nom de l'opération")


@pytest.mark.parametrize(
    ("field", "label"),
    [("raison_sociale", "Raison sociale"), ("adresse", "Adresse"),
     ("email_contact", "Adresse électronique de contact")],
)
def test_registration_refuses_control_characters_and_names_the_field(
    client: Client, aws: dict[str, Any], field: str, label: str  # noqa: F811
) -> None:
    value = {"raison_sociale": "Habitat\x00Exemple", "adresse": "1 rue de la Paix\x0b75002 Paris",
             "email_contact": "a\u202e@bailleur-a.fr"}[field]
    r = call(client, "POST", "/inscription", registration(**{field: value}))
    assert r.status_code == 422 and r.json_body["details"][0]["champ"] == field
    assert r.json_body["message"].startswith(f"{label} : ")
    assert PASSWORD not in r.body.decode()
    assert len(aws["idp"].list_users(UserPoolId=aws["pool_id"])["Users"]) == 1  # the instructor only


def test_loan_and_address_fields_are_checked_too(client: Client) -> None:  # noqa: F811
    register(client)
    form = json.loads(json.dumps(FORM))
    form["operation"]["adresse"] = "3 rue des\u200bTilleuls"
    form["prets"][1]["produit"] = "PLI\x1b[31m"
    r = call(client, "PUT", f"/dossiers/{new_dossier(client)}", form, BAILLEUR_A)
    assert r.status_code == 422
    assert {d["champ"]: d["msg"] for d in r.json_body["details"]} == {
        "operation.adresse": "Adresse de l'opération : contient un caractère invisible (U+200B), retirez-le.",
        "prets.1.produit": "Prêt n° 2, produit : contient un caractère de contrôle (U+001B), retirez-le.",
    }
    assert r.json_body["message"].startswith("Les données envoyées comportent 2 erreurs.")


def test_clean_text_with_accents_quotes_and_non_breaking_spaces_is_accepted(client: Client) -> None:  # noqa: F811
    register(client)
    nom = "Résidence « L’Orée » – tranche\u00a02 (Saint-Étienne) 漢字 🏠"
    r = call(client, "POST", "/dossiers", {"operation": {"nom": nom}}, BAILLEUR_A)
    assert r.status_code == 201, r.body
    assert r.json_body["form"]["operation"]["nom"] == nom


def test_other_validation_errors_are_in_french_too(client: Client) -> None:  # noqa: F811
    register(client)
    r = call(client, "POST", "/dossiers",
             {"operation": {"nom": "X", "commune_insee": "7505"},
              "prets": [{"kind": "autre", "montant_eur": "-1", "duree_mois": 12.5}]}, BAILLEUR_A)
    assert r.status_code == 422
    msgs = {d["champ"]: d["msg"] for d in r.json_body["details"]}
    assert msgs["operation.nom"] == "Nom de l'opération : doit comporter au moins 2 caractères."
    assert msgs["operation.commune_insee"].startswith("Code INSEE de la commune : doit être un code INSEE")
    assert msgs["prets.0.kind"] == "Prêt n° 1, nature (foncier ou bâti) : doit valoir 'foncier' ou 'bati'."
    assert msgs["prets.0.montant_eur"] == "Prêt n° 1, montant : doit être supérieur à 0."
    assert msgs["prets.0.marge_pct"] == "Prêt n° 1, marge : est obligatoire."
    assert not any(e in r.body.decode() for e in ENGLISH), r.body


def test_score_override_justification_may_span_lines_but_not_hold_controls(
    client: Client, aws: dict[str, Any]  # noqa: F811
) -> None:
    first, _ = numbered_and_scored(client, aws)
    path = f"/instruction/dossiers/{first}/score/niveau_loyer"
    bad = call(client, "PUT", path, {"points": "5", "justification": "Loyer vérifié\u202e sur bail type"}, INSTRUCTEUR)
    assert_french_422(bad, "justification", "texte_caractere_direction", "Justification")
    ok = call(client, "PUT", path, {"points": "5", "justification": "Loyer vérifié\r\nsur le bail type."},
              INSTRUCTEUR)
    assert ok.status_code == 200, ok.body


# ---------------------------------------------------------------- nesting


DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 KB, under the 256 KiB limit


@pytest.mark.parametrize("body", [DEEP, b'{"operation": ' + b"[" * 100_000, b'{"a":' * 40_000 + b"1" + b"}" * 40_000])
def test_deeply_nested_json_is_a_400_on_every_body(client: Client, aws: dict[str, Any], body: bytes) -> None:  # noqa: F811
    assert len(body) <= MAX_BODY_BYTES
    first, dossier_id = numbered_and_scored(client, aws)  # registers bailleur A
    for method, path, h in [
        ("POST", "/dossiers", BAILLEUR_A),
        ("PUT", f"/dossiers/{dossier_id}", BAILLEUR_A),
        ("POST", "/inscription", headers()),
        ("PUT", f"/instruction/dossiers/{first}/score/niveau_loyer", INSTRUCTEUR),
    ]:
        r = call(client, method, path, raw=body, h=h)
        assert r.status_code == 400, (path, r.status_code, r.body[:200])
        assert r.json_body["code"] == "json_trop_imbrique" and "32 niveaux" in r.json_body["message"]


def test_nesting_inside_strings_does_not_count(client: Client) -> None:  # noqa: F811
    register(client)
    r = call(client, "POST", "/dossiers", {"operation": {"nom": "[" * 5000 + '\\"{' * 100}}, BAILLEUR_A)
    assert r.status_code == 422 and r.json_body["details"][0]["champ"] == "operation.nom"  # too long, not too deep


def test_ordinary_nesting_is_accepted(client: Client) -> None:  # noqa: F811
    register(client)
    assert call(client, "POST", "/dossiers", FORM, BAILLEUR_A).status_code == 201


# ---------------------------------------------------------------- no user text in the logs of a 500


def test_an_unexpected_error_logs_where_it_happened_not_what_was_typed(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    register(client)

    def boom(*_: Any) -> None:
        raise ValueError("Habitat Secret <contact@bailleur-a.fr> 1 234 567,89 €") from KeyError("Les Tilleuls")

    monkeypatch.setattr(DynamoStore, "list_dossiers", boom)
    with caplog.at_level(logging.DEBUG):
        r = call(client, "GET", "/dossiers", h=BAILLEUR_A)
    assert r.status_code == 500 and r.json_body["code"] == "erreur_interne"
    logged = "\n".join(rec.getMessage() + (rec.exc_text or "") for rec in caplog.records)
    assert "ValueError" in logged and "KeyError" in logged and "boom" in logged
    for secret in ("Habitat Secret", "contact@bailleur-a.fr", "1 234 567", "Tilleuls"):
        assert secret not in logged
    assert all(rec.exc_info is None for rec in caplog.records)
