"""The deposit flow on the local stack: from envoi to the instructors' work item, for N dossiers.

A LocalRuntime is started (moto server, resources from template.yaml, the dispatcher invoking the
real handlers, the Chalice API on localhost). Four bailleurs register through the API; N dossiers are
created and both pieces uploaded through the presigned POSTs (the PDFs are generated once per
bailleur and operation and the bytes reused); the pipeline settles; then every dossier is sent from a
few threads while a poller takes the work items off the FIFO instruction queue.

Measured, from the API's `sent_at` of each envoi:
  - dossiers/s: N ÷ (first work item's availability − first envoi), envoi of all included;
  - latency to the work item, p50/p95/max, two ways: the SQS `SentTimestamp` of the work item
    (when scoring put it on the queue) and the moment the poller first saw it.
Numbering waits `clock_margin_seconds` after each deposit by design (docs/numbering.md): that wait
is part of every latency and is printed beside it.

    .venv/bin/python benchmarks/bench_flow.py [--dossiers 200] [--threads 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ami.domain.models import Loan

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Sent:
    dossier_id: str
    sent_at: float  # the API's server time of envoi, epoch seconds
    request_s: float  # round trip of the envoi request


@dataclass
class Seen:
    sqs_sent: float  # when the poller first saw the item on the work list (the queue is the function's now)
    polled: float  # the same time: the poller reads the work list, not the queue


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class WorkItemPoller:
    """Reads the instructors' work list (which the instruction function fills from the instruction queue)
    as the items appear; records when each was first seen there."""

    def __init__(self, work_list: Any) -> None:
        self.work_list = work_list
        self.seen: dict[str, Seen] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            for e in self.work_list.work_entries():
                self.seen.setdefault(e.item.dossier_id, Seen(sqs_sent=now, polled=now))
            self._stop.wait(0.5)


def prepare(runtime: Any, count: int, threads: int) -> tuple[list[tuple[Any, str]], float]:
    """Register the bailleurs, create `count` complete dossiers with both pieces; (client, id) each."""
    from ami.domain.rules import commune

    from infra import pdfgen
    from infra.demo import BAILLEURS, register_bailleurs
    from infra.demo.scenario import scenario

    clients = register_bailleurs(runtime)

    templates = [d for d in scenario() if d.expect == "complet" and not d.bad_upload and not d.drop_field]
    t0 = time.perf_counter()
    pdfs = {}
    for i, d in enumerate(templates):  # once per operation: the same bytes for all its copies
        b = BAILLEURS[d.bailleur]
        where = commune(d.insee)
        pdfs[i] = (
            pdfgen.lettre_offre(
                raison_sociale=b.raison_sociale,
                siren=b.siren,
                operation=d.nom,
                commune=d.commune,
                loans=within_envelope(d.prets()),
                reference=f"BDT-LLI-2026-{2000 + i:05d}",
                date_lettre=datetime(2026, 10, 1).date(),
            ),
            pdfgen.dossier_presentation(
                operation=d.operation(),
                commune_nom=d.commune,
                zone=where.zone if where else "?",
                raison_sociale=b.raison_sociale,
                pages=4,
            ),
        )
    pdf_seconds = time.perf_counter() - t0

    def create(n: int) -> tuple[Any, str]:
        i = n % len(templates)
        d = templates[i]
        api = clients[d.bailleur]
        created = api.call(
            "POST",
            "/dossiers",
            {
                "operation": d.operation().model_dump(mode="json", exclude_none=True),
                "prets": [p.model_dump(mode="json") for p in within_envelope(d.prets())],
            },
        )
        dossier_id = created["dossier_id"]
        lettre, presentation = pdfs[i]
        api.upload(dossier_id, "lettre_offre", lettre, "lettre-offre.pdf")
        api.upload(dossier_id, "dossier_presentation", presentation, "dossier-presentation.pdf")
        return api, dossier_id

    with ThreadPoolExecutor(threads) as pool:
        made = list(pool.map(create, range(count)))
    return made, pdf_seconds


def within_envelope(loans: list[Loan]) -> list[Loan]:
    """A twentieth of the demo's amounts: 200 dossiers stay within the 600 M€ envelope, so every
    one of them becomes a work item (a waiting-list dossier does not)."""
    return [p.model_copy(update={"montant_eur": (p.montant_eur / 20).quantize(Decimal("0.01"))}) for p in loans]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4, help="clients sending the envois")
    parser.add_argument(
        "--prepare-threads",
        type=int,
        default=1,
        help="clients creating dossiers and uploading (more than 1 trips moto's unlocked DynamoDB transactions)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the last work item")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ami-bench-flow-") as state:
        os.chdir(state)  # the .ami-local state of this run only
        try:
            run(args)
        finally:
            os.chdir(ROOT)


def run(args: argparse.Namespace) -> None:
    from ami.domain.dispositif import dispositif

    from infra.local import LocalRuntime

    margin = dispositif().clock_margin_seconds
    errors: list[str] = []
    with LocalRuntime(log=errors.append, log_level="WARNING") as runtime:
        t0 = time.perf_counter()
        made, pdf_seconds = prepare(runtime, args.dossiers, args.prepare_threads)
        prepared = time.perf_counter() - t0
        t1 = time.perf_counter()
        runtime.dispatcher.drain(timeout=args.timeout)  # every piece examined before the first envoi
        intake_seconds = time.perf_counter() - t1

        poller = WorkItemPoller(runtime.functions.app.work_list)
        poller.start()

        retries: list[int] = []
        conflicts: list[str] = []

        def send(job: tuple[Any, str]) -> Sent:
            from infra.client import ApiError

            api, dossier_id = job
            start = time.perf_counter()
            for attempt in range(20):
                try:
                    answer = api.call("POST", f"/dossiers/{dossier_id}/envoi")
                    break
                except ApiError as exc:  # 503 envoi_a_renouveler: the API asks to send again
                    if exc.status == 409 and retries:  # the envoi answered 503 had gone through after all
                        conflicts.append(dossier_id)
                        answer = {"envoi": api.call("GET", f"/dossiers/{dossier_id}")["dossier"]["envoi"]}
                        break
                    if exc.status != 503 or attempt == 19:
                        raise
                    retries.append(1)
                    time.sleep(0.2 * (attempt + 1))
            elapsed = time.perf_counter() - start
            sent_at = datetime.fromisoformat(answer["envoi"]["sent_at"]).timestamp()
            return Sent(dossier_id, sent_at, elapsed)

        envoi_start = time.time()
        with ThreadPoolExecutor(args.threads) as pool:
            sent = list(pool.map(send, made))
        envoi_end = time.time()
        deadline = time.monotonic() + args.timeout
        while len(poller.seen) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.2)
        poller.stop()
        seen = dict(poller.seen)
        invocations, failed_batches = runtime.dispatcher.invocations, runtime.dispatcher.errors

    report(args, margin, sent, seen, envoi_start, envoi_end, prepared, pdf_seconds, intake_seconds)
    print(f"envois answered 503 envoi_a_renouveler and sent again: {len(retries)}; of which then 409"
          f" (already recorded): {len(conflicts)}")
    print(f"dispatcher: {invocations} invocations, {failed_batches} with failed records, {len(errors)} errors logged")
    for line in errors[:5]:
        print("  " + line[:200])


def report(
    args: argparse.Namespace,
    margin: int,
    sent: list[Sent],
    seen: dict[str, Seen],
    envoi_start: float,
    envoi_end: float,
    prepared: float,
    pdf_seconds: float,
    intake_seconds: float,
) -> None:
    by_id = {s.dossier_id: s for s in sent}
    done = [i for i in by_id if i in seen]
    first_envoi = min(s.sent_at for s in sent)
    last_item = max((seen[i].sqs_sent for i in done), default=float("nan"))
    last_polled = max((seen[i].polled for i in done), default=float("nan"))
    to_queue = [seen[i].sqs_sent - by_id[i].sent_at for i in done]
    requests = [s.request_s for s in sent]

    print(f"Flow: {len(sent)} dossiers on the local stack ({os.cpu_count()} CPUs, {args.threads} client threads)")
    print(f"  preparation (4 bailleurs, dossiers, {2 * len(sent)} presigned uploads): {prepared:.1f} s"
          f" (PDF generation {pdf_seconds:.1f} s); intake of the pieces: {intake_seconds:.1f} s")
    print(f"  envoi requests: {len(sent) / (envoi_end - envoi_start):.1f}/s,"
          f" p50 {percentile(requests, 50) * 1000:.0f} ms, p95 {percentile(requests, 95) * 1000:.0f} ms")
    if len(done) < len(sent):
        print(f"  !! only {len(done)} of {len(sent)} work items arrived within {args.timeout:.0f} s")
    header = f"  {'measure':<44} {'value':>10}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    rows = [
        ("work items / dossiers sent", f"{len(done)}/{len(sent)}"),
        ("dossiers/s (first envoi → last work item)", f"{len(done) / (last_item - first_envoi):.2f}"),
        ("first envoi → last work item (s)", f"{last_item - first_envoi:.1f}"),
        ("envoi → work item on the work list, p50 (s)", f"{percentile(to_queue, 50):.2f}"),
        ("envoi → work item on the work list, p95 (s)", f"{percentile(to_queue, 95):.2f}"),
        ("envoi → work item on the work list, max (s)", f"{max(to_queue, default=float('nan')):.2f}"),
        ("of which clock margin, by design (s)", f"{margin}"),
        ("last work item seen − first envoi (s)", f"{last_polled - first_envoi:.1f}"),
    ]
    for name, value in rows:
        print(f"  {name:<44} {value:>10}")
    if to_queue:
        print(f"  median envoi → work item beyond the {margin} s margin: {statistics.median(to_queue) - margin:.2f} s")


if __name__ == "__main__":
    main()
