"""Provision the local emulation from template.yaml.

moto's own CloudFormation ignores bucket notifications and versioning, lacks queue policies and
Cognito, so we walk the translated resources and create each with boto3. What cannot run locally
(IAM roles, alarms, API Gateway, log groups) is skipped: IAM is checked by the infra tests instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from infra.template import code_dirs, load_sam, translate

STACK = "ami-local"
ACCOUNT = "123456789012"
REGION = "eu-west-3"
PSEUDO = {
    "AWS::StackName": STACK,
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


@dataclass
class FunctionSpec:
    name: str
    handler: str
    code_dir: Path
    env: dict[str, str]
    timeout: int


@dataclass
class QueueTrigger:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    partial_failures: bool
    fifo: bool
    fed_by_s3: bool = False


@dataclass
class Schedule:
    function: str
    every_seconds: int


@dataclass
class LocalStack:
    endpoint: str
    physical: dict[str, str] = field(default_factory=dict)  # logical id → Ref value
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)  # (logical id, attribute) → value
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    triggers: list[QueueTrigger] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """The environment the functions share (template Globals), checked for consistency."""
        merged: dict[str, str] = {}
        for fn in self.functions.values():
            for k, v in fn.env.items():
                if merged.setdefault(k, v) != v:
                    raise ValueError(f"{k} differs between functions; they cannot share one local process")
        return merged

    @property
    def user_pool_id(self) -> str:
        return self.physical["UserPool"]

    @property
    def user_pool_client_id(self) -> str:
        return self.physical["UserPoolClient"]


def _session_client(service: str, endpoint: str) -> Any:
    return boto3.session.Session(region_name=REGION).client(  # type: ignore[call-overload]
        service, endpoint_url=endpoint, config=Config(signature_version="s3v4", s3={"addressing_style": "path"})
    )


class _Resolver:
    def __init__(self, stack: LocalStack, params: dict[str, str]) -> None:
        self.stack = stack
        self.params = params

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.stack.attrs[(logical, attr)]
            if fn == "Fn::Sub":
                template, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self(arg[1]))
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), extra), template)
            if fn == "Fn::Join":
                sep, parts = arg
                return sep.join(str(p) for p in self(parts))
        return {k: self(v) for k, v in value.items()}

    def _sub(self, name: str, extra: dict[str, Any]) -> str:
        if name in extra:
            return str(extra[name])
        if "." in name:
            logical, attr = name.split(".", 1)
            return self.stack.attrs[(logical, attr)]
        return str(self.ref(name))

    def ref(self, name: str) -> str:
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        return self.stack.physical[name]


def provision(endpoint: str, parameters: dict[str, str] | None = None, template: Path | None = None) -> LocalStack:
    """Create every emulable resource of template.yaml on the emulation at `endpoint`."""
    sam = load_sam(template) if template else load_sam()
    cfn = translate(sam, REGION)
    resources: dict[str, dict[str, Any]] = cfn["Resources"]
    params = {k: str(v.get("Default", "")) for k, v in cfn.get("Parameters", {}).items()}
    params.update(parameters or {})
    stack = LocalStack(endpoint=endpoint)
    resolve = _Resolver(stack, params)

    def of_type(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(name, r.get("Properties", {})) for name, r in resources.items() if r["Type"] == kind]

    sqs = _session_client("sqs", endpoint)
    # Dead-letter queues first: the others point at them.
    queues = sorted(of_type("AWS::SQS::Queue"), key=lambda q: "RedrivePolicy" in q[1])
    for name, props in queues:
        fifo = bool(props.get("FifoQueue"))
        qname = f"{STACK}-{name}" + (".fifo" if fifo else "")
        attributes = {"VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
        if fifo:
            attributes["FifoQueue"] = "true"
            attributes["ContentBasedDeduplication"] = str(bool(props.get("ContentBasedDeduplication"))).lower()
        if "MessageRetentionPeriod" in props:
            attributes["MessageRetentionPeriod"] = str(props["MessageRetentionPeriod"])
        if "RedrivePolicy" in props:
            import json

            redrive = resolve(props["RedrivePolicy"])
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": redrive["deadLetterTargetArn"],
                    "maxReceiveCount": str(redrive["maxReceiveCount"]),
                }
            )
        url = sqs.create_queue(QueueName=qname, Attributes=attributes)["QueueUrl"]
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"
        stack.physical[name] = url
        stack.attrs[(name, "Arn")] = arn
        stack.attrs[(name, "QueueName")] = qname
        stack.attrs[(name, "QueueUrl")] = url

    s3 = _session_client("s3", endpoint)
    for name, props in of_type("AWS::S3::Bucket"):
        bucket = resolve(props.get("BucketName", f"{STACK}-{name}".lower()))
        lock = props.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION},
                         ObjectLockEnabledForBucket=lock)
        stack.physical[name] = bucket
        stack.attrs[(name, "Arn")] = f"arn:aws:s3:::{bucket}"
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
        if "CorsConfiguration" in props:
            s3.put_bucket_cors(
                Bucket=bucket,
                CORSConfiguration={
                    "CORSRules": [_cors_rule(resolve(rule)) for rule in props["CorsConfiguration"]["CorsRules"]]
                },
            )
        queue_configs = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        if queue_configs:
            s3.put_bucket_notification_configuration(
                Bucket=bucket,
                NotificationConfiguration={
                    "QueueConfigurations": [_queue_notification(resolve(q)) for q in queue_configs]
                },
            )

    ddb = _session_client("dynamodb", endpoint)
    for name, props in of_type("AWS::DynamoDB::Table"):
        tname = f"{STACK}-{name}"
        kwargs: dict[str, Any] = {
            "TableName": tname,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = [
                {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
                for gsi in props["GlobalSecondaryIndexes"]
            ]
        ddb.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            ddb.update_time_to_live(TableName=tname, TimeToLiveSpecification=ttl)
        stack.physical[name] = tname
        stack.attrs[(name, "Arn")] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{tname}"

    idp = _session_client("cognito-idp", endpoint)
    for name, props in of_type("AWS::Cognito::UserPool"):
        kwargs = {"PoolName": f"{STACK}-{name}"}
        for key in ("Schema", "UsernameAttributes", "Policies", "AdminCreateUserConfig", "AutoVerifiedAttributes"):
            if key in props:
                kwargs[key] = _stringify_schema(props[key]) if key == "Schema" else props[key]
        pool = idp.create_user_pool(**kwargs)["UserPool"]
        stack.physical[name] = pool["Id"]
        stack.attrs[(name, "Arn")] = pool["Arn"]
        stack.attrs[(name, "ProviderURL")] = f"{endpoint}/{pool['Id']}"
    for name, props in of_type("AWS::Cognito::UserPoolClient"):
        client = idp.create_user_pool_client(
            UserPoolId=resolve(props["UserPoolId"]),
            ClientName=f"{STACK}-{name}",
            ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
            GenerateSecret=bool(props.get("GenerateSecret")),
            # What the ID token carries (email, email_verified, custom:siren), as in AWS.
            ReadAttributes=props.get("ReadAttributes", []),
            WriteAttributes=props.get("WriteAttributes", []),
        )["UserPoolClient"]
        stack.physical[name] = client["ClientId"]
    for name, props in of_type("AWS::Cognito::UserPoolGroup"):
        idp.create_group(UserPoolId=resolve(props["UserPoolId"]), GroupName=props["GroupName"])
        stack.physical[name] = props["GroupName"]

    secrets = _session_client("secretsmanager", endpoint)
    for name, props in of_type("AWS::SecretsManager::Secret"):
        # Locally the register is a fixture (infra/sirene_fixture.py): the secret only has to exist.
        arn = secrets.create_secret(Name=resolve(props.get("Name", f"{STACK}-{name}")), SecretString="{}")["ARN"]
        stack.physical[name] = arn

    ses = _session_client("ses", endpoint)
    for name, props in of_type("AWS::SES::EmailIdentity"):
        identity = resolve(props["EmailIdentity"])
        ses.verify_email_identity(EmailAddress=identity)
        stack.physical[name] = identity

    dirs = code_dirs(sam)
    for name, _ in of_type("AWS::Lambda::Function"):
        stack.attrs[(name, "Arn")] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-{name}"
        stack.physical[name] = f"{STACK}-{name}"
    for name, props in of_type("AWS::Lambda::Function"):
        env = {k: str(resolve(v)) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
        stack.functions[name] = FunctionSpec(
            name=name, handler=props["Handler"], code_dir=dirs[name], env=env, timeout=int(props.get("Timeout", 3))
        )

    arn_to_queue = {stack.attrs[(n, "Arn")]: n for n, _ in queues}
    s3_fed = {
        resolve(q["Queue"])
        for _, props in of_type("AWS::S3::Bucket")
        for q in props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
    }
    for _, props in of_type("AWS::Lambda::EventSourceMapping"):
        function = props["FunctionName"]["Ref"]
        queue = arn_to_queue[resolve(props["EventSourceArn"])]
        stack.triggers.append(
            QueueTrigger(
                function=function,
                queue_url=stack.physical[queue],
                queue_arn=stack.attrs[(queue, "Arn")],
                batch_size=int(props.get("BatchSize", 10)),
                partial_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                fifo=stack.attrs[(queue, "QueueName")].endswith(".fifo"),
                fed_by_s3=stack.attrs[(queue, "Arn")] in s3_fed,
            )
        )
    for _, props in of_type("AWS::Events::Rule"):
        every = _rate_seconds(props.get("ScheduleExpression", ""))
        for target in props.get("Targets", []):
            function = target["Arn"]["Fn::GetAtt"][0]
            stack.schedules.append(Schedule(function=function, every_seconds=every))
    return stack


# CloudFormation's CORS property names differ from the S3 API's.
_CORS_NAMES = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {_CORS_NAMES.get(k, k): v for k, v in rule.items()}


def _queue_notification(q: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"QueueArn": q["Queue"], "Events": [q["Event"]]}
    rules = q.get("Filter", {}).get("S3Key", {}).get("Rules")
    if rules:
        out["Filter"] = {"Key": {"FilterRules": rules}}
    return out


def _stringify_schema(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CloudFormation accepts numbers where the Cognito API wants strings."""
    out = []
    for attr in schema:
        attr = dict(attr)
        for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
            if key in attr:
                attr[key] = {k: str(v) for k, v in attr[key].items()}
        out.append(attr)
    return out


def _rate_seconds(expression: str) -> int:
    m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if not m:
        raise ValueError(f"unsupported schedule {expression!r}")
    unit = {"minute": 60, "hour": 3600, "day": 86400}[m.group(2).rstrip("s")]
    return int(m.group(1)) * unit
