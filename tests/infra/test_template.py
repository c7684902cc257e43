"""Static checks of template.yaml: cfn-lint, `sam validate --lint`, and the project's own rules
(storage protections, DLQs and their alarms, least-privilege IAM, handlers, API routes, and the
contract with the local provisioner: logical IDs, environment variables, simple intrinsics)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAM_VENV = ROOT / ".venv-sam"

OFFLINE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "SAM_CLI_TELEMETRY": "0",
}

API_ROUTES = {
    ("POST", "/inscription"),
    ("POST", "/inscription/confirmation"),
    ("GET", "/formes-juridiques"),
    ("GET", "/dispositifs"),
    ("GET", "/bailleur"),
    ("GET", "/dossiers"),
    ("POST", "/dossiers"),
    ("GET", "/dossiers/{dossier_id}"),
    ("PUT", "/dossiers/{dossier_id}"),
    ("POST", "/dossiers/{dossier_id}/pieces/{piece}"),
    ("POST", "/dossiers/{dossier_id}/envoi"),
    ("GET", "/dossiers/{dossier_id}/historique"),
    ("GET", "/instruction/dossiers"),
    ("GET", "/instruction/programmations"),
    ("GET", "/instruction/dossiers/{dossier_id}"),
    ("PUT", "/instruction/dossiers/{dossier_id}/score/{critere}"),
    ("GET", "/instruction/enveloppe"),
    ("GET", "/instruction/registre"),
    ("GET", "/instruction/travail"),
    ("POST", "/instruction/travail/suivant"),
    ("POST", "/instruction/travail/{dossier_id}/prise"),
    ("POST", "/instruction/travail/{dossier_id}/rendre"),
    ("POST", "/instruction/dossiers/{dossier_id}/fiben"),
    ("POST", "/instruction/dossiers/{dossier_id}/etapes/{action}"),
    ("GET", "/instruction/dossiers/{dossier_id}/documents/{kind}"),
    ("POST", "/dossiers/{dossier_id}/etapes/{action}"),
    ("POST", "/dossiers/{dossier_id}/convention/formulaire"),
    ("GET", "/dossiers/{dossier_id}/documents/{kind}"),
}
PUBLIC_ROUTES = {("POST", "/inscription"), ("POST", "/inscription/confirmation"), ("GET", "/formes-juridiques"),
                 ("GET", "/dispositifs")}

# The local provisioner resolves these logical IDs (and nothing fancier than Ref/GetAtt/Sub).
CONTRACT_IDS = {
    "DepositsBucket",
    "DepositsBucketPolicy",
    "QuarantineBucket",
    "QuarantineBucketPolicy",
    "UploadsQueue",
    "UploadsDLQ",
    "UploadsQueuePolicy",
    "CompletenessQueue",
    "CompletenessDLQ",
    "ScoringQueue",
    "ScoringDLQ",
    "NotificationsQueue",
    "NotificationsDLQ",
    "InstructionQueue",
    "InstructionDLQ",
    "DossiersTable",
    "CountersTable",
    "AuditTable",
    "IdempotencyTable",
    "UserPool",
    "UserPoolClient",
    "BailleursGroup",
    "InstructeursGroup",
    "SenderIdentity",
    "AmiApi",
    "ApiFunction",
    "IntakeFunction",
    "CompletenessFunction",
    "SweepFunction",
    "ExpiryFunction",
    "ScoringFunction",
    "NotifyFunction",
    "InstructionFunction",
    "AlarmTopic",
    "UploadsDLQAlarm",
    "CompletenessDLQAlarm",
    "ScoringDLQAlarm",
    "NotificationsDLQAlarm",
    "InstructionDLQAlarm",
}
ALLOWED_PSEUDO = {"AWS::StackName", "AWS::AccountId", "AWS::Region", "AWS::Partition"}
READ_VERBS = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Head", "Search", "Lookup", "Receive",
              "Detect")  # textract:DetectDocumentText reads the image it is sent and keeps nothing


# ---------------------------------------------------------------- loading


@cache
def _template() -> dict[str, Any]:
    from cfnlint.decode import decode_str

    tpl, errors = decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not errors, [str(e) for e in errors]
    assert tpl is not None
    return json.loads(json.dumps(tpl))  # plain dicts/strs, short tags already turned into Fn::*


def template() -> dict[str, Any]:
    return copy.deepcopy(_template())


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template()["Resources"].items() if v["Type"] == kind}


def props(res: dict[str, Any]) -> dict[str, Any]:
    return res.get("Properties", {})


def function_prop(fn: dict[str, Any], name: str) -> Any:
    """A property of a Serverless::Function, falling back on Globals.Function."""
    glob = template().get("Globals", {}).get("Function", {})
    return props(fn).get(name, glob.get(name))


def getatt(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        parts = att.split(".", 1) if isinstance(att, str) else att
        return parts[0], parts[1]
    return None


def ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


@cache
def _transformed() -> dict[str, Any]:
    """The template after the SAM transform, offline (as `sam validate` does it)."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    tpl = template()
    tpl["Globals"]["Function"]["CodeUri"] = "s3://bucket/code.zip"  # local paths are for `sam build`
    for layer in resources("AWS::Serverless::LayerVersion"):
        tpl["Resources"][layer]["Properties"]["ContentUri"] = "s3://bucket/layer.zip"
    old = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "eu-west-3"
    try:
        return json.loads(json.dumps(transform(tpl, {}, NoManagedPolicies())))
    finally:
        if old is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = old


# ---------------------------------------------------------------- linters


def test_cfn_lint_has_no_errors_nor_warnings() -> None:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(TEMPLATE, config=ManualArgs(regions=["eu-west-3", "us-east-1"]))
    bad = [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches if m.rule.id[0] in "EW"]
    assert bad == []


@pytest.mark.slow
@pytest.mark.timeout(1200)  # creating .venv-sam from scratch with pip takes a few minutes
def test_sam_validate_lint() -> None:
    subprocess.run(["bash", str(ROOT / "infra" / "sam-venv.sh")], cwd=ROOT, check=True, timeout=1100)
    env = {**os.environ, **OFFLINE_AWS_ENV}
    proc = subprocess.run(
        [str(SAM_VENV / "bin" / "sam"), "validate", "--lint", "--template", str(TEMPLATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "is a valid SAM Template" in out, out


# ---------------------------------------------------------------- contract with the local provisioner


def test_contract_logical_ids_exist() -> None:
    missing = CONTRACT_IDS - set(template()["Resources"])
    assert not missing


def _function_settings() -> tuple[Any, Any, Any]:
    sys.path.insert(0, str(ROOT / "functions"))
    try:
        from ami.settings import FUNCTION_SETTINGS, Settings, function_settings, required_variables
    finally:
        sys.path.remove(str(ROOT / "functions"))
    return FUNCTION_SETTINGS, function_settings, Settings, required_variables


def test_each_function_gets_exactly_the_variables_its_settings_read() -> None:
    logical_ids, function_settings, settings, required_variables = _function_settings()
    ours = {f.alias for f in settings.model_fields.values()}
    shared = set(template()["Globals"]["Function"]["Environment"]["Variables"])
    assert not shared & ours, f"given to every function: {shared & ours}"
    assert set(logical_ids) == set(resources("AWS::Serverless::Function"))
    for fn_id, fn in resources("AWS::Serverless::Function").items():
        given = set(props(fn).get("Environment", {}).get("Variables", {})) & ours
        assert given == required_variables(function_settings(fn_id)), fn_id


# What a variable names, and the policy that must let its function use it.
_TABLE_VARS = {"DOSSIERS_TABLE", "COUNTERS_TABLE", "AUDIT_TABLE", "IDEMPOTENCY_TABLE"}
_QUEUE_VARS = {
    "COMPLETENESS_QUEUE_URL", "SCORING_QUEUE_URL", "NOTIFICATIONS_QUEUE_URL", "INSTRUCTION_QUEUE_URL",
    "SCORING_DLQ_URL", "INSTRUCTION_DLQ_URL",
}


def _granted(fn: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """The tables, queues (send) and buckets the function's policies name."""
    tables: set[str | None] = set()
    queues: set[str] = set()
    buckets: set[str] = set()
    for pol in _as_list(props(fn).get("Policies", [])):
        for kind, body in pol.items():
            if kind.startswith("DynamoDB"):
                tables.add(ref(body["TableName"]))
            elif kind == "SQSSendMessagePolicy":
                queues.add(getatt(body["QueueName"])[0])  # type: ignore[index]
            elif kind == "Statement":
                for st in _as_list(body):
                    for res in _as_list(st["Resource"]):
                        named = set(re.findall(r"\b(\w+(?:Table|Bucket))\b", json.dumps(res)))
                        tables |= {n for n in named if n.endswith("Table")}
                        buckets |= {n for n in named if n.endswith("Bucket")}
    return {t for t in tables if t}, queues, buckets  # type: ignore[return-value]


@pytest.mark.parametrize("fn_id", sorted(resources("AWS::Serverless::Function")))
def test_each_resource_a_function_is_given_is_one_its_policies_allow(fn_id: str) -> None:
    """A variable naming a table, a queue or a bucket comes with the right to use it (the local
    emulation does not enforce IAM, so only this test catches a missing grant)."""
    fn = template()["Resources"][fn_id]
    tables, queues, buckets = _granted(fn)
    for name, value in props(fn).get("Environment", {}).get("Variables", {}).items():
        target = ref(value)
        if name in _TABLE_VARS:
            assert target in tables, f"{fn_id}: {name} without a policy on {target}"
        elif name in _QUEUE_VARS:
            assert target in queues, f"{fn_id}: {name} without SQS send on {target}"
        elif name.endswith("_BUCKET"):
            assert target in buckets, f"{fn_id}: {name} without a statement on {target}"


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def test_only_simple_intrinsics() -> None:
    tpl = template()
    assert "Conditions" not in tpl and "Mappings" not in tpl
    names = set(tpl["Resources"]) | set(tpl.get("Parameters", {}))
    for path, node in _walk(tpl):
        if not isinstance(node, dict):
            continue
        fns = {k for k in node if k.startswith("Fn::")}
        assert fns <= {"Fn::GetAtt", "Fn::Sub"}, f"{path}: {fns}"
        if "Condition" in node and path.count("/") == 2:
            raise AssertionError(f"{path}: resource condition")
        if "Ref" in node and len(node) == 1:
            assert node["Ref"] in names | ALLOWED_PSEUDO, f"{path}: Ref {node['Ref']}"
        if "Fn::Sub" in node:
            sub = node["Fn::Sub"]
            assert isinstance(sub, str), f"{path}: use the one-string form of !Sub"
            for var in re.findall(r"\$\{([^}!]+)\}", sub):
                assert var in ALLOWED_PSEUDO or var.split(".")[0] in names, f"{path}: ${{{var}}}"


# ---------------------------------------------------------------- storage


@pytest.mark.parametrize("bucket_id", sorted(resources("AWS::S3::Bucket")))
def test_bucket_is_private_encrypted_versioned_and_tls_only(bucket_id: str) -> None:
    p = props(template()["Resources"][bucket_id])
    pab = p.get("PublicAccessBlockConfiguration", {})
    for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        assert pab.get(flag) is True, flag
    rules = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules and all(
        r["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms", "aws:kms:dsse")
        for r in rules
    )
    assert p["VersioningConfiguration"]["Status"] == "Enabled"
    assert p["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced"
    # The deposited versions are the evidence of the deposit, never expired: tests/infra/test_retention.py.

    policies = [
        props(bp)
        for bp in resources("AWS::S3::BucketPolicy").values()
        if ref(props(bp)["Bucket"]) == bucket_id
    ]
    assert policies, f"{bucket_id} has no bucket policy"
    tls_only = [
        s
        for bp in policies
        for s in bp["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
        and s.get("Principal") in ("*", {"AWS": "*"})
        and s["Action"] in ("s3:*", ["s3:*"])
        and str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"
    ]
    assert tls_only, f"{bucket_id} accepts plain HTTP"


def test_deposits_notify_the_uploads_queue() -> None:
    tpl = template()
    deposits = tpl["Resources"]["DepositsBucket"]
    assert deposits.get("DependsOn") in ("UploadsQueuePolicy", ["UploadsQueuePolicy"])
    (conf,) = props(deposits)["NotificationConfiguration"]["QueueConfigurations"]
    assert conf["Event"] == "s3:ObjectCreated:*"
    assert getatt(conf["Queue"]) == ("UploadsQueue", "Arn")
    assert conf["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "bailleurs/"}]
    (stmt,) = props(tpl["Resources"]["UploadsQueuePolicy"])["PolicyDocument"]["Statement"]
    assert stmt["Principal"] == {"Service": "s3.amazonaws.com"}
    source = stmt["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    assert source.endswith(props(deposits)["BucketName"]["Fn::Sub"])


@pytest.mark.parametrize("table_id", sorted(resources("AWS::DynamoDB::Table")))
def test_table_is_encrypted_on_demand_and_backed_up(table_id: str) -> None:
    p = props(template()["Resources"][table_id])
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["SSESpecification"]["SSEEnabled"] is True
    if table_id != "IdempotencyTable":
        assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_audit_table_is_retained() -> None:
    audit = template()["Resources"]["AuditTable"]
    assert audit.get("DeletionPolicy") == "Retain"
    assert audit.get("UpdateReplacePolicy") == "Retain"


# ---------------------------------------------------------------- queues


def _dlqs() -> dict[str, str]:
    """DLQ logical id -> the queue whose redrive policy targets it."""
    out = {}
    for qid, q in resources("AWS::SQS::Queue").items():
        redrive = props(q).get("RedrivePolicy")
        if redrive:
            target = getatt(redrive["deadLetterTargetArn"])
            assert target and target[1] == "Arn", qid
            out[target[0]] = qid
    return out


def test_every_queue_has_a_dlq_and_every_dlq_an_alarm() -> None:
    queues = resources("AWS::SQS::Queue")
    dlqs = _dlqs()
    assert set(dlqs) <= set(queues)
    alarms = resources("AWS::CloudWatch::Alarm").values()
    topics = set(resources("AWS::SNS::Topic"))
    for qid, q in queues.items():
        p = props(q)
        assert p.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in p, f"{qid} is not encrypted"
        if qid in dlqs:
            assert "RedrivePolicy" not in p, f"DLQ {qid} has a DLQ"
            assert p.get("MessageRetentionPeriod") == 1209600, qid
            source_fifo = bool(props(queues[dlqs[qid]]).get("FifoQueue"))
            assert bool(p.get("FifoQueue")) == source_fifo, f"{qid}: DLQ type differs from {dlqs[qid]}"
            watching = [
                props(a)
                for a in alarms
                if props(a).get("Namespace") == "AWS/SQS"
                and props(a).get("MetricName") == "ApproximateNumberOfMessagesVisible"
                and any(getatt(d["Value"]) == (qid, "QueueName") for d in props(a).get("Dimensions", []))
            ]
            assert watching, f"no alarm on {qid}"
            for a in watching:
                assert (
                    a["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and float(a["Threshold"]) == 1
                )
                assert int(a["Period"]) == 60 and int(a["EvaluationPeriods"]) == 1
                assert {ref(x) for x in a["AlarmActions"]} & topics, f"alarm on {qid} notifies nobody"
        else:
            assert p.get("RedrivePolicy", {}).get("maxReceiveCount") == 5, f"{qid} has no DLQ"
            assert "QueueName" not in p, qid


@pytest.mark.parametrize(
    ("alarm_id", "metric"), [("LambdaErrorsAlarm", "Errors"), ("LambdaThrottlesAlarm", "Throttles")]
)
def test_every_function_is_watched_by_the_lambda_alarms_and_the_dashboard(alarm_id: str, metric: str) -> None:
    """A function added to the template without its alarm would fail unseen (the plateforme's pages, the
    expiry of the propositions, the work list)."""
    functions = set(resources("AWS::Serverless::Function"))
    alarm = props(template()["Resources"][alarm_id])
    watched = {
        ref(d["Value"])
        for m in alarm["Metrics"] if "MetricStat" in m
        for d in m["MetricStat"]["Metric"]["Dimensions"]
        if m["MetricStat"]["Metric"]["MetricName"] == metric
    }
    assert watched == functions, functions ^ watched
    ids = [m["Id"] for m in alarm["Metrics"] if "MetricStat" in m]
    total = next(m["Expression"] for m in alarm["Metrics"] if m.get("ReturnData"))
    assert total == f"SUM([{', '.join(ids)}])"
    assert len(ids) <= 10  # CloudWatch's limit of metrics in one alarm
    body = next(iter(resources("AWS::CloudWatch::Dashboard").values()))["Properties"]["DashboardBody"]
    text = json.dumps(body)
    assert all(f"${{{fn}}}" in text for fn in functions), [fn for fn in functions if f"${{{fn}}}" not in text]


def test_alarm_topic_can_be_used_by_cloudwatch() -> None:
    """CloudWatch alarms cannot publish to a topic encrypted with the AWS managed alias/aws/sns."""
    for tid, topic in resources("AWS::SNS::Topic").items():
        assert props(topic).get("KmsMasterKeyId") != "alias/aws/sns", tid


# ---------------------------------------------------------------- functions


FUNCTIONS = sorted(resources("AWS::Serverless::Function"))


@pytest.mark.parametrize("fn_id", FUNCTIONS)
def test_runtime_is_recent_python_on_arm64(fn_id: str) -> None:
    fn = template()["Resources"][fn_id]
    runtime = function_prop(fn, "Runtime")
    m = re.fullmatch(r"python3\.(\d+)", runtime)
    assert m and int(m[1]) >= 11, runtime
    assert function_prop(fn, "Architectures") == ["arm64"]
    assert function_prop(fn, "Tracing") == "Active"


@pytest.mark.parametrize("fn_id", FUNCTIONS)
def test_handler_file_exists(fn_id: str) -> None:
    fn = template()["Resources"][fn_id]
    code_uri = ROOT / function_prop(fn, "CodeUri")
    module, _, attr = props(fn)["Handler"].rpartition(".")
    path = code_uri / (module.replace(".", "/") + ".py")
    assert path.is_file(), f"{props(fn)['Handler']}: {path.relative_to(ROOT)} is missing"
    defined = rf"^(def\s+{attr}\b|{attr}\s*[:=]|{attr}, \w+ = |\w+, {attr} = )"
    assert re.search(defined, path.read_text(encoding="utf-8"), re.M), (
        f"{path.relative_to(ROOT)} defines no {attr}"
    )


@pytest.mark.parametrize("fn_id", FUNCTIONS)
def test_sqs_event_sources_report_batch_item_failures(fn_id: str) -> None:
    for name, ev in props(template()["Resources"][fn_id]).get("Events", {}).items():
        if ev["Type"] == "SQS":
            assert "ReportBatchItemFailures" in ev["Properties"].get("FunctionResponseTypes", []), name


def test_sqs_consumers_are_the_expected_ones() -> None:
    consumers = {
        getatt(ev["Properties"]["Queue"])[0]: fn_id  # type: ignore[index]
        for fn_id, fn in resources("AWS::Serverless::Function").items()
        for ev in props(fn).get("Events", {}).values()
        if ev["Type"] == "SQS"
    }
    assert consumers == {
        "UploadsQueue": "IntakeFunction",
        "CompletenessQueue": "CompletenessFunction",
        "ScoringQueue": "ScoringFunction",
        "NotificationsQueue": "NotifyFunction",
        "InstructionQueue": "InstructionFunction",
    }
    # Lambda refuses an event source whose queue's visibility timeout is shorter than the function's.
    for qid, fn_id in consumers.items():
        fn = template()["Resources"][fn_id]
        visibility = int(props(template()["Resources"][qid]).get("VisibilityTimeout", 30))
        assert visibility >= 6 * int(function_prop(fn, "Timeout")), qid


def test_api_routes_are_exactly_the_expected_ones() -> None:
    fn = template()["Resources"]["ApiFunction"]
    routes, public = set(), set()
    for name, ev in props(fn)["Events"].items():
        assert ev["Type"] == "Api", name
        p = ev["Properties"]
        assert ref(p["RestApiId"]) == "AmiApi", name
        route = (p["Method"].upper(), p["Path"])
        assert route not in routes, f"duplicate {route}"
        routes.add(route)
        if p.get("Auth", {}).get("Authorizer") == "NONE":
            public.add(route)
    assert routes == API_ROUTES
    assert public == PUBLIC_ROUTES
    auth = props(template()["Resources"]["AmiApi"])["Auth"]
    assert auth["DefaultAuthorizer"] == "CognitoAuthorizer"
    assert getatt(auth["Authorizers"]["CognitoAuthorizer"]["UserPoolArn"]) == ("UserPool", "Arn")


# ---------------------------------------------------------------- IAM


def _as_list(x: Any) -> list[Any]:
    return x if isinstance(x, list) else [x]


def _is_write(action: str) -> bool:
    verb = action.split(":", 1)[-1]
    return not verb.startswith(READ_VERBS)  # "*", "s3:*", "Put*" ... are writes


def _check_statements(where: str, statements: list[dict[str, Any]]) -> None:
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        assert "NotAction" not in st and "NotResource" not in st, where
        actions = [a for a in _as_list(st["Action"]) if isinstance(a, str)]
        assert "*" not in actions, f"{where}: Action '*'"
        if "*" in _as_list(st["Resource"]):
            writes = [a for a in actions if _is_write(a)]
            assert not writes, f"{where}: {writes} on Resource '*'"


def test_function_policies_in_the_template_are_scoped() -> None:
    for fn_id, fn in resources("AWS::Serverless::Function").items():
        pols = _as_list(props(fn).get("Policies", []))
        assert pols, f"{fn_id} has no policy"
        for pol in pols:
            assert not isinstance(pol, str), (
                f"{fn_id}: managed policy {pol} (use a policy template or a statement)"
            )
            if "Statement" in pol:
                _check_statements(fn_id, _as_list(pol["Statement"]))


def test_function_roles_after_the_sam_transform_are_scoped() -> None:
    """Also covers the statements SAM expands from policy templates (DynamoDBCrudPolicy, ...)."""
    roles = {k: v for k, v in _transformed()["Resources"].items() if v["Type"] == "AWS::IAM::Role"}
    assert {f"{fn}Role" for fn in FUNCTIONS} <= set(roles)
    allowed_managed = {
        "AWSLambdaBasicExecutionRole",
        "AWSXrayWriteOnlyAccess",
        "AWSLambdaSQSQueueExecutionRole",
    }
    for rid, role in roles.items():
        for arn in props(role).get("ManagedPolicyArns", []):
            name = arn.rsplit("/", 1)[-1] if isinstance(arn, str) else json.dumps(arn)
            assert name in allowed_managed, f"{rid}: {name}"
        for pol in props(role).get("Policies", []):
            _check_statements(f"{rid}/{pol['PolicyName']}", _as_list(pol["PolicyDocument"]["Statement"]))
