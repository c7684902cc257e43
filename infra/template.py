"""Read template.yaml and turn it into plain CloudFormation with the SAM translator, offline.

template.yaml is the single source of truth for every resource; the local provisioner and the
infra tests read it through here.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that knows CloudFormation's short tags (!Ref, !GetAtt, !Sub, …)."""


def _tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_sam(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)


class _ManagedPolicies:
    """The translator asks IAM for managed policy ARNs; offline we build them from their names."""

    def load(self) -> dict[str, str]:
        return _AwsManagedArns()


class _AwsManagedArns(dict[str, str]):
    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def get(self, name: str, default: Any = None) -> str:
        return self[name]


def translate(sam: dict[str, Any], region: str = "eu-west-3") -> dict[str, Any]:
    """SAM → CloudFormation. Local CodeUris become s3:// placeholders, as `sam package` would."""
    from samtranslator.translator.transform import transform

    sam = copy.deepcopy(sam)
    for resource in sam["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            props["CodeUri"] = "s3://local-placeholder/code.zip"
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = "s3://local-placeholder/layer.zip"
    sam.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://local-placeholder/code.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    return dict(transform(sam, {}, _ManagedPolicies()))


def code_dirs(sam: dict[str, Any]) -> dict[str, Path]:
    """Logical id of each function → the folder its handler is imported from."""
    default = sam.get("Globals", {}).get("Function", {}).get("CodeUri")
    return {
        name: ROOT / r["Properties"].get("CodeUri", default)
        for name, r in sam["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    }
