"""The erasure of one person's data (`ami rgpd effacer --email`), on in-memory fakes: what it removes, what it
keeps (the deposit evidence, every audit chain still verifying), how it is audited, and its refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ami.domain.audit import bailleur_chain, dossier_chain, verify_log
from ami.domain.identity import User
from ami.domain.inscription import PendingRegistration
from ami.domain.models import Bailleur, DossierForm
from ami.services import drafts
from ami.services.rgpd import ERASURE, Rgpd, StaffAccount
from fakes import InMemoryAccounts, InMemoryRegistrations, InMemoryStore
from typer.testing import CliRunner

from infra import cli_rgpd
from infra.cli import app as cli

SIREN, OTHER = "732829320", "552100554"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CONTACT, COLLEAGUE, INSTRUCTOR = "contact@habitat.example", "collegue@habitat.example", "i.martin@actionlogement.fr"


def bailleur(siren: str = SIREN, contact: str = CONTACT) -> Bailleur:
    return Bailleur(raison_sociale="Habitat Forézien", siren=siren, forme_juridique="sa_hlm",
                    adresse="1 rue de la Paix, 42000 Saint-Étienne", email_contact=contact, registered_at=T0)


class World:
    def __init__(self) -> None:
        self.store, self.accounts, self.registrations = InMemoryStore(), InMemoryAccounts(), InMemoryRegistrations()
        self.store.register_bailleur(bailleur())
        self.contact = self.accounts.add(CONTACT, SIREN, {"bailleurs"})
        self.colleague = self.accounts.add(COLLEAGUE, SIREN, {"bailleurs"})
        self.accounts.add(INSTRUCTOR, groups={"instructeurs"})
        self.dossier = drafts.create(self.store, SIREN, DossierForm(), f"bailleur:{SIREN}:{self.contact['sub']}")
        # Written before the actors were pseudonymised: names the address, and is kept.
        self.legacy = drafts.create(self.store, SIREN, DossierForm(), f"bailleur:{SIREN}:{CONTACT}")
        self.rgpd = Rgpd(self.store, self.accounts, self.registrations, lambda: T0)  # type: ignore[arg-type]

    def chain(self, siren: str = SIREN) -> list[Any]:
        return self.store.chain_entries(bailleur_chain(siren))


@pytest.fixture
def world() -> World:
    return World()


def test_the_contact_person_is_erased_and_the_evidence_kept(world: World) -> None:
    dossier_chains = {d.dossier_id: world.store.chain_entries(dossier_chain(d.dossier_id))
                      for d in (world.dossier, world.legacy)}
    done = world.rgpd.erase_person("Contact@Habitat.example ", "DPO-2027-0042")
    assert (done.siren, done.comptes_supprimes, done.contact_efface, done.notes) == (SIREN, 1, True, [])
    assert done.entrees_nominatives == 1  # the legacy entry: counted, not rewritten
    assert set(world.accounts.users) == {COLLEAGUE, INSTRUCTOR}  # the colleague keeps their account
    profile = world.store.get_bailleur(SIREN)
    assert profile is not None and profile.email_contact == "" and profile.raison_sociale == "Habitat Forézien"
    [entry] = world.chain()
    assert (entry.seq, entry.actor, entry.action, entry.reason) == (done.entree_journal, "ops:rgpd", ERASURE,
                                                                    "DPO-2027-0042")
    assert entry.details == {"personne": 1, "comptes_supprimes": 1, "inscriptions_supprimees": 0,
                             "contact_efface": True}
    assert "@" not in entry.model_dump_json()
    for d in (world.dossier, world.legacy):
        assert world.store.chain_entries(dossier_chain(d.dossier_id)) == dossier_chains[d.dossier_id]
        assert world.store.get_dossier(d.dossier_id) == d
    assert verify_log(world.store.audit_entries()) == []
    assert CONTACT not in json.dumps(world.rgpd.export(SIREN)["comptes"])


def test_a_colleague_is_erased_without_touching_the_contact_address(world: World) -> None:
    done = world.rgpd.erase_person(COLLEAGUE, "DPO-1")
    assert (done.comptes_supprimes, done.contact_efface, done.entrees_nominatives) == (1, False, 0)
    assert set(world.accounts.users) == {CONTACT, INSTRUCTOR}
    assert world.store.get_bailleur(SIREN) == bailleur()
    assert [e.details["contact_efface"] for e in world.chain()] == [False]


def test_an_inscription_waiting_for_its_code_is_erased_with_its_user(world: World) -> None:
    world.accounts.add("nouveau@autre.example", OTHER, verified=False)
    world.registrations.put_pending(PendingRegistration(
        email="nouveau@autre.example", bailleur=bailleur(OTHER, "nouveau@autre.example"), salt="s", code_hash="h",
        expires_at=T0))
    done = world.rgpd.erase_person("nouveau@autre.example", "DPO-2")
    assert (done.siren, done.comptes_supprimes, done.inscriptions_supprimees) == (OTHER, 1, 1)
    assert not done.contact_efface
    assert world.registrations.pending == {} and "nouveau@autre.example" not in world.accounts.users
    assert world.store.get_bailleur(OTHER) is None  # no profile was ever created
    [entry] = world.chain(OTHER)
    assert entry.details["inscriptions_supprimees"] == 1
    assert verify_log(world.store.audit_entries()) == []


def test_running_it_again_erases_nothing_and_writes_nothing(world: World) -> None:
    world.rgpd.erase_person(CONTACT, "DPO-3")
    again = world.rgpd.erase_person(CONTACT, "DPO-3")
    assert again.entree_journal is None and again.notes
    assert len(world.chain()) == 1


def test_an_unknown_address_is_nobody(world: World) -> None:
    done = world.rgpd.erase_person("personne@nulle-part.example", "DPO-4")
    assert done.entree_journal is None and done.siren == ""
    assert all(e.chain.startswith("dossier/") for e in world.store.audit_entries())
    assert set(world.accounts.users) == {CONTACT, COLLEAGUE, INSTRUCTOR}


def test_an_instructors_address_is_refused(world: World) -> None:
    with pytest.raises(StaffAccount):
        world.rgpd.erase_person(INSTRUCTOR, "DPO-5")
    assert INSTRUCTOR in world.accounts.users and world.chain() == []


def test_a_user_cognito_kept_is_reported_and_erased_by_the_next_run(world: World) -> None:
    world.accounts.undeletable.add(CONTACT)
    done = world.rgpd.erase_person(CONTACT, "DPO-6")
    assert done.comptes_supprimes == 0 and done.notes == ["Le compte Cognito n'a pas pu être supprimé : relancez la "
                                                          "commande."]
    assert done.contact_efface  # recorded first, with the profile's change
    world.accounts.undeletable.clear()
    again = world.rgpd.erase_person(CONTACT, "DPO-6")
    assert (again.comptes_supprimes, again.contact_efface, again.notes) == (1, False, [])
    assert [e.seq for e in world.chain()] == [1, 2] and verify_log(world.store.audit_entries()) == []


def test_the_web_pages_name_a_bailleur_user_by_pseudonym() -> None:
    user = User.of({"sub": "0f1e", "email": CONTACT, "custom:siren": SIREN, "cognito:groups": ["bailleurs"]})
    assert user.actor == f"bailleur:{SIREN}:0f1e"


# ---------------------------------------------------------------- the command


@pytest.fixture
def command(world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(cli_rgpd, "services", lambda: type("App", (), {"rgpd": world.rgpd})())
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, ["rgpd", "effacer", *args], catch_exceptions=False)


def test_the_command_erases_one_person_and_says_what_it_did(command: Any, world: World) -> None:
    out = command("--email", CONTACT, "--demande", "DPO-7", "--oui")
    assert out.exit_code == 0, out.output
    assert f"Bailleur {SIREN} : 1 compte supprimé" in out.output and "adresse de contact effacée" in out.output
    assert "1 entrée du journal antérieure à la pseudonymisation" in out.output
    assert CONTACT not in out.output
    again = command("--email", CONTACT, "--demande", "DPO-7", "--oui")
    assert again.exit_code == 0 and "Aucune donnée n'est liée à cette adresse." in again.output


@pytest.mark.parametrize("args", [
    ("--demande", "DPO-8"),  # neither a bailleur nor a person
    ("--siren", SIREN, "--email", CONTACT, "--demande", "DPO-8"),  # both
    ("--email", "pas-une-adresse", "--demande", "DPO-8"),
    ("--email", CONTACT, "--demande", "contact@habitat.example"),  # the reference must not name the person
    ("--email", INSTRUCTOR, "--demande", "DPO-8"),  # staff
])
def test_the_command_refuses_and_erases_nothing(command: Any, world: World, args: tuple[str, ...]) -> None:
    out = command(*args, "--oui")
    assert out.exit_code == 2, out.output
    assert set(world.accounts.users) == {CONTACT, COLLEAGUE, INSTRUCTOR} and world.chain() == []
    assert world.store.get_bailleur(SIREN) == bailleur()


# ---------------------------------------------------------------- inscriptions never confirmed


def waiting(email: str, siren: str, expires_at: datetime) -> PendingRegistration:
    return PendingRegistration(email=email, bailleur=bailleur(siren, email), salt="s", code_hash="h",
                               expires_at=expires_at)


def test_the_users_of_inscriptions_never_confirmed_are_purged_once_their_code_expired(world: World) -> None:
    hour = timedelta(hours=1)
    world.accounts.add("oublie@autre.example", OTHER, verified=False, created=T0 - 3 * hour)
    world.registrations.put_pending(waiting("oublie@autre.example", OTHER, T0 - 2 * hour))  # TTL not run yet
    world.accounts.add("sans-inscription@autre.example", OTHER, verified=False, created=T0 - 30 * hour)
    world.accounts.add("en-cours@autre.example", OTHER, verified=False, created=T0 - timedelta(minutes=10))
    world.registrations.put_pending(waiting("en-cours@autre.example", OTHER, T0 + timedelta(minutes=50)))
    # Registered a first time long ago, again a moment ago: the new code is still valid.
    world.accounts.add("revenu@autre.example", OTHER, verified=False, created=T0 - 5 * hour)
    world.registrations.put_pending(waiting("revenu@autre.example", OTHER, T0 + hour / 2))
    world.accounts.add("staff.nouveau@actionlogement.fr", verified=False, created=T0 - 9 * hour,
                       groups={"instructeurs"})
    for u in world.accounts.users.values():  # the world's confirmed users, made long ago
        if u["verified"]:
            u["created"] = T0 - 100 * hour

    assert world.rgpd.purge_unconfirmed() == 2
    assert set(world.accounts.users) == {CONTACT, COLLEAGUE, INSTRUCTOR, "en-cours@autre.example",
                                         "revenu@autre.example", "staff.nouveau@actionlogement.fr"}
    assert set(world.registrations.pending) == {"en-cours@autre.example", "revenu@autre.example"}
    assert world.rgpd.purge_unconfirmed() == 0


def test_the_purge_command_says_how_many(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.accounts.add("oublie@autre.example", OTHER, verified=False, created=T0 - timedelta(days=2))
    monkeypatch.setattr(cli_rgpd, "services", lambda: type("App", (), {"rgpd": world.rgpd})())
    out = CliRunner().invoke(cli, ["rgpd", "purger"], catch_exceptions=False)
    assert out.exit_code == 0 and "1 compte non confirmé supprimé." in out.output
    assert "oublie@autre.example" not in world.accounts.users


def test_the_daily_function_purges_and_logs_a_count_never_an_address(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """PurgeFunction (template.yaml, every day) runs the same purge as `ami rgpd purger`, from its own settings."""
    import importlib
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    from ami import bootstrap

    # Logs at INFO and metrics on, whatever an earlier test of this process left in the environment.
    for name, value in {"DOSSIERS_TABLE": "d", "USER_POOL_ID": "eu-west-3_x", "AWS_DEFAULT_REGION": "eu-west-3",
                        "POWERTOOLS_METRICS_NAMESPACE": "test", "POWERTOOLS_LOG_LEVEL": "INFO",
                        "POWERTOOLS_METRICS_DISABLED": "false"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "functions"))
    function = importlib.import_module("rgpd.app")  # its settings are those template.yaml gives it
    function.logger.setLevel("INFO")

    accounts, registrations = InMemoryAccounts(), InMemoryRegistrations()
    accounts.add("oublie@autre.example", OTHER, verified=False, created=T0 - timedelta(hours=3))
    registrations.put_pending(waiting("oublie@autre.example", OTHER, T0 - timedelta(hours=2)))
    accounts.add(CONTACT, SIREN, {"bailleurs"}, created=T0 - timedelta(days=30))
    container = bootstrap.build(function.PurgeSettings.from_env(), store=InMemoryStore(), accounts=accounts,
                                registrations=registrations, clock=lambda: T0)
    handler = function.make_handler(container)
    context = SimpleNamespace(function_name="PurgeFunction", memory_limit_in_mb=256, aws_request_id="r-1",
                              invoked_function_arn="arn:aws:lambda:eu-west-3:123456789012:function:PurgeFunction")
    capsys.readouterr()
    # The module may have been imported by an earlier test: its log handler writes where stdout was then.
    previous = function.logger.registered_handler.setStream(sys.stdout)

    try:
        assert handler({"detail-type": "Scheduled Event"}, context) == {"purged": 1}
    finally:
        function.logger.registered_handler.setStream(previous)
    assert set(accounts.users) == {CONTACT} and registrations.pending == {}
    logged = capsys.readouterr().out
    lines = [json.loads(line) for line in logged.splitlines()]
    assert any(line.get("message") == "unconfirmed inscriptions purged" and line.get("purged") == 1 for line in lines)
    assert any(line.get("InscriptionsPurgees") == [1.0] for line in lines)  # the metric (EMF)
    assert "@" not in logged  # no address in the logs nor the metrics
    assert handler({"detail-type": "Scheduled Event"}, context) == {"purged": 0}
