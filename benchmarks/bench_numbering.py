"""Benchmark of the deposit numbering on the local stack (moto server), printed, not asserted.

    .venv/bin/python benchmarks/bench_numbering.py [--dossiers 1000] [--workers 8]

First, untimed, W threads create the dossiers and record their pieces as accepted by intake (in
real life that happens over days, before the envois). Then two phases, each run by W threads, as
the service runs them:

1. envois: each worker sends its share of the dossiers (`ami.services.envoi.send`: reservation, snapshots,
   verdicts of the pieces, record), as the API does, and keeps the completeness request the API
   would queue;
2. numbering: those requests, in a shuffled order (SQS FIFO orders a dossier's group only), are
   handed to the workers ten at a time and each batch goes to `Sequencer.examine`, as the
   completeness Lambda's handler passes it an SQS batch. "Numbers given per second" is this
   phase's rate: from the first request to the last number, every sent dossier numbered gapless in
   deposit order, its DepositNumbered message on the scoring queue.

Beside it, in the same run and with the same number of threads, the rate of bare conditional PutItem
calls (attribute_not_exists) on the same emulated counters table: the store's own ceiling.

The clock margin is 0 here (SequencingRules(margin=0)): the margin is a deliberate wait after each
deposit (clock skew, requests in flight), not work, and would only measure itself.

The moto server handles one DynamoDB request at a time (infra/moto_server.py): moto's DynamoDB
transactions are neither atomic nor isolated under concurrent requests.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from ami.bootstrap import sqs_publisher

SIREN = "732829320"
SQS_BATCH = 10  # the completeness function's BatchSize in template.yaml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    n, w = args.dossiers, args.workers

    from infra.local import provisioned_emulation

    with provisioned_emulation(Path(tempfile.mkdtemp(prefix="ami-bench-"))):
        run(n, w)


def run(n: int, w: int) -> None:
    import ami.settings
    from ami.adapters.aws import default_aws
    from ami.adapters.dynamodb import Store
    from ami.domain.audit import verify_log
    from ami.domain.errors import RetryLater
    from ami.domain.models import CompletenessRequest, Dossier, DossierStatus
    from ami.domain.rules import communes
    from ami.services import envoi
    from ami.services.sequencing import Sequencer, SequencingRules

    s = ami.settings.settings()  # provisioned_emulation pointed the environment at the emulation
    counters = default_aws().table(s.counters_table)

    from infra.samples import StubDeposits, complete_dossier

    deposits = StubDeposits()
    rules = SequencingRules(
        hold=timedelta(minutes=15),
        margin=timedelta(0),
        reservation_timeout=timedelta(minutes=2),
        envelope=Decimal(10**12),
    )

    lock = threading.Lock()

    # ---------------------------------------------------------------- the ceiling: bare conditional puts
    puts = max(n, 500)

    def put(k: int) -> None:
        counters.put_item(
            Item={"pk": "BENCH", "sk": f"{k:08d}", "v": k}, ConditionExpression="attribute_not_exists(pk)"
        )

    with ThreadPoolExecutor(w) as pool:
        list(pool.map(put, range(min(50, puts))))  # warm the connections
        t0 = time.perf_counter()
        list(pool.map(put, range(50, puts + 50)))
        put_rate = puts / (time.perf_counter() - t0)
    with counters.batch_writer() as batch:  # moto copies whole tables in each transaction: leave none behind
        for k in range(puts + 50):
            batch.delete_item(Key={"pk": "BENCH", "sk": f"{k:08d}"})

    # Every request the store makes, by operation, and the transactions DynamoDB cancelled.
    calls = Counter[str]()

    def count(event_name: str, **kwargs: object) -> None:
        with lock:
            calls[event_name.rsplit(".", 1)[-1]] += 1

    def cancelled(http_response: object, parsed: dict[str, object], **kwargs: object) -> None:
        if "CancellationReasons" in parsed:
            with lock:
                calls["TransactWriteItems cancelled"] += 1

    ddb = default_aws().client("dynamodb")
    ddb.meta.events.register("after-call.dynamodb.TransactWriteItems", cancelled)
    tables = (s.dossiers_table, s.counters_table, s.audit_table)
    for c in {ddb, default_aws().client("sqs"), *(default_aws().table(t).meta.client for t in tables)}:
        c.meta.events.register("before-call.dynamodb", count)
        c.meta.events.register("before-call.sqs", count)

    shares = [n // w + (1 if i < n % w else 0) for i in range(w)]

    # ---------------------------------------------------------------- before: dossiers and their pieces
    def prepare(share: int) -> list[Dossier]:
        store = Store(s)
        return [complete_dossier(store, SIREN, "bailleur:bench") for _ in range(share)]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(w) as pool:
        prepared = list(pool.map(prepare, shares))
    prepare_elapsed = time.perf_counter() - t0
    calls.clear()

    # ---------------------------------------------------------------- phase 1: the envois
    retries = Counter[str]()

    def deposit(store: Store, d: Dossier) -> CompletenessRequest:
        """The envoi, and the completeness request the API sends for it."""
        while True:
            try:
                sent = envoi.send(store, store, deposits, d, "bailleur:bench")
                assert sent.envoi is not None
                return CompletenessRequest(
                    dossier_id=d.dossier_id, cause="envoi", complete_when_sent=sent.envoi.complete_when_sent
                )
            except RetryLater:
                with lock:
                    retries["envoi"] += 1

    def depositor(mine: list[Dossier]) -> list[CompletenessRequest]:
        store = Store(s)
        return [deposit(store, d) for d in mine]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(w) as pool:
        requests = [r for batch in pool.map(depositor, prepared) for r in batch]
    ids = [r.dossier_id for r in requests]
    deposit_elapsed = time.perf_counter() - t0
    deposit_calls = calls.copy()
    calls.clear()

    # ---------------------------------------------------------------- phase 2: the numbering
    random.Random(4).shuffle(requests)  # SQS FIFO keeps order within a dossier's group only
    batches = iter([requests[k : k + SQS_BATCH] for k in range(0, n, SQS_BATCH)])

    def numberer() -> None:
        seq = Sequencer(Store(s), rules, sqs_publisher(s))
        while True:
            with lock:
                batch = next(batches, None)
            if batch is None:
                return
            seq.examine(batch)

    communes()  # warm Lambdas: the zonage is loaded once per container (bench_coldstart measures that)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(w) as pool:
        for f in [pool.submit(numberer) for _ in range(w)]:
            f.result()
    elapsed = time.perf_counter() - t0
    numbering_calls = calls.copy()
    store = Store(s)
    left_pending = len(store.pending_envois())
    Sequencer(store, rules, sqs_publisher(s)).advance()  # whatever the last batch left (nothing, normally)
    attributes = default_aws().client("sqs").get_queue_attributes(
        QueueUrl=s.scoring_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    on_scoring_queue = int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    # ---------------------------------------------------------------- checks
    ds = [d for d in (store.get_dossier(i) for i in ids) if d is not None]
    numbered = sorted((d for d in ds if d.deposit_number is not None), key=lambda d: d.deposit_number or 0)
    numbers = [d.deposit_number or 0 for d in numbered]
    given = Counter(numbers)
    duplicates = sum(c - 1 for c in given.values() if c > 1)
    top = max(numbers, default=0)
    gaps = len(set(range(1, top + 1)) - set(numbers))
    keys = [(d.envoi.sent_at, d.envoi.envoi_id) for d in numbered if d.envoi]
    order_errors = sum(1 for a, b in pairwise(keys) if a >= b)
    not_complete = sum(1 for d in ds if d.status != DossierStatus.COMPLET)
    chain = verify_log(store.audit_entries())
    number_rate = len(numbered) / elapsed

    def per_number(c: Counter[str], op: str | None = None) -> str:
        total = sum(v for k, v in c.items() if " " not in k) if op is None else c[op]
        return f"{total / max(1, n):8.2f}"

    rows = [
        ("dossiers / workers", f"{n} / {w}"),
        ("clock margin", "0 s (deliberate wait, excluded)"),
        ("before: dossiers created, pieces examined", f"{prepare_elapsed:8.2f} s  (not timed below)"),
        ("envois (reservation, pieces, record)", f"{deposit_elapsed:8.2f} s  ({n / deposit_elapsed:.1f} envois/s)"),
        ("numbering (completeness requests by 10)", f"{elapsed:8.2f} s"),
        ("numbers given per second", f"{number_rate:8.1f} /s"),
        ("bare conditional PutItem, same table", f"{put_rate:8.1f} /s"),
        ("ratio numbers / PutItem ceiling", f"{number_rate / put_rate:8.3f}"),
        ("envois then numbering, one after the other", f"{n / (deposit_elapsed + elapsed):8.1f} dossiers/s"),
        ("numbered", f"{len(numbered)} of {n}"),
        ("gaps", str(gaps)),
        ("duplicates", str(duplicates)),
        ("order errors", str(order_errors)),
        ("not complet", str(not_complete)),
        ("pending left after the workers", str(left_pending)),
        ("DepositNumbered messages on the scoring queue", str(on_scoring_queue)),
        ("envoi retries (RetryLater)", str(retries["envoi"])),
        ("audit chain", "intact" if not chain else f"{len(chain)} problems"),
        ("requests per number, numbering", per_number(numbering_calls)),
        ("  of which TransactWriteItems", per_number(numbering_calls, "TransactWriteItems")),
        ("  cancelled", per_number(numbering_calls, "TransactWriteItems cancelled")),
        ("requests per envoi", per_number(deposit_calls)),
        ("  TransactWriteItems cancelled", per_number(deposit_calls, "TransactWriteItems cancelled")),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"\nNumbering benchmark on the local stack (moto server at {s.counters_table})")
    print("-" * (width + 24))
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print("-" * (width + 24))
    print(
        "Requests count DynamoDB and SQS calls (the outbox's SendMessageBatch). The envois are not in the "
        "numbers' rate: each is a reservation, a read of its pieces' verdicts and an audited transaction "
        "(its dossier's own audit chain: envois of different dossiers share no item)."
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
