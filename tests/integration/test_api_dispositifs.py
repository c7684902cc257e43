"""The bailleur chooses a dispositif through the API: the open ones listed with their library, a dossier created
in the one chosen, and the DROM's deadline (30 September 23:59, Paris time) enforced at the envoi, on a fixed
clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api import app as api
from chalice.test import Client
from test_api_moto import BAILLEUR_A, INSTRUCTEUR, INSTRUCTOR_EMAIL, aws, call, client, headers, register, token  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Clock:
    at: datetime

    def __call__(self) -> datetime:
        return self.at


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[arg-type,misc]


@pytest.fixture
def clock(aws: dict[str, Any]) -> Clock:  # noqa: F811
    fixed = Clock(paris(2024, 9, 30, 12, 0))
    api.services().clock = fixed
    return fixed


def test_the_open_dispositifs_are_listed_with_their_library(client: Client, clock: Clock) -> None:  # noqa: F811
    r = call(client, "GET", "/dispositifs")
    assert r.status_code == 200
    by_code = {d["code"]: d for d in r.json_body}
    assert set(by_code) == {"garantie-lli-bdt", "drom-2024"}
    drom = by_code["drom-2024"]
    assert drom["numerotation"] is False and by_code["garantie-lli-bdt"]["numerotation"] is True
    assert drom["cloture_texte"] == "jusqu'au 30 septembre 2024 à 23 h 59 (heure de Paris)"
    assert [p["piece"] for p in drom["pieces"]] == ["tableau_programmation"]
    addresses = [doc["adresse"] for doc in drom["documents"]]
    assert "/dispositifs/drom-2024/documents/tableau-programmation-drom-2024.xlsx" in addresses
    clock.at = paris(2024, 10, 1, 0, 0)  # the DROM closed: only the LLI is left
    assert [d["code"] for d in call(client, "GET", "/dispositifs").json_body] == ["garantie-lli-bdt"]


def test_a_dossier_is_created_in_the_dispositif_chosen_and_refused_in_a_closed_or_unknown_one(
    client: Client, clock: Clock  # noqa: F811
) -> None:
    register(client)
    r = call(client, "POST", "/dossiers", {"dispositif": "drom-2024", "programmation": {"departement": "971"}},
             BAILLEUR_A)
    assert r.status_code == 201, r.body
    assert r.json_body["dispositif"] == "drom-2024" and r.json_body["form"]["programmation"]["departement"] == "971"
    default = call(client, "POST", "/dossiers", {}, BAILLEUR_A)
    assert default.status_code == 201 and default.json_body["dispositif"] == "garantie-lli-bdt"
    unknown = call(client, "POST", "/dossiers", {"dispositif": "inconnu"}, BAILLEUR_A)
    assert unknown.status_code == 422 and unknown.json_body["code"] == "dispositif_inconnu"
    clock.at = paris(2024, 10, 1, 0, 0)
    closed = call(client, "POST", "/dossiers", {"dispositif": "drom-2024"}, BAILLEUR_A)
    assert closed.status_code == 409 and closed.json_body["code"] == "depot_clos"
    assert closed.json_body["message"] == ("Le dépôt des dossiers de ce dispositif est clos depuis le 30 septembre "
                                           "2024 à 23 h 59 (heure de Paris) : il n'est plus possible d'y créer un "
                                           "dossier.")


@pytest.mark.parametrize(("local", "status"), [((2024, 9, 30, 23, 59, 59, 999_000), 202),
                                               ((2024, 10, 1, 0, 0, 0, 0), 409)])
def test_the_drom_envoi_is_refused_from_midnight_on(client: Client, clock: Clock, local: tuple[int, ...],  # noqa: F811
                                                    status: int) -> None:
    register(client)
    r = call(client, "POST", "/dossiers", {"dispositif": "drom-2024"}, BAILLEUR_A)
    dossier_id = r.json_body["dossier_id"]
    clock.at = paris(*local)
    sent = call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A)
    assert sent.status_code == status, sent.body
    now = call(client, "GET", f"/dossiers/{dossier_id}", h=BAILLEUR_A).json_body["dossier"]
    if status == 202:
        assert now["status"] == "envoyé"
        return
    assert sent.json_body["code"] == "depot_clos"
    assert sent.json_body["message"] == ("Le dépôt est clos : il était possible jusqu'au 30 septembre 2024 à 23 h 59 "
                                         "(heure de Paris). Ce dossier ne peut plus être envoyé.")
    assert now["status"] == "brouillon"


def test_a_delegations_instructors_see_only_their_departements(client: Client, clock: Clock) -> None:  # noqa: F811
    register(client)
    sent = {}
    for dep in ("971", "974"):
        r = call(client, "POST", "/dossiers", {"dispositif": "drom-2024", "programmation": {"departement": dep}},
                 BAILLEUR_A)
        sent[dep] = r.json_body["dossier_id"]
        assert call(client, "POST", f"/dossiers/{sent[dep]}/envoi", h=BAILLEUR_A).status_code == 202
    brouillon = call(client, "POST", "/dossiers", {"dispositif": "drom-2024", "programmation": {"departement": "972"}},
                     BAILLEUR_A).json_body["dossier_id"]
    ocean_indien = headers(token(["instructeurs", "delegation-ocean-indien"], email=INSTRUCTOR_EMAIL))
    antilles = headers(token(["instructeurs", "delegation-antilles-guyane"], email=INSTRUCTOR_EMAIL))

    def listed(h: dict[str, str]) -> dict[str, str]:
        r = call(client, "GET", "/instruction/programmations", h=h)
        assert r.status_code == 200, r.body
        return {row["dossier_id"]: row["departement"] for row in r.json_body}

    assert listed(ocean_indien) == {sent["974"]: "974"}
    assert listed(antilles) == {sent["971"]: "971"}  # the 972 programmation is a brouillon: nobody sees it
    assert listed(INSTRUCTEUR) == {sent["971"]: "971", sent["974"]: "974"}  # national: every département
    path = "/instruction/dossiers/{}"
    assert call(client, "GET", path.format(sent["974"]), h=ocean_indien).status_code == 200
    other = call(client, "GET", path.format(sent["971"]), h=ocean_indien)
    assert other.status_code == 404 and other.json_body["code"] == "dossier_introuvable"
    assert call(client, "GET", path.format(sent["971"]), h=INSTRUCTEUR).status_code == 200
    assert call(client, "GET", path.format(brouillon), h=INSTRUCTEUR).status_code == 404
    taken = call(client, "POST", f"/instruction/travail/{sent['971']}/prise", h=ocean_indien)
    assert taken.status_code == 404  # nor can they act on it
