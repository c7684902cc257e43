"""The opening minute (issue 16): hundreds of complete dossiers sent at the same instant over HTTP.

A LocalRuntime is started (moto server, resources from template.yaml, the dispatcher invoking the
real handlers, the API served by waitress on localhost). B bailleurs register through the API; each
creates D complete dossiers and uploads both pieces through the presigned POSTs; the pipeline
settles (every piece examined, so each envoi is complete when sent). Then C clients, spread over P
client processes (no GIL shared with the server), each with its own connection, release their envois
at one instant agreed beforehand; client i sends the dossiers of bailleur i mod B, one after the other.

Each envoi carries an Idempotency-Key; a request that fails (timeout, connection, 5xx) is repeated
with it, as the platform does, so the bailleur learns the truth.

Printed: accepted / asked to retry (503) / errors / first attempts that failed; envoi answer p50,
p95, p99, max; envois/s (from the release to the last answer); time from the release to the last
number; numbers gapless and in (deposit time, envoi id) order; real-time inversions (A answered
before B was sent, yet B got the smaller number); deposits recorded although their client finally
saw an error; requests to the emulated AWS per envoi and cancelled transactions per envoi (the API's
threads only); the audit log verified.

Then the ceiling, in the same run: the same clients, processes and dossiers, released together again,
each making the envoi's AWS requests itself, straight to the emulation, without the API in between —
the Query of the dossier's partition, a conditional PutItem (the reservation), the HeadObject of both
pieces, a TransactWriteItems of three conditional Puts of the same sizes (the dossier, its pending
envoi, its audit entry; on fresh keys) and a SendMessageBatch to a FIFO queue of its own. What the
emulation on this machine can serve at most for these envois: the envois/s and answer times the
targets ask for are set against it.

    .venv/bin/python benchmarks/bench_rush.py [--bailleurs 100] [--per-bailleur 5] [--clients 100]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_flow import percentile, within_envelope  # noqa: E402

PASSWORD = "Essai-AMI-garantie-2026!"


@dataclass
class Outcome:
    dossier_id: str
    sent: float  # client clock when the first attempt left (epoch seconds)
    answered: float  # client clock of the final answer
    first_status: int  # HTTP status of the first attempt (0: no answer: timeout, connection)
    final_status: int
    attempts: int
    sent_at: str = ""  # the API's deposit time, from the answer
    envoi_id: str = ""


# ---------------------------------------------------------------- the clients (in child processes)


def client_process(api_url: str, jobs: list[list[tuple[str, str]]], release_at: float, timeout: float) -> list[Any]:
    """Run one thread per job list (one client: a bailleur's token and its dossiers, sent in turn)."""
    import requests

    def client(mine: list[tuple[str, str]]) -> list[Outcome]:
        session = requests.Session()
        out: list[Outcome] = []
        time.sleep(max(0.0, release_at - time.time()))
        for token, dossier_id in mine:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
            first, status, attempts, payload = -1, 0, 0, {}
            start = time.time()
            for attempts in range(1, 4):  # noqa: B007
                try:
                    r = session.post(f"{api_url}/dossiers/{dossier_id}/envoi", headers=headers, timeout=timeout)
                    status = r.status_code
                    payload = r.json() if r.content else {}
                except requests.RequestException:
                    status = 0
                    session = requests.Session()
                if first < 0:
                    first = status
                if status == 202 or (400 <= status < 500):
                    break
            envoi = payload.get("envoi") or {} if isinstance(payload, dict) else {}
            out.append(
                Outcome(
                    dossier_id,
                    start,
                    time.time(),
                    first,
                    status,
                    attempts,
                    str(envoi.get("sent_at", "")),
                    str(envoi.get("envoi_id", "")),
                )
            )
        return out

    with ThreadPoolExecutor(len(jobs)) as pool:
        results = [o for outs in pool.map(client, jobs) for o in outs]
    return [o.__dict__ for o in results]


def bare_process(environment: dict[str, str], names: dict[str, str], jobs: list[list[tuple[str, list[str]]]],
                 release_at: float) -> list[tuple[float, float]]:
    """The ceiling's clients: the envoi's AWS requests, made directly. jobs: per client, (dossier id,
    its pieces' S3 keys); returns (sent, answered) per envoi."""
    import boto3

    os.environ.update(environment)
    session = boto3.session.Session()
    local = threading.local()

    def clients() -> tuple[Any, Any, Any]:
        if not hasattr(local, "c"):  # one connection per client, as each API thread has its own
            local.c = tuple(session.client(s) for s in ("dynamodb", "s3", "sqs"))
        return local.c

    def envoi(dossier_id: str, keys: list[str]) -> None:
        ddb, s3, sqs = clients()
        items = ddb.query(TableName=names["dossiers"], ConsistentRead=True, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": f"DOSSIER#{dossier_id}"}})["Items"]
        dossier = next(i for i in items if i["sk"]["S"] == "DOSSIER")
        fresh = uuid.uuid4().hex
        pending = {"pk": {"S": "BARE"}, "sk": {"S": fresh}, "dossier_id": {"S": dossier_id},
                   "envoi_id": {"S": fresh}, "sent_at": {"S": "2026-12-01T00:00:00.000000+00:00"}}
        ddb.put_item(TableName=names["counters"], Item={**pending, "state": {"S": "reserve"}},
                     ConditionExpression="attribute_not_exists(pk)")
        for key in keys:
            s3.head_object(Bucket=names["bucket"], Key=key)
        entry = {"pk": {"S": f"BARE#{fresh}"}, "sk": {"N": "1"}, "doc": {"S": "x" * 900},
                 "dossier_id": {"S": dossier_id}}
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": names["dossiers"], "Item": {**dossier, "pk": {"S": f"BARE#{fresh}"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": names["counters"], "Item": {**pending, "state": {"S": "envoye"}}}},
            {"Put": {"TableName": names["audit"], "Item": entry, "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
        sqs.send_message_batch(QueueUrl=names["queue"], Entries=[
            {"Id": "0", "MessageBody": json.dumps({"dossier_id": dossier_id}), "MessageGroupId": dossier_id,
             "MessageDeduplicationId": fresh}])

    def client(mine: list[tuple[str, list[str]]]) -> list[tuple[float, float]]:
        out = []
        ddb, s3, sqs = clients()  # made and connected before the release, as the API's are
        ddb.describe_table(TableName=names["dossiers"])
        s3.head_bucket(Bucket=names["bucket"])
        sqs.get_queue_url(QueueName=names["queue"].rsplit("/", 1)[-1])
        time.sleep(max(0.0, release_at - time.time()))
        for dossier_id, keys in mine:
            start = time.time()
            envoi(dossier_id, keys)
            out.append((start, time.time()))
        return out

    with ThreadPoolExecutor(len(jobs)) as pool:
        return [o for outs in pool.map(client, jobs) for o in outs]


def ceiling(runtime: Any, store: Any, jobs: list[list[tuple[str, str]]], processes: int) -> list[tuple[float, float]]:
    """Run the ceiling's clients (see the module's docstring) on the same dossiers, dealt the same way."""
    from infra.local import client_environment

    dossiers = store.get_dossiers([i for mine in jobs for _, i in mine])
    keys = {i: [p.key for p in d.envoi.pieces.values()] for i, d in dossiers.items() if d.envoi}
    physical = runtime.stack.physical
    queue = runtime.functions.app.aws.client("sqs").create_queue(
        QueueName="bench-rush-ceiling.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    names = {"dossiers": physical["DossiersTable"], "counters": physical["CountersTable"],
             "audit": physical["AuditTable"], "bucket": physical["DepositsBucket"], "queue": queue}
    bare = [[(i, keys[i]) for _, i in mine] for mine in jobs]
    per_process = [bare[p::processes] for p in range(processes)]
    environment = client_environment(runtime.emulation.endpoint)
    release_at = time.time() + 10.0  # the clients start their processes and connect first
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pending = [pool.apply_async(bare_process, (environment, names, mine, release_at)) for mine in per_process]
        timings = [t for p in pending for t in p.get(timeout=600)]
    return [(sent - release_at, answered - release_at) for sent, answered in timings]


# ---------------------------------------------------------------- preparation (in this process)


def prepare(runtime: Any, bailleurs: int, per_bailleur: int, threads: int) -> list[tuple[str, list[str]]]:
    """Register the bailleurs and create their complete dossiers; (token, dossier ids) per bailleur."""
    from ami.domain.rules import commune

    from infra import pdfgen
    from infra.client import AmiClient, login, register
    from infra.demo.scenario import scenario
    from infra.sirene_fixture import sirene_fixture

    template = next(d for d in scenario() if d.expect == "complet" and not d.bad_upload and not d.drop_field)
    where = commune(template.insee)
    loans = within_envelope(within_envelope(template.prets()))  # 500 dossiers stay within the envelope
    presentation = pdfgen.dossier_presentation(
        operation=template.operation(),
        commune_nom=template.commune,
        zone=where.zone if where else "?",
        raison_sociale="Habitat Essai",
        pages=2,
    )
    body = {
        "operation": template.operation().model_dump(mode="json", exclude_none=True),
        "prets": [p.model_dump(mode="json") for p in loans],
    }

    # Registration checks the SIREN against the Sirene register (the emulation's fixture), then a code.
    units = list(sirene_fixture().eligible("sa_hlm"))[:bailleurs]
    assert len(units) == bailleurs, f"the Sirene fixture has {len(units)} SA d'HLM, {bailleurs} asked"

    # Intake refuses a lettre d'offre addressed to another SIREN (`autre_bailleur`): one letter per bailleur.
    lettres = [
        pdfgen.lettre_offre(
            raison_sociale=unit.denomination,
            siren=unit.siren,
            operation=template.nom,
            commune=template.commune,
            loans=loans,
            reference=f"BDT-LLI-2026-{n:05d}",
            date_lettre=datetime(2026, 10, 1).date(),
        )
        for n, unit in enumerate(units)
    ]
    emails = [f"garanties.{unit.siren}@bailleur-essai.example" for unit in units]
    for unit, email in zip(units, emails, strict=True):  # one at a time: each reads its code in the mailbox
        register(
            runtime.api_url,
            runtime.emulation.endpoint,
            {
                "raison_sociale": unit.denomination,
                "siren": unit.siren,
                "forme_juridique": "sa_hlm",
                "adresse": "12 quai Perrache, 69002 Lyon",
                "email_contact": email,
                "mot_de_passe": PASSWORD,
            },
        )

    def one(n: int) -> tuple[str, list[str]]:
        email = emails[n]
        token = login(runtime.emulation.endpoint, runtime.stack.user_pool_client_id, email, PASSWORD)
        api = AmiClient(runtime.api_url, token)
        ids = []
        for _ in range(per_bailleur):
            dossier_id = api.call("POST", "/dossiers", body)["dossier_id"]
            api.upload(dossier_id, "lettre_offre", lettres[n], "lettre-offre.pdf")
            api.upload(dossier_id, "dossier_presentation", presentation, "dossier-presentation.pdf")
            ids.append(dossier_id)
        return token, ids

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(bailleurs)))


class ApiCalls:
    """Counts the AWS requests the API's threads make, and the transactions cancelled among them."""

    def __init__(self, aws: Any) -> None:
        self.requests = 0
        self.cancelled = 0
        self.by_operation: Counter[str] = Counter()
        self.on = False
        self._lock = threading.Lock()
        clients = [aws.client(s) for s in ("dynamodb", "s3", "sqs")]
        clients.append(aws.table("unused").meta.client)
        for c in clients:
            c.meta.events.register("after-call", self._after)

    def _after(self, http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
        if not self.on or not threading.current_thread().name.startswith("waitress"):
            return
        with self._lock:
            self.requests += 1
            self.by_operation[model.name if model else "?"] += 1
            if isinstance(parsed, dict) and parsed.get("Error", {}).get("Code") == "TransactionCanceledException":
                self.cancelled += 1


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bailleurs", type=int, default=100)
    parser.add_argument("--per-bailleur", type=int, default=5)
    parser.add_argument("--clients", type=int, default=100, help="simultaneous HTTP clients (64 or more)")
    parser.add_argument("--processes", type=int, default=4, help="client processes the clients are spread over")
    parser.add_argument("--prepare-threads", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30, help="a client's timeout per request (seconds)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ami-bench-rush-") as state:
        os.chdir(state)  # the .ami-local state of this run only
        try:
            run(args)
        finally:
            os.chdir(ROOT)


def run(args: argparse.Namespace) -> None:
    from ami.domain.audit import verify_log

    from infra.local import LocalRuntime

    errors: list[str] = []
    total = args.bailleurs * args.per_bailleur
    with LocalRuntime(log=errors.append, log_level="WARNING") as runtime:
        t0 = time.perf_counter()
        prepared = prepare(runtime, args.bailleurs, args.per_bailleur, args.prepare_threads)
        runtime.dispatcher.drain(timeout=1800)
        print(f"prepared {args.bailleurs} bailleurs, {total} complete dossiers in {time.perf_counter() - t0:.0f} s")

        store = runtime.functions.app.store
        calls = ApiCalls(runtime.functions.app.aws)
        jobs: list[list[tuple[str, str]]] = [[] for _ in range(args.clients)]
        for b, (token, ids) in enumerate(prepared):
            # Bailleur b's dossiers, dealt among the clients i with i mod B = b (each sent by one client only).
            mine = list(range(b, args.clients, args.bailleurs)) or [b % args.clients]
            for k, dossier_id in enumerate(ids):
                jobs[mine[k % len(mine)]].append((token, dossier_id))
        per_process = [jobs[p :: args.processes] for p in range(args.processes)]
        release_at = time.time() + 3.0
        calls.on = True
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.processes) as pool:
            pending = [
                pool.apply_async(client_process, (runtime.api_url, mine, release_at, args.timeout))
                for mine in per_process
            ]
            last_number_at = wait_for_numbers(store, total, release_at, lambda: all(p.ready() for p in pending))
            outcomes = [Outcome(**o) for p in pending for o in p.get(timeout=600)]
        calls.on = False
        runtime.dispatcher.drain(timeout=600)
        report(args, store, outcomes, release_at, last_number_at, calls, errors, verify_log)
        report_ceiling(outcomes, release_at, ceiling(runtime, store, jobs, args.processes))


def wait_for_numbers(
    store: Any, total: int, release_at: float, clients_done: Callable[[], bool], timeout: float = 900
) -> float:
    """The moment the counter reached `total` (polled every 100 ms), or NaN when it cannot any more:
    the clients have finished and no envoi is left to conclude (some were refused or concluded
    `incomplet`: the report says why), or the timeout."""
    while time.time() < release_at:
        time.sleep(0.05)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if store.counter().number >= total:
            return time.time()
        if clients_done() and not store.pending_envois(limit=1):
            return float("nan")
        time.sleep(0.1)
    return float("nan")


def real_time_inversions(rows: list[tuple[float, float, int]]) -> int:
    """Pairs (A, B) with A answered before B was sent, yet B numbered before A. rows: (sent, answered, number)."""
    by_answer = sorted(rows, key=lambda r: r[1])
    inversions, best, k = 0, 0, 0
    for sent, _, number in sorted(rows, key=lambda r: r[0]):
        while k < len(by_answer) and by_answer[k][1] < sent:
            best = max(best, by_answer[k][2])
            k += 1
        inversions += number < best
    return inversions


def report(
    args: argparse.Namespace,
    store: Any,
    outcomes: list[Outcome],
    release_at: float,
    last_number_at: float,
    calls: ApiCalls,
    errors: list[str],
    verify_log: Any,
) -> None:
    total = len(outcomes)
    accepted = [o for o in outcomes if o.final_status == 202]
    retry_asked = sum(o.first_status == 503 for o in outcomes)
    first_failed = sum(o.first_status != 202 for o in outcomes)
    latencies = [o.answered - o.sent for o in outcomes if o.attempts == 1 and o.final_status == 202]
    last_answer = max(o.answered for o in outcomes)
    dossiers = store.get_dossiers([o.dossier_id for o in outcomes])
    recorded = {i for i, d in dossiers.items() if d.envoi is not None}
    saw_error_yet_recorded = sum(o.final_status != 202 and o.dossier_id in recorded for o in outcomes)
    numbered = sorted((d for d in dossiers.values() if d.deposit_number is not None), key=lambda d: d.deposit_number)
    numbers = [d.deposit_number for d in numbered]
    keys = [(d.envoi.sent_at, d.envoi.envoi_id) for d in numbered if d.envoi]
    order_errors = sum(a > b for a, b in itertools.pairwise(keys))
    by_id = {o.dossier_id: o for o in outcomes}
    inversions = real_time_inversions(
        [(by_id[d.dossier_id].sent, by_id[d.dossier_id].answered, d.deposit_number or 0) for d in numbered]
    )
    problems = verify_log(store.audit_entries())
    incomplete = Counter(r.code for d in dossiers.values() if d.status == "incomplet" for r in d.incomplete_reasons)

    print(
        f"envois: {total} from {args.clients} clients in {args.processes} processes "
        f"({args.bailleurs} bailleurs x {args.per_bailleur}), released together"
    )
    print(
        f"  accepted {len(accepted)}, asked to retry (503) {retry_asked}, errors {total - len(accepted)}, "
        f"first attempts that failed {first_failed}"
    )
    print(
        f"  answer (first attempts answered 202): p50 {percentile(latencies, 50):.2f} s, "
        f"p95 {percentile(latencies, 95):.2f} s, p99 {percentile(latencies, 99):.2f} s, max {max(latencies):.2f} s"
    )
    print(
        f"  {total / (last_answer - release_at):.1f} envois/s from the release to the last answer "
        f"({last_answer - release_at:.1f} s)"
    )
    print(f"  release -> last number: {last_number_at - release_at:.1f} s")
    print(
        f"  numbers: {len(numbers)} given, gapless {numbers == list(range(1, len(numbers) + 1))}, "
        f"order errors {order_errors}, real-time inversions {inversions}"
    )
    if incomplete:
        print(f"  NOT NUMBERED: concluded incomplet, by reason: {dict(incomplete)}")
    print(f"  deposits recorded although their client saw an error: {saw_error_yet_recorded}")
    print(
        f"  API requests to AWS per envoi {calls.requests / total:.2f} "
        f"({', '.join(f'{k} {v / total:.2f}' for k, v in calls.by_operation.most_common())}); "
        f"cancelled transactions per envoi {calls.cancelled / total:.3f}"
    )
    print(f"  audit log: {'intact' if not problems else problems[:3]}; dispatcher errors {len(errors)}")


def report_ceiling(outcomes: list[Outcome], release_at: float, bare: list[tuple[float, float]]) -> None:
    """The rush beside the ceiling measured right after it (times relative to each release)."""
    ours = len(outcomes) / (max(o.answered for o in outcomes) - release_at)
    rate = len(bare) / max(answered for _, answered in bare)
    latencies = [answered - sent for sent, answered in bare]
    print(
        f"ceiling: the same {len(bare)} envois' AWS requests made by the same clients straight to the emulation: "
        f"{rate:.1f} envois/s, answer p50 {percentile(latencies, 50):.2f} s, p99 {percentile(latencies, 99):.2f} s"
    )
    print(f"  the rush through the API: {ours / rate:.2f}x the ceiling's envois/s")


if __name__ == "__main__":
    main()
