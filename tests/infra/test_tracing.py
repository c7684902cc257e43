"""X-Ray tracing as Lambda runs it (template.yaml: Tracing: Active): in a Lambda environment each handler's
invocation is a subsegment and boto3 is patched, so that each AWS call is one too; outside Lambda (tests, the
local stack) the Tracer does nothing. Run in a fresh interpreter: the Tracer's configuration is per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
sys.path.insert(0, {functions!r})
from aws_xray_sdk.core import xray_recorder

class Memory:  # the emitter, in memory instead of UDP to the X-Ray daemon
    def __init__(self):
        self.names = []
    def send_entity(self, entity):
        def walk(e):
            self.names.append(e.name)
            for sub in getattr(e, "subsegments", []):
                walk(sub)
        walk(entity)
    def set_daemon_address(self, address):
        pass

memory = Memory()
xray_recorder.configure(emitter=memory)
import intake.app as function
from aws_xray_sdk.core import patcher

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "IntakeFunction", 512, "00000000-test"
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:IntakeFunction"

record = {{
    "messageId": "m-1", "receiptHandle": "r-1", "body": json.dumps({{"Event": "s3:TestEvent"}}),
    "attributes": {{"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000", "SenderId": "s3",
                    "ApproximateFirstReceiveTimestamp": "1700000000000"}},
    "messageAttributes": {{}}, "md5OfBody": "0" * 32, "eventSource": "aws:sqs",
    "eventSourceARN": "arn:aws:sqs:eu-west-3:123456789012:uploads", "awsRegion": "eu-west-3",
}}
answer = function.lambda_handler({{"Records": [record]}}, Context())
print(json.dumps({{"answer": answer, "traced": memory.names, "disabled": function.tracer.disabled,
                   "patched": sorted(patcher._PATCHED_MODULES)}}))
"""

CLIENT_ENV = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3", "POWERTOOLS_METRICS_NAMESPACE": "AmiGarantie",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def function_env() -> dict[str, str]:
    """The variables IntakeFunction's settings require (template.yaml's), each given a placeholder."""
    sys.path.insert(0, str(ROOT / "functions"))
    try:
        from ami.settings import function_settings, required_variables
    finally:
        sys.path.remove(str(ROOT / "functions"))
    return {name: f"http://127.0.0.1:9/1/{name.lower()}" for name in required_variables(function_settings(
        "IntakeFunction"))}


def run(extra: dict[str, str]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "LAMBDA_", "_X_AMZN"))}
    env.update({**function_env(), **CLIENT_ENV, "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, **extra})
    done = subprocess.run([sys.executable, "-c", CHILD.format(functions=str(ROOT / "functions"))], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_in_lambda_each_invocation_is_traced_and_boto3_patched() -> None:
    lambda_env = {
        "LAMBDA_TASK_ROOT": "/var/task", "AWS_LAMBDA_FUNCTION_NAME": "IntakeFunction",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    }
    result = run(lambda_env)
    assert result["answer"] == {"batchItemFailures": []}
    assert result["disabled"] is False
    assert result["traced"] == ["## handler"]  # the batch handler of ami.batch, closed and sent
    assert result["patched"] == ["botocore"]  # ami.tracing.PATCHED: the AWS calls, nothing else tried


def test_outside_lambda_the_tracer_does_nothing() -> None:
    result = run({})
    assert result["answer"] == {"batchItemFailures": []}
    assert result["disabled"] is True
    assert result["traced"] == []
    assert result["patched"] == []
