"""RGPD on the local stack: `ami rgpd export` shows everything held about a bailleur's users, `ami rgpd
effacer` erases their personal data and keeps the deposit evidence, every audit chain still verifying."""

from __future__ import annotations

import json

import boto3
import pytest
from ami.domain.audit import bailleur_chain, dossier_chain, verify_chain, verify_log
from typer.testing import CliRunner

from infra import cli_rgpd
from infra.cli import app as cli
from infra.client import login

PASSWORD = "Essai-AMI-garantie-2026!"


@pytest.fixture
def stack_cli(runtime, monkeypatch):
    """`ami …` run against the session's stack."""
    monkeypatch.setattr(cli_rgpd, "services", lambda: runtime.functions.app)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_export_then_erasure_keeps_the_evidence_and_the_chains(ami, runtime, register_bailleur, stack_cli):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    ami.upload_good_pieces(bailleur, dossier_id)
    ami.settle()
    bailleur.send(dossier_id)
    ami.settle()
    service = runtime.functions.app
    colleague = f"collegue.{bailleur.siren}@bailleur-essai.example"
    service.invitations.invite(bailleur.siren, colleague, "bailleur:essai", lambda token: f"https://x/{token}")

    exported = stack_cli("rgpd", "export", "--siren", bailleur.siren)
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    [account] = data["comptes"]
    assert account["email"] == bailleur.email and data["bailleur"]["email_contact"] == bailleur.email
    assert [d["dossier_id"] for d in data["dossiers"]] == [dossier_id]
    assert {p["piece"] for p in data["dossiers"][0]["pieces_examinees"]} == {"lettre_offre", "dossier_presentation"}
    actors = {e["actor"] for e in data["journal"][dossier_chain(dossier_id)]}
    # The log names the user by a pseudonym, never its address; the export says whose it is.
    assert actors == {f"bailleur:{bailleur.siren}:{account['sub']}"}
    assert data["pseudonymes"] == {f"bailleur:{bailleur.siren}:{account['sub']}": bailleur.email}
    assert [i["email"] for i in data["invitations_en_attente"]] == [colleague]
    dossier_before = service.dossiers.get_dossier(dossier_id)

    erased = stack_cli("rgpd", "effacer", "--siren", bailleur.siren, "--demande", "DPO-2027-0042", "--oui")
    assert erased.exit_code == 0, erased.output
    assert "1 compte supprimé" in erased.output and "adresse de contact effacée" in erased.output

    with pytest.raises(Exception, match=r"NotAuthorized|UserNotFound"):
        login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, bailleur.email, PASSWORD)
    after = service.rgpd.export(bailleur.siren)
    assert bailleur.email not in json.dumps(after, ensure_ascii=False)
    assert colleague not in json.dumps(after, ensure_ascii=False) and after["invitations_en_attente"] == []
    assert after["comptes"] == [] and after["bailleur"]["raison_sociale"] == bailleur.raison_sociale
    # The deposit evidence is untouched: the dossier, its envoi (versions, SHA-256) and its chain.
    assert service.dossiers.get_dossier(dossier_id) == dossier_before
    assert after["journal"][dossier_chain(dossier_id)] == data["journal"][dossier_chain(dossier_id)]
    invited, entry = after["journal"][bailleur_chain(bailleur.siren)]
    assert invited["action"] == "invitation_envoyee" and colleague not in json.dumps(invited)
    assert (entry["action"], entry["actor"], entry["reason"]) == ("effacement_donnees_personnelles", "ops:rgpd",
                                                                  "DPO-2027-0042")
    assert entry["details"]["comptes_supprimes"] == 1 and entry["details"]["invitations_supprimees"] == 1
    assert "@" not in json.dumps(entry)
    entries = service.audit_log.audit_entries()
    assert verify_chain([e for e in entries if e.chain in after["journal"]]) == []
    assert verify_log(entries) == []

    again = stack_cli("rgpd", "effacer", "--siren", bailleur.siren, "--demande", "DPO-2027-0042", "--oui")
    assert "rien à effacer" in again.output
    assert len(service.audit_log.chain_entries(bailleur_chain(bailleur.siren))) == 2


def test_the_request_reference_cannot_carry_an_address(stack_cli, register_bailleur):
    bailleur = register_bailleur()
    refused = stack_cli("rgpd", "effacer", "--siren", bailleur.siren, "--demande", "jean@exemple.fr", "--oui")
    assert refused.exit_code == 2
    assert bailleur.call("GET", "/bailleur")["email_contact"] == bailleur.email  # nothing erased


def test_one_person_is_erased_and_the_other_users_and_the_evidence_stay(ami, runtime, register_bailleur, stack_cli):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    service = runtime.functions.app
    # A colleague of the same bailleur, with an account of their own (as ops would add one).
    colleague = f"collegue.{bailleur.siren}@bailleur-essai.example"
    idp = service.accounts.idp
    idp.admin_create_user(UserPoolId=runtime.stack.user_pool_id, Username=colleague, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": colleague},
                                          {"Name": "custom:siren", "Value": bailleur.siren}])
    chain_before = service.audit_log.chain_entries(dossier_chain(dossier_id))
    [account] = [u for u in service.accounts.users_of(bailleur.siren) if u["email"] == bailleur.email]

    erased = stack_cli("rgpd", "effacer", "--email", bailleur.email, "--demande", "DPO-2027-0043", "--oui")
    assert erased.exit_code == 0, erased.output
    assert "1 compte supprimé" in erased.output and "adresse de contact effacée" in erased.output
    assert bailleur.email not in erased.output

    with pytest.raises(Exception, match=r"NotAuthorized|UserNotFound"):
        login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, bailleur.email, PASSWORD)
    after = service.rgpd.export(bailleur.siren)
    assert bailleur.email not in json.dumps(after, ensure_ascii=False)
    assert [u["email"] for u in after["comptes"]] == [colleague]  # the colleague stays
    assert after["bailleur"]["email_contact"] == ""
    # The dossier's chain names the erased user by a pseudonym nothing links to any more, and is untouched.
    assert service.audit_log.chain_entries(dossier_chain(dossier_id)) == chain_before
    assert {e.actor for e in chain_before} == {f"bailleur:{bailleur.siren}:{account['sub']}"}
    [entry] = service.audit_log.chain_entries(bailleur_chain(bailleur.siren))
    assert (entry.action, entry.reason, entry.details["comptes_supprimes"]) == ("effacement_donnees_personnelles",
                                                                               "DPO-2027-0043", 1)
    assert "@" not in entry.model_dump_json()
    assert verify_log(service.audit_log.audit_entries()) == []


def test_the_local_tables_expire_by_the_attributes_of_the_template(runtime):
    from infra.provision import REGION
    from infra.template import load_sam

    ddb = boto3.session.Session().client("dynamodb", endpoint_url=runtime.emulation.endpoint, region_name=REGION)
    for logical, resource in load_sam()["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        spec = resource["Properties"].get("TimeToLiveSpecification")
        found = ddb.describe_time_to_live(TableName=runtime.stack.physical[logical])["TimeToLiveDescription"]
        if spec is None:
            assert found.get("TimeToLiveStatus", "DISABLED") == "DISABLED", logical
        else:
            assert (found["TimeToLiveStatus"], found["AttributeName"]) == ("ENABLED", spec["AttributeName"]), logical


def test_the_users_of_inscriptions_never_confirmed_are_purged(runtime, register_bailleur, ami):
    from datetime import UTC, datetime, timedelta

    from ami.services.rgpd import Rgpd

    service = runtime.functions.app
    pool, idp = runtime.stack.user_pool_id, service.accounts.idp
    confirmed = register_bailleur()
    forgotten = f"oubli.{ami.unique_siren()}@bailleur-essai.example"
    idp.admin_create_user(UserPoolId=pool, Username=forgotten, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": forgotten}, {"Name": "email_verified", "Value":
                                          "false"}, {"Name": "custom:siren", "Value": confirmed.siren}])
    later = datetime.now(UTC) + timedelta(hours=2)  # the code of an inscription made now has expired by then
    listed = {u["email"] for u in service.accounts.unconfirmed_users(later)}
    assert forgotten in listed and confirmed.email not in listed
    recent = service.accounts.unconfirmed_users(datetime.now(UTC) - timedelta(hours=1))
    assert forgotten not in {u["email"] for u in recent}  # made a moment ago: its code may still come

    class Ours:
        """The stack's accounts, purging only this test's users (the session's stack is shared)."""

        def __getattr__(self, name):
            return getattr(service.accounts, name)

        def unconfirmed_users(self, created_before):
            return [u for u in service.accounts.unconfirmed_users(created_before) if u["email"] == forgotten]

    assert Rgpd(service.store, Ours(), service.registrations, lambda: later).purge_unconfirmed() == 1
    assert service.accounts.account(forgotten) is None
    assert service.accounts.account(confirmed.email) is not None


def test_the_daily_function_purges_on_the_local_stack(runtime, register_bailleur, ami):
    """PurgeFunction, wired from its own variables as Lambda would, on its daily schedule."""
    from datetime import timedelta

    from infra.local import schedule_event

    assert any(s.function == "PurgeFunction" and s.every_seconds == 86400 for s in runtime.stack.schedules)
    pool, idp = runtime.stack.user_pool_id, runtime.functions.app.accounts.idp
    confirmed = register_bailleur()
    forgotten = f"oubli.jour.{ami.unique_siren()}@bailleur-essai.example"
    idp.admin_create_user(UserPoolId=pool, Username=forgotten, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": forgotten}, {"Name": "email_verified", "Value":
                                          "false"}, {"Name": "custom:siren", "Value": confirmed.siren}])
    accounts = runtime.functions.app.accounts
    assert runtime.functions.invoke("PurgeFunction", schedule_event("PurgeFunction"))["purged"] >= 0
    assert accounts.account(forgotten) is not None  # made a moment ago: its code may still come
    clock = runtime.functions.clock
    clock.offset += timedelta(hours=2)  # the day after, as far as the function can tell
    try:
        purged = runtime.functions.invoke("PurgeFunction", schedule_event("PurgeFunction"))["purged"]
    finally:
        clock.offset -= timedelta(hours=2)
    assert purged >= 1
    assert accounts.account(forgotten) is None
    assert accounts.account(confirmed.email) is not None
