"""What each side sees of the other: a bailleur sees roles, not ALS staff; an instructor does not see a
brouillon, which belongs to its bailleur until it is sent."""

from __future__ import annotations

from typing import Any

import pytest
from ami.domain.models import DossierStatus
from api import app as api
from chalice.test import Client
from test_api_moto import BAILLEUR_A, INSTRUCTEUR, aws, call, client, new_dossier, register  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")


def test_the_bailleur_history_shows_roles_never_addresses(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    register(client)
    dossier_id = new_dossier(client)
    assert call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A).status_code == 202
    d = api.services().store.get_dossier(dossier_id)
    assert d is not None
    api.services().store.transition(d, DossierStatus.EN_INSTRUCTION, "instructeur:jeanne.martin@actionlogement.fr",
                           "prise_en_instruction")
    r = call(client, "GET", f"/dossiers/{dossier_id}/historique", h=BAILLEUR_A)
    assert r.status_code == 200
    assert [(h["action"], h["actor"]) for h in r.json_body] == [
        ("creation", "bailleur"), ("envoi", "bailleur"), ("prise_en_instruction", "instructeur")]
    assert "@" not in r.body.decode() and "jeanne" not in r.body.decode()
    # the audit log itself still says who acted
    assert api.services().store.history(dossier_id)[-1].actor == "instructeur:jeanne.martin@actionlogement.fr"


def test_an_instructor_cannot_read_a_brouillon(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    register(client)
    dossier_id = new_dossier(client)
    path = f"/instruction/dossiers/{dossier_id}"
    r = call(client, "GET", path, h=INSTRUCTEUR)
    assert r.status_code == 404 and r.json_body["code"] == "dossier_introuvable"
    override = call(client, "PUT", f"{path}/score/niveau_loyer",
                    {"points": "5", "justification": "Tentative sur un brouillon."}, INSTRUCTEUR)
    assert override.status_code == 404 and override.json_body["code"] == "dossier_introuvable"
    assert call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A).status_code == 202
    sent = call(client, "GET", path, h=INSTRUCTEUR)
    assert sent.status_code == 200 and sent.json_body["dossier"]["status"] == "envoyé"
