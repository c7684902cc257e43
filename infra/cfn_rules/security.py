"""The project's own cfn-lint rules (`cfn-lint --append-rules infra/cfn_rules template.yaml`).

cfn-lint validates SAM templates as written (Globals merged, no transform), so these rules see the
functions' `Policies` as we wrote them: SAM policy templates (`DynamoDBCrudPolicy: …`) are AWS's
and allowed; every statement we wrote ourselves is checked.

E9101  an Allow statement with a wildcard action (`*`, `s3:*`, `s3:Get*`) in a function's policy,
       an IAM role or policy, or a bucket, queue, topic or key policy. The one exception is the key
       administration statement KMS requires (Principal: the account root).
E9102  an S3 bucket without default encryption, without all four public access blocks, or without
       a bucket policy that denies requests not made over TLS.
E9103  a DynamoDB table without DeletionProtectionEnabled, or a Cognito user pool without
       DeletionProtection: ACTIVE.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

RESOURCE_POLICIES = {
    "AWS::S3::BucketPolicy": ("PolicyDocument",),
    "AWS::SQS::QueuePolicy": ("PolicyDocument",),
    "AWS::SNS::TopicPolicy": ("PolicyDocument",),
    "AWS::KMS::Key": ("KeyPolicy",),
    "AWS::IAM::Policy": ("PolicyDocument",),
    "AWS::IAM::ManagedPolicy": ("PolicyDocument",),
}
PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def _list(x: Any) -> list[Any]:
    return x if isinstance(x, list) else [x]


def _ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None


def _is_account_root(principal: Any) -> bool:
    """`{"AWS": "arn:…:iam::${AWS::AccountId}:root"}`, the KMS key administration principal."""
    if not isinstance(principal, dict) or set(principal) != {"AWS"}:
        return False
    arns = _list(principal["AWS"])
    return bool(arns) and all(
        isinstance(a, dict) and isinstance(a.get("Fn::Sub"), str)
        and a["Fn::Sub"].endswith(":iam::${AWS::AccountId}:root")
        for a in arns
    )


class WildcardAction(CloudFormationLintRule):
    id = "E9101"
    shortdesc = "Pas d'action IAM générique"
    description = "Every Allow statement names its actions: no '*', 'service:*' or 'service:Verb*'."
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
    tags: ClassVar[list[str]] = ["iam", "security", "ami"]

    def _statements(self, path: list[Any], document: Any, key_policy: bool = False) -> list[RuleMatch]:
        out: list[RuleMatch] = []
        if not isinstance(document, dict):
            return out
        for i, st in enumerate(_list(document.get("Statement", []))):
            if not isinstance(st, dict) or st.get("Effect") != "Allow":
                continue
            if "NotAction" in st:
                out.append(RuleMatch([*path, "Statement", i, "NotAction"],
                                     "Allow with NotAction grants everything else"))
                continue
            wild = [a for a in _list(st.get("Action", [])) if isinstance(a, str) and "*" in a]
            if wild and not (key_policy and _is_account_root(st.get("Principal"))):
                out.append(RuleMatch([*path, "Statement", i, "Action"],
                                     f"Wildcard action {wild} in an Allow statement"))
        return out

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, res in cfn.get_resources(["AWS::Serverless::Function"]).items():
            policies = res.get("Properties", {}).get("Policies", [])
            for j, pol in enumerate(_list(policies)):
                path = ["Resources", name, "Properties", "Policies", j]
                if isinstance(pol, str):
                    matches.append(RuleMatch(path, f"Managed policy {pol}: use a SAM policy template or a statement"))
                elif isinstance(pol, dict) and "Statement" in pol:
                    matches.extend(self._statements(path, pol))
                # any other dict is a SAM policy template (DynamoDBCrudPolicy, SQSSendMessagePolicy…)
        for name, res in cfn.get_resources(["AWS::IAM::Role"]).items():
            for j, pol in enumerate(res.get("Properties", {}).get("Policies", [])):
                path = ["Resources", name, "Properties", "Policies", j, "PolicyDocument"]
                matches.extend(self._statements(path, pol.get("PolicyDocument") if isinstance(pol, dict) else None))
        for kind, (prop,) in RESOURCE_POLICIES.items():
            for name, res in cfn.get_resources([kind]).items():
                doc = res.get("Properties", {}).get(prop)
                matches.extend(self._statements(["Resources", name, "Properties", prop], doc, kind == "AWS::KMS::Key"))
        return matches


class BucketProtections(CloudFormationLintRule):
    id = "E9102"
    shortdesc = "Compartiment S3 chiffré, privé et TLS seulement"
    description = "Every bucket has default encryption, the four public access blocks and a TLS-only bucket policy."
    source_url = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html"
    tags: ClassVar[list[str]] = ["s3", "security", "ami"]

    @staticmethod
    def _tls_only(statement: Any) -> bool:
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            return False
        cond = statement.get("Condition", {})
        flag = cond.get("Bool", {}).get("aws:SecureTransport") if isinstance(cond, dict) else None
        return (statement.get("Principal") in ("*", {"AWS": "*"}) and "s3:*" in _list(statement.get("Action"))
                and str(flag).lower() == "false")

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        tls_only = {
            _ref(bp.get("Properties", {}).get("Bucket"))
            for bp in cfn.get_resources(["AWS::S3::BucketPolicy"]).values()
            if any(self._tls_only(s)
                   for s in _list(bp.get("Properties", {}).get("PolicyDocument", {}).get("Statement", [])))
        }
        for name, res in cfn.get_resources(["AWS::S3::Bucket"]).items():
            props = res.get("Properties", {})
            path = ["Resources", name, "Properties"]
            rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
            if not rules or not all(r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules):
                matches.append(RuleMatch(path, f"Bucket {name} has no default encryption"))
            pab = props.get("PublicAccessBlockConfiguration", {})
            missing = [f for f in PUBLIC_ACCESS_FLAGS if pab.get(f) is not True]
            if missing:
                matches.append(RuleMatch(path, f"Bucket {name} does not block public access: {missing}"))
            if name not in tls_only:
                matches.append(RuleMatch(["Resources", name], f"Bucket {name} has no policy denying plain HTTP"))
        return matches


class DeletionProtection(CloudFormationLintRule):
    id = "E9103"
    shortdesc = "Protection contre la suppression des tables et du groupe d'utilisateurs"
    description = "DynamoDB tables have DeletionProtectionEnabled; Cognito user pools DeletionProtection ACTIVE."
    source_url = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html"
    tags: ClassVar[list[str]] = ["dynamodb", "cognito", "security", "ami"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, res in cfn.get_resources(["AWS::DynamoDB::Table"]).items():
            if res.get("Properties", {}).get("DeletionProtectionEnabled") is not True:
                matches.append(RuleMatch(["Resources", name, "Properties"], f"Table {name} has no deletion protection"))
        for name, res in cfn.get_resources(["AWS::Cognito::UserPool"]).items():
            if res.get("Properties", {}).get("DeletionProtection") != "ACTIVE":
                matches.append(RuleMatch(["Resources", name, "Properties"],
                                         f"User pool {name} has no deletion protection"))
        return matches
