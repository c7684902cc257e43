"""The project's cfn-lint security rules (infra/cfn_rules): template.yaml passes them, and each rule
catches a deliberately bad snippet (so a rule that silently stopped matching would be seen)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
RULES = ROOT / "infra" / "cfn_rules"
OURS = ("E9101", "E9102", "E9103")


def lint(text: str) -> list[tuple[str, str]]:
    from cfnlint.api import ManualArgs, lint

    matches = lint(text, config=ManualArgs(append_rules=[str(RULES)], regions=["eu-west-3"]))
    return [(m.rule.id, m.message) for m in matches if m.rule.id in OURS]


def lint_file_ours() -> list[tuple[str, str]]:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(TEMPLATE, config=ManualArgs(append_rules=[str(RULES)], regions=["eu-west-3"]))
    return [(m.rule.id, m.message) for m in matches if m.rule.id[0] in "EW"]


def test_the_template_passes_cfn_lint_with_the_projects_rules() -> None:
    assert lint_file_ours() == []


GOOD_BUCKET = {
    "Type": "AWS::S3::Bucket",
    "Properties": {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
    },
}
TLS_POLICY = {
    "Type": "AWS::S3::BucketPolicy",
    "Properties": {
        "Bucket": {"Ref": "Bucket"},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Sub": "${Bucket.Arn}/*"}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
    },
}
GOOD_TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "Properties": {
        "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": True,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    },
}


def function(statement: dict[str, object] | None = None,
             template: dict[str, object] | None = None) -> dict[str, object]:
    policies: list[object] = [template or {"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}}]
    if statement:
        policies.append({"Statement": [statement]})
    return {"Type": "AWS::Serverless::Function",
            "Properties": {"Runtime": "python3.11", "Handler": "app.handler", "CodeUri": "s3://b/k.zip",
                           "Policies": policies}}


def template(**resources: dict[str, object]) -> str:
    base: dict[str, object] = {"Bucket": GOOD_BUCKET, "BucketPolicy": TLS_POLICY, "Table": GOOD_TABLE}
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
           "Resources": {**base, **resources}}
    return yaml.safe_dump(doc, sort_keys=False)


def test_a_clean_snippet_passes() -> None:
    sqs_template = {"SQSSendMessagePolicy": {"QueueName": "q"}}  # expands to sqs:SendMessage*: AWS's, allowed
    assert lint(template(Fn=function(template=sqs_template))) == []


@pytest.mark.parametrize("action", ["*", "s3:*", "s3:Get*", ["dynamodb:GetItem", "dynamodb:*"]])
def test_a_wildcard_action_in_a_function_statement_is_caught(action: object) -> None:
    bad = function({"Effect": "Allow", "Action": action, "Resource": {"Fn::GetAtt": ["Table", "Arn"]}})
    assert [r for r, _ in lint(template(Fn=bad))] == ["E9101"]


def test_a_wildcard_in_a_resource_policy_or_role_is_caught_but_not_in_a_deny() -> None:
    policy = {**TLS_POLICY, "Properties": {**TLS_POLICY["Properties"], "PolicyDocument": {  # type: ignore[dict-item]
        "Version": "2012-10-17",
        "Statement": [*TLS_POLICY["Properties"]["PolicyDocument"]["Statement"],  # type: ignore[index]
                      {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:Put*",
                       "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}]}}}
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}}]}}
    assert sorted(r for r, _ in lint(template(BucketPolicy=policy, Role=role))) == ["E9101", "E9101"]


def test_a_kms_key_may_give_its_administration_to_the_account_root_only() -> None:
    def key(principal: object) -> dict[str, object]:
        return {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "kms:*", "Resource": "*"}]}}}

    root = {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert lint(template(Key=key(root))) == []
    assert [r for r, _ in lint(template(Key=key({"Service": "cloudwatch.amazonaws.com"})))] == ["E9101"]


@pytest.mark.parametrize("missing", ["BucketEncryption", "PublicAccessBlockConfiguration", "policy"])
def test_a_bucket_without_sse_public_access_block_or_tls_policy_is_caught(missing: str) -> None:
    if missing == "policy":
        text = template(BucketPolicy={**TLS_POLICY, "Properties": {**TLS_POLICY["Properties"],  # type: ignore[dict-item]
                                                                   "Bucket": {"Ref": "Other"}}},
                        Other=GOOD_BUCKET)
        expected = "Bucket has no policy denying plain HTTP"
    else:
        props = {k: v for k, v in GOOD_BUCKET["Properties"].items() if k != missing}  # type: ignore[attr-defined]
        text = template(Bucket={"Type": "AWS::S3::Bucket", "Properties": props})
        expected = "Bucket Bucket"
    found = lint(text)
    assert [r for r, _ in found] == ["E9102"] and expected in found[0][1]


def test_a_partial_public_access_block_is_caught() -> None:
    props = {**GOOD_BUCKET["Properties"], "PublicAccessBlockConfiguration": {  # type: ignore[dict-item]
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True}}
    found = lint(template(Bucket={"Type": "AWS::S3::Bucket", "Properties": props}))
    assert [r for r, _ in found] == ["E9102"] and "RestrictPublicBuckets" in found[0][1]


def test_a_table_or_a_user_pool_without_deletion_protection_is_caught() -> None:
    table = {**GOOD_TABLE, "Properties": {k: v for k, v in GOOD_TABLE["Properties"].items()  # type: ignore[attr-defined]
                                          if k != "DeletionProtectionEnabled"}}
    pool = {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "p"}}
    found = lint(template(Table=table, Pool=pool))
    assert sorted(m for _, m in found) == ["Table Table has no deletion protection",
                                          "User pool Pool has no deletion protection"]
    protected = {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "p", "DeletionProtection": "ACTIVE"}}
    assert lint(template(Pool=protected)) == []
