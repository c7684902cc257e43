"""The whole stack on this machine: moto server, resources from template.yaml, the functions fed by
a local dispatcher with real-shaped Lambda events, and the Chalice API on localhost.

No AWS account, no Docker. The handlers are the very modules that run in Lambda; only the event
source (SQS polling → Lambda event) is played by the dispatcher, as Lambda's event source mapping
would: batches, partial batch failures, redelivery after a failure, and the DLQ after 5 receives.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3

from infra.provision import REGION, FunctionSpec, LocalStack, QueueTrigger, provision

STATE_DIR = Path(".ami-local")
RETRY_AFTER_SECONDS = 1  # Lambda waits for the visibility timeout; locally we retry sooner


class Emulation:
    """moto server in a child process (its own core), on 127.0.0.1 only (see infra/moto_server.py)."""

    def __init__(self) -> None:
        self.endpoint = ""
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 30) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.moto_server", "--host", "127.0.0.1", "--port", "0"],
            # Cognito checks the authenticator-app codes (instructors sign in with MFA).
            env={**os.environ, "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        port = self.process.stdout.readline().strip()  # the server prints the port it bound
        if not port.isdigit():
            raise RuntimeError("moto server exited at start")
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"moto server did not answer on {self.endpoint}")

    def stop(self, timeout: float = 3) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:  # busy serving: no emulator may outlive its stack
                self.process.kill()
                self.process.wait(timeout)


def client_environment(endpoint: str, state_dir: Path = STATE_DIR) -> dict[str, str]:
    """Variables that point boto3 (ours and the handlers') at the emulation, with fake credentials."""
    state_dir.mkdir(parents=True, exist_ok=True)
    config = state_dir / "aws-config"
    config.write_text(f"[default]\nregion = {REGION}\ns3 =\n    addressing_style = path\n", encoding="utf-8")
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(config.resolve()),
        "AWS_SHARED_CREDENTIALS_FILE": str((state_dir / "no-credentials").resolve()),
        "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would drown the console locally
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


@dataclass
class _Context:
    """What Powertools reads from the Lambda context."""

    function_name: str
    timeout: int
    aws_request_id: str = ""
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    log_group_name: str = ""
    log_stream_name: str = "local"

    def __post_init__(self) -> None:
        self.aws_request_id = uuid.uuid4().hex
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"
        self._deadline = time.monotonic() + self.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class ShiftedClock:
    """The real clock moved by `offset`, shared by every container of a local stack: zero by default (the real
    time), moved by `ami demo` to play the DROM's 2024 deposit window and its closing (`set`). Moving it forward
    is time passing for every function at once, so the numbering's rules still hold."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set(self, at: datetime) -> None:
        self.offset = at - datetime.now(UTC)


class Functions:
    """Each function's handler as Lambda runs it (its CodeUri on sys.path, its environment), wired by
    the composition root for this stack: a stack started later in the same process gets its own."""

    def __init__(
        self,
        stack: LocalStack,
        overrides: dict[str, str] | None = None,
        adapters: Callable[[str, Any], dict[str, Any]] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from ami import bootstrap
        from ami.adapters.aws import aws_for
        from ami.settings import Settings

        self.stack = stack
        self.clock = clock or ShiftedClock()
        # Given a function's name and its container, adapters to use instead (the fault-injection run wraps them).
        self.adapters = adapters
        os.environ.update(stack.env)
        os.environ.update(overrides or {})
        from infra.sirene_fixture import sirene_fixture

        # Everything as in AWS but the Sirene register, which is the fixture of the emulation.
        self._sirene = sirene_fixture()
        # Every container talks to this stack's emulation, whatever the process's environment says later.
        self.aws = aws_for(stack.endpoint)
        self.app = bootstrap.build(Settings.model_validate(stack.env), aws=self.aws, sirene=self._sirene,
                                   clock=self.clock)  # the whole stack
        self._containers: dict[str, Any] = {}
        self._handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {}
        self._lock = threading.Lock()

    def container(self, name: str) -> Any:
        """Function `name` wired as in Lambda: from its own settings model and only the variables
        template.yaml gives it, so a variable missing there fails here too."""
        from ami import bootstrap
        from ami.settings import function_settings

        if name not in self._containers:
            model = function_settings(name)
            env = self.stack.functions[name].env
            container = bootstrap.build(model.model_validate(env), aws=self.aws, sirene=self._sirene, clock=self.clock)
            if self.adapters is not None:
                given = self.adapters(name, container)
                container = bootstrap.build(container.settings, aws=self.aws, sirene=self._sirene, clock=self.clock,
                                            **given)
            self._containers[name] = container
        return self._containers[name]

    def handler(self, name: str) -> Callable[[dict[str, Any], Any], Any]:
        with self._lock:
            if name not in self._handlers:
                spec: FunctionSpec = self.stack.functions[name]
                if str(spec.code_dir) not in sys.path:
                    sys.path.insert(0, str(spec.code_dir))
                module_name, attr = spec.handler.rsplit(".", 1)
                module = importlib.import_module(module_name)
                if hasattr(module, "make_handlers"):
                    self._handlers[name] = module.make_handlers(self.container(name))[attr]
                else:
                    self._handlers[name] = module.make_handler(self.container(name))
            return self._handlers[name]

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        spec = self.stack.functions[name]
        try:
            return self.handler(name)(event, _Context(function_name=f"ami-local-{name}", timeout=spec.timeout))
        finally:
            # With POWERTOOLS_METRICS_DISABLED, Powertools skips the flush but keeps the metrics, and
            # prints them anyway once 100 pile up: drop them after each invocation, as a flush would.
            from aws_lambda_powertools.metrics import Metrics

            Metrics().clear_metrics()


def sqs_event(
    trigger: QueueTrigger, messages: list[dict[str, Any]], body: Callable[[str], str] = lambda b: b
) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping builds from received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": body(m["Body"]),
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": trigger.queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


class S3EventCompleter:
    """moto's S3 notifications lack what AWS sends: the object's versionId above all, and a few
    identity fields. Fill them in, finding the version by ETag among the key's versions, so that the
    handler receives what it would in AWS."""

    def __init__(self, endpoint: str) -> None:
        self.s3 = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=REGION)
        self._claimed: set[tuple[str, str, str]] = set()

    def __call__(self, body: str) -> str:
        """The body completed; one that is not an S3 notification is left as it is, for the handler to
        fail that record alone (as Lambda delivers whatever the queue holds)."""
        try:
            message = json.loads(body)
            records = message.get("Records", []) if isinstance(message, dict) else []
        except ValueError:
            return body
        if not isinstance(records, list) or not all(isinstance(r, dict) and "s3" in r for r in records):
            return body
        for record in records:
            record.setdefault("userIdentity", {"principalId": "AWS:LOCAL"})
            record.setdefault("requestParameters", {"sourceIPAddress": "127.0.0.1"})
            record.setdefault("responseElements", {"x-amz-request-id": uuid.uuid4().hex, "x-amz-id-2": "local"})
            bucket, obj = record["s3"]["bucket"], record["s3"]["object"]
            bucket.setdefault("ownerIdentity", {"principalId": "LOCAL"})
            if "versionId" not in obj:
                obj["versionId"] = self._version(bucket["name"], unquote_plus(obj["key"]), obj.get("eTag", ""))
            obj.setdefault("sequencer", uuid.uuid4().hex[:18].upper())
        return json.dumps(message)

    def _version(self, bucket: str, key: str, etag: str) -> str:
        versions = self.s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
        candidates = sorted(
            (v for v in versions if v["Key"] == key and v["ETag"].strip('"') == etag), key=lambda v: v["LastModified"]
        )
        for v in candidates:  # the oldest version of this content not yet announced
            if (bucket, key, v["VersionId"]) not in self._claimed:
                self._claimed.add((bucket, key, v["VersionId"]))
                return str(v["VersionId"])
        return str(candidates[-1]["VersionId"]) if candidates else "null"


def schedule_event(function: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": uuid.uuid4().hex,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:123456789012:rule/{function}"],
        "detail": {},
    }


class Dispatcher:
    """Polls each queue that feeds a function and invokes it, as Lambda's event source mappings do."""

    def __init__(self, stack: LocalStack, functions: Functions, log: Callable[[str], None] = lambda _: None) -> None:
        self.stack = stack
        self.functions = functions
        self.log = log
        self.sqs = boto3.session.Session().client("sqs", endpoint_url=stack.endpoint, region_name=REGION)
        self.complete_s3_event = S3EventCompleter(stack.endpoint)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._busy_lock = threading.Lock()
        self.invocations = 0
        self.errors = 0

    def start(self) -> None:
        for trigger in self.stack.triggers:
            self._spawn(self._poll, trigger)
        for schedule in self.stack.schedules:
            self._spawn(self._tick, schedule.function, schedule.every_seconds)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        t = threading.Thread(target=target, args=args, daemon=True, name=f"dispatch-{args[0]}")
        t.start()
        self._threads.append(t)

    def stop(self, timeout: float = 3) -> None:
        """Stop polling; an invocation under way gets `timeout` seconds in all to end (the threads are
        daemons: one still busy then does not keep the process alive)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def _poll(self, trigger: QueueTrigger) -> None:
        while not self._stop.is_set():
            try:
                messages = self.sqs.receive_message(
                    QueueUrl=trigger.queue_url,
                    MaxNumberOfMessages=trigger.batch_size,
                    WaitTimeSeconds=1,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
            except Exception as exc:  # the emulation is stopping
                if not self._stop.is_set():
                    self.log(f"[dispatch] {trigger.function}: {exc}")
                    time.sleep(0.5)
                continue
            if messages:
                self._deliver(trigger, list(messages))  # type: ignore[arg-type]

    def _deliver(self, trigger: QueueTrigger, messages: list[dict[str, Any]]) -> None:
        with self._busy_lock:
            self._busy += 1
        try:
            failed: set[str] = set()
            try:
                shape = self.complete_s3_event if trigger.fed_by_s3 else (lambda b: b)
                response = self.functions.invoke(trigger.function, sqs_event(trigger, messages, shape)) or {}
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            except Exception as exc:  # a crashed invocation fails the whole batch, as in Lambda
                self.log(f"[dispatch] {trigger.function} failed: {_describe(exc)}")
                failed = {m["MessageId"] for m in messages}
            self.invocations += 1
            self.errors += bool(failed)
            done = [m for m in messages if m["MessageId"] not in failed]
            for i in range(0, len(done), 10):
                self.sqs.delete_message_batch(
                    QueueUrl=trigger.queue_url,
                    Entries=[
                        {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done[i : i + 10])
                    ],
                )
            for m in messages:
                if m["MessageId"] in failed:
                    self.sqs.change_message_visibility(
                        QueueUrl=trigger.queue_url,
                        ReceiptHandle=m["ReceiptHandle"],
                        VisibilityTimeout=RETRY_AFTER_SECONDS,
                    )
        finally:
            with self._busy_lock:
                self._busy -= 1

    def _tick(self, function: str, every_seconds: int) -> None:
        while not self._stop.wait(every_seconds):
            self.run_schedule(function)

    def run_schedule(self, function: str) -> None:
        # Busy while it runs: a sweep relaying the outbox is work in flight, which `drain` must wait for.
        with self._busy_lock:
            self._busy += 1
        try:
            self.functions.invoke(function, schedule_event(function))
        except Exception as exc:
            self.log(f"[dispatch] {function} failed: {exc!r}")
        finally:
            with self._busy_lock:
                self._busy -= 1

    def idle(self) -> bool:
        """Nothing in flight and nothing waiting in the queues that feed functions."""
        if self._busy:
            return False
        for trigger in self.stack.triggers:
            attrs = self.sqs.get_queue_attributes(
                QueueUrl=trigger.queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            if any(int(v) for v in attrs.values()):
                return False
        return not self._busy

    def drain(self, timeout: float = 120, settle: int = 3) -> None:
        """Wait until the pipeline is idle `settle` polls in a row (an S3 event may still be on its way)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < settle:
            if time.monotonic() > deadline:
                raise TimeoutError("the local pipeline did not settle")
            quiet = quiet + 1 if self.idle() else 0
            time.sleep(0.3)


@contextlib.contextmanager
def provisioned_emulation(state_dir: Path) -> Iterator[LocalStack]:
    """A fresh emulation provisioned from template.yaml, this process's environment pointing at it
    (and restored afterwards): for tests and benchmarks that drive the domain code directly."""
    emulation = Emulation()
    emulation.start()
    saved = dict(os.environ)
    try:
        os.environ.update(client_environment(emulation.endpoint, state_dir))
        stack = provision(emulation.endpoint)
        os.environ.update(stack.env)
        yield stack
    finally:
        emulation.stop()
        os.environ.clear()
        os.environ.update(saved)


class LocalRuntime:
    """Everything `ami local up`, `ami demo`, the tests and the benchmarks need, started in order."""

    def __init__(
        self,
        log: Callable[[str], None] = lambda _: None,
        serve_api: bool = True,
        state_dir: Path = STATE_DIR,
        log_level: str = "WARNING",
        web_port: int = 0,
        adapters: Callable[[str, Any], dict[str, Any]] | None = None,
    ) -> None:
        self.log = log
        self.adapters = adapters
        self.web_port = web_port
        self.web_url = ""  # the plateforme (served with the API)
        self._web: Any = None
        self.log_level = log_level
        self.serve_api = serve_api
        self.state_dir = state_dir
        self.emulation = Emulation()
        self.clock = ShiftedClock()  # every function's clock: the real time unless moved (`ami demo`)
        self.api_url = ""
        self._stop_api: Callable[[], None] | None = None
        self.stack: LocalStack
        self.dispatcher: Dispatcher
        self.functions: Functions

    def start(self) -> LocalRuntime:
        # Locally nothing collects EMF metrics; Powertools warns on each empty flush.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self.emulation.start()
        os.environ.update(client_environment(self.emulation.endpoint, self.state_dir))
        parameters: dict[str, str] = {}
        if self.serve_api:
            from infra.localweb import WebServer

            # Bound first: the deposits bucket's CORS rule names the plateforme's origin.
            self._web = WebServer(port=self.web_port)
            parameters["AllowedOrigin"] = self._web.url
        self.stack = provision(self.emulation.endpoint, parameters)
        self.functions = Functions(self.stack, {"POWERTOOLS_LOG_LEVEL": self.log_level}, self.adapters, self.clock)
        self.dispatcher = Dispatcher(self.stack, self.functions, self.log)
        self.dispatcher.start()
        if self.serve_api:
            from infra.localapi import QUIET, serve_api

            if self.log_level == "WARNING":
                QUIET.set()
            self.api_url, self._stop_api = serve_api(
                self.emulation.endpoint, self.stack.user_pool_id, self.functions.container("ApiFunction")
            )
            assert self._web is not None
            self.web_url = self._web.start(self.functions.container("WebFunction"))
            self._publish_outputs()
        return self

    def _publish_outputs(self) -> None:
        """template.yaml's outputs, with the local values, as a stack of the emulation's CloudFormation: the
        command line reads them as it reads a deployed stack's (`ami instruction --stack ami-garantie-local`)."""
        from infra.stack_outputs import publish_local

        physical = self.stack.physical
        publish_local(self.emulation.endpoint, REGION, {
            "ApiUrl": self.api_url + "/", "PlateformeUrl": self.web_url + "/", "UserPoolId": self.stack.user_pool_id,
            "UserPoolClientId": self.stack.user_pool_client_id, "DepositsBucketName": physical["DepositsBucket"],
            "InstructionQueueUrl": physical["InstructionQueue"],
        })

    def stop(self) -> None:
        """Everything down within a few seconds, the emulator last (killed if it does not stop)."""
        try:
            if self._stop_api:
                self._stop_api()
            if self._web is not None:
                self._web.stop()
            if hasattr(self, "dispatcher"):
                self.dispatcher.stop()
        finally:
            self.emulation.stop()

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _describe(exc: Exception) -> str:
    """Powertools wraps the records' errors; show them, not just the wrapper."""
    children = getattr(exc, "child_exceptions", None)
    if children:
        return "; ".join(repr(child[1]) for child in children)
    return repr(exc)
