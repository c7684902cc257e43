"""The instructors' workspace through the web app on fakes: who may enter (the `instructeurs` group with a
second factor), a delegation's instructor seeing only their départements' dossiers (as the JSON API), and the
actions a dossier's status and the work list allow (the place where the lifecycle plugs in)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ami import bootstrap
from ami.domain.models import Dossier, DossierForm, DossierStatus, ProgrammationForm, WorkItem
from ami.domain.worklist import WorkEntry
from ami.settings import Settings
from chalice.test import Client
from web import core, instruction_actions
from web.app import app

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DROM = "drom-2024"
CLAIMS: dict[str, Any] = {}


class Sessions:
    def verify(self, id_token: str) -> dict[str, Any]:
        return CLAIMS


class Accounts:
    def __init__(self) -> None:
        self.mfa = True

    def has_mfa(self, username: str) -> bool:
        return self.mfa


def instructor(*groups: str) -> None:
    CLAIMS.clear()
    CLAIMS.update({"sub": "i", "email": "i@actionlogement.fr", "cognito:username": "i@actionlogement.fr",
                   "cognito:groups": ["instructeurs", *groups]})


@pytest.fixture
def web() -> Iterator[tuple[Client, Accounts, dict[str, Dossier]]]:
    from fakes import InMemoryStore
    from scoring_data import dossier

    store = InMemoryStore()
    lli = dossier(1).model_copy(update={"status": DossierStatus.COMPLET})
    reunion = Dossier(dossier_id="c" * 32, siren="552100554", dispositif=DROM, created_at=AT, updated_at=AT,
                      form=DossierForm(programmation=ProgrammationForm(departement="974")),  # type: ignore[arg-type]
                      status=DossierStatus.COMPLET)
    for d in (lli, reunion):
        store.t.dossiers[d.dossier_id] = d
    accounts = Accounts()
    previous = core.configure(bootstrap.build(Settings(), store=store, sessions=Sessions(), accounts=accounts))
    try:
        yield Client(app), accounts, {"lli": lli, "reunion": reunion}
    finally:
        core.configure(previous)


def get(client: Client, path: str) -> Any:
    return client.http.get(path, headers={"cookie": "__Host-ami_session=jeton", "host": "127.0.0.1"})


def test_only_instructors_with_a_second_factor_enter(web: tuple[Client, Accounts, dict[str, Dossier]]) -> None:
    client, accounts, ds = web
    CLAIMS.clear()
    CLAIMS.update({"sub": "b", "email": "b@b.example", "custom:siren": "552100554", "cognito:groups": ["bailleurs"]})
    for path in ("/instruction", f"/instruction/dossiers/{ds['lli'].dossier_id}", "/instruction/registre"):
        answer = get(client, path)
        assert answer.status_code == 403 and "réservé aux instructeurs" in answer.body.decode(), path
    instructor()
    assert get(client, "/instruction").status_code == 200
    accounts.mfa = False
    refused = get(client, "/instruction")
    assert refused.status_code == 403 and "double authentification" in refused.body.decode()
    signed_out = client.http.get("/instruction", headers={"host": "127.0.0.1"})
    assert signed_out.status_code == 303 and signed_out.headers["Location"].startswith("/connexion?suite=/instruction")


def test_a_delegation_sees_its_departements_only(web: tuple[Client, Accounts, dict[str, Dossier]]) -> None:
    client, _, ds = web
    path = f"/instruction/dossiers/{ds['reunion'].dossier_id}"
    instructor("delegation-antilles-guyane")
    assert get(client, path).status_code == 404  # La Réunion is not theirs: it does not exist for them
    assert get(client, f"/instruction/dossiers/{ds['reunion'].dossier_id}/pieces/tableau_programmation"
               ).status_code == 404
    assert get(client, f"/instruction/dossiers/{ds['lli'].dossier_id}").status_code == 200  # the LLI is national
    instructor("delegation-ocean-indien")
    assert get(client, path).status_code == 200
    instructor()  # national
    assert get(client, path).status_code == 200


def test_the_actions_follow_the_status_and_the_work_list(web: tuple[Client, Accounts, dict[str, Dossier]]) -> None:
    _, _, ds = web
    d, me = ds["lli"], "instructeur:i@actionlogement.fr"
    item = WorkItem(dossier_id=d.dossier_id, deposit_number=1, siren=d.siren, raison_sociale="X", logements=1,
                    commune_insee=None, loan_total_eur=d.loan_total, deposited_at=AT)
    held = WorkEntry(item=item, holder=me, lease_until=AT + timedelta(minutes=5))
    sans_suite = ["classer_sans_suite"]  # the lifecycle's, open to any instructor on a numbered dossier
    assert [a.code for a in instruction_actions.allowed(d, held, me, AT)] == ["mettre-en-instruction", "rendre",
                                                                              *sans_suite]
    assert [a.code for a in instruction_actions.allowed(d, held, "instructeur:autre@x.fr", AT)] == sans_suite
    assert [a.code for a in instruction_actions.allowed(d, held, me, AT + timedelta(minutes=6))] == sans_suite
    moved = d.model_copy(update={"status": DossierStatus.EN_INSTRUCTION})
    assert [a.code for a in instruction_actions.allowed(moved, held, me, AT)] == [
        "rendre", "presenter_ccn", "fiben", "classer_sans_suite"]  # the lifecycle's steps from « en instruction »
    assert [a.code for a in instruction_actions.allowed(d, None, me, AT)] == sans_suite
    from ami.domain.errors import Conflict

    with pytest.raises(Conflict) as refused:
        instruction_actions.perform("mettre-en-instruction", d, None, me, AT, object())
    assert refused.value.message.startswith("Cette action n'est pas possible pour ce dossier maintenant")
