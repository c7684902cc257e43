"""A stack's outputs (template.yaml's `Outputs`: ApiUrl, UserPoolClientId…), read from CloudFormation as the
command line reads a deployed stack's, and published for the local stack under the same names in the
emulation's CloudFormation, so that `ami instruction --stack ami-garantie-local` follows the deployed path.

Against AWS, the profile and region choose the account; against the emulation, AWS_ENDPOINT_URL (which
`ami local up` sets for the processes it starts, and boto3 honours) points the same calls at it.
"""

from __future__ import annotations

import json
from typing import Any

LOCAL_STACK_NAME = "ami-garantie-local"


class StackUnreadable(Exception):
    """The stack or one of its outputs cannot be read; the message is French, for the command line."""


def template_outputs() -> list[str]:
    from infra.template import load_sam

    return list(load_sam().get("Outputs", {}))


def publish_local(endpoint: str, region: str, values: dict[str, str]) -> None:
    """The local stack's outputs as a CloudFormation stack of the emulation, under template.yaml's output names
    (one placeholder resource: CloudFormation wants one)."""
    import boto3

    missing = set(template_outputs()) - set(values)
    if missing:
        raise ValueError(f"sorties locales manquantes : {sorted(missing)}")
    body = {"Resources": {"Sorties": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
            "Outputs": {k: {"Value": v} for k, v in values.items()}}
    cf = boto3.session.Session().client("cloudformation", endpoint_url=endpoint, region_name=region)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto says it does not model the placeholder: nothing to model
        cf.create_stack(StackName=LOCAL_STACK_NAME, TemplateBody=json.dumps(body))


def read(stack: str, profile: str | None = None, region: str | None = None) -> tuple[dict[str, str], str]:
    """(outputs, region) of `stack`, with the profile's credentials and region (or `region`)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

    try:
        session = boto3.session.Session(profile_name=profile or None, region_name=region or None)
    except ProfileNotFound as exc:
        raise StackUnreadable(f"Profil AWS « {profile} » introuvable dans votre configuration.") from exc
    where = session.region_name
    if not where:
        raise StackUnreadable("Région AWS inconnue : donnez --region (ou AWS_REGION, ou la région du profil).")
    try:
        found: dict[str, Any] = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as exc:
        raise StackUnreadable(f"Pile « {stack} » introuvable dans la région {where} : vérifiez son nom, la région "
                              "et le profil.") from exc
    except BotoCoreError as exc:
        raise StackUnreadable(f"CloudFormation n'a pas répondu pour la pile « {stack} » ({where}) : vérifiez le "
                              "réseau et les identifiants du profil.") from exc
    return {str(o["OutputKey"]): str(o["OutputValue"]) for o in found.get("Outputs", [])}, where
