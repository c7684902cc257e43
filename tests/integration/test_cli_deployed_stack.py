"""`ami instruction …` against a stack named by `--stack`, as against a deployed one: the API URL and the Cognito
client read from the stack's CloudFormation outputs (here the local stack's, which `LocalRuntime` publishes in
the emulation under template.yaml's output names; AWS_ENDPOINT_URL points boto3 at it), the password and the
authenticator app's code asked as a person types them, and the audit log naming the signed-in instructor."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from infra.client import totp_code
from infra.provision import REGION
from infra.stack_outputs import LOCAL_STACK_NAME, template_outputs

PASSWORD = "Instructeur-Pile-2026!"
pytestmark = pytest.mark.timeout(300)


def test_the_local_stack_publishes_the_outputs_of_template_yaml(ami: Any) -> None:
    cf = boto3.session.Session().client("cloudformation", endpoint_url=ami.runtime.emulation.endpoint,
                                        region_name=REGION)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName=LOCAL_STACK_NAME)["Stacks"][0]
               ["Outputs"]}
    assert sorted(outputs) == sorted(template_outputs())
    assert outputs["ApiUrl"].rstrip("/") == ami.runtime.api_url
    assert outputs["UserPoolClientId"] == ami.runtime.stack.user_pool_client_id


def test_ami_instruction_reads_the_stack_outputs_and_acts_as_the_signed_in_user(
        ami: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from infra import cli_common
    from infra.cli import app
    from infra.ops import add_instructor

    bailleur = ami.register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    ami.upload_good_pieces(bailleur, dossier_id)
    ami.settle()
    bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    ami.settle()
    email = "instruction.pile@actionlogement.fr"
    secret = add_instructor(ami.runtime.stack, email, PASSWORD)
    # No local state to fall back on: only the stack's outputs can say where the API is.
    monkeypatch.setattr(cli_common, "STATE", tmp_path / "absent.json")
    monkeypatch.setattr("infra.cli_instruction.STATE", tmp_path / "absent.json")
    monkeypatch.setenv("AWS_ENDPOINT_URL", ami.runtime.emulation.endpoint)
    monkeypatch.delenv("AMI_TOTP_SECRET", raising=False)
    monkeypatch.delenv("AMI_MOT_DE_PASSE", raising=False)
    base = ["instruction", "file", "--email", email, "--stack", LOCAL_STACK_NAME, "--region", REGION]

    # The password and the app's code are asked, hidden, as a person types them.
    listed = CliRunner().invoke(app, base, input=f"{PASSWORD}\n{totp_code(secret)}\n")
    assert listed.exit_code == 0, listed.output
    assert "Code de l'application d'authentification" in listed.output and "Liste de travail" in listed.output

    taken = CliRunner().invoke(app, ["instruction", "next", "--email", email, "--stack", LOCAL_STACK_NAME,
                                     "--region", REGION, "--action", "prise"],
                               input=f"{PASSWORD}\n{totp_code(secret)}\n")
    assert taken.exit_code == 0, taken.output
    number = int(taken.output.split("Dossier n° ")[-1].split(" ")[0])
    taken_id = next(d.dossier_id for d in ami.runtime.functions.app.dossiers.list_numbered()
                    if d.deposit_number == number)
    last = ami.runtime.functions.app.audit_log.history(taken_id)[-1]
    assert (last.action, last.actor) == ("prise_en_instruction", f"instructeur:{email}")

    unknown = CliRunner().invoke(app, ["instruction", "file", "--email", email, "--stack", "pile-inconnue",
                                       "--region", REGION], input=f"{PASSWORD}\n")
    assert unknown.exit_code == 2
    assert "Pile « pile-inconnue » introuvable dans la région eu-west-3" in " ".join(unknown.output.split())
    wrong = CliRunner().invoke(app, base, input=f"{PASSWORD}\n000000\n")
    assert wrong.exit_code == 1 and "Liste de travail" not in wrong.output
    assert "Code de l'application d'authentification incorrect" in " ".join(wrong.output.split())
