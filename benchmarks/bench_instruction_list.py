"""Benchmark (printed, not asserted): the instructors' list (`GET /instruction` of the plateforme) over 4,000
numbered dossiers, with filters, server time p50/p95 through the whole Chalice app (routing, session, the
store's read, the filters, the page of 50, the bailleurs' names, the work list, the template):

1. on the in-memory store, beside the read and the filtering alone (`ami.domain.instruction_list.page` over
   `list_summaries()`), measured in the same run;
2. on the emulated DynamoDB of the local stack (moto server), every filter set, beside the bare read of the
   4,000 summaries (`list_summaries()`, one Query of the SummaryByDepositNumber index, paginated), and the read
   of the 4,000 dossiers in full that the list made before (`list_numbered()`), in the same run.

    .venv/bin/python benchmarks/bench_instruction_list.py [N] [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "tests"), str(ROOT / "tests" / "unit"), str(ROOT)]

from ami import bootstrap  # noqa: E402
from ami.domain.models import Bailleur, Dossier, DossierStatus, Seance, SeanceCcn, Suivi  # noqa: E402
from ami.domain.scoring import Fact, score_dossier  # noqa: E402
from ami.domain.summary import DossierSummary  # noqa: E402
from ami.settings import Settings  # noqa: E402
from fakes import InMemoryStore  # noqa: E402
from scoring_data import dossier, referentiels  # noqa: E402

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CLAIMS = {"sub": "i", "email": "mesure@actionlogement.fr", "cognito:username": "mesure@actionlogement.fr",
          "cognito:groups": ["instructeurs"]}
COMMUNES = ["69123", "75056", "23096", "21231", "21054", "13055", "33063", "59350", "97411", "67482"]
SEANCES = [SeanceCcn(seance_id=f"CCN-2027-0{m}-15", date_seance=date(2027, m, 15)) for m in (1, 2, 3)]
FILTERS: list[tuple[str, dict[str, str]]] = [
    ("no filter, page 1", {}),
    ("no filter, page 40", {"page": "40"}),
    ("zone A", {"zone": "A"}),
    ("région + score ≥ 30", {"region": "84", "score_min": "30"}),
    ("waiting list", {"attente": "oui"}),
    ("CCN séance", {"seance": "CCN-2027-02-15"}),
    ("status + zone + score range", {"statut": "complet", "zone": "Abis", "score_min": "20", "score_max": "60"}),
]


def presented(seance: SeanceCcn) -> Suivi:
    """What the lifecycle records when the dossier is presented at that sitting."""
    return Suivi(ccn=Seance(libelle=seance.seance_id, le=seance.date_seance))


class Sessions:
    def verify(self, token: str) -> dict[str, Any]:
        return CLAIMS


class Accounts:
    def has_mfa(self, username: str) -> bool:
        return True


def corpus(n: int) -> tuple[list[Dossier], list[Bailleur]]:
    """`n` numbered, scored dossiers of 200 bailleurs across ten communes (every zone), 5 % on the waiting
    list, a third presented at one of three CCN séances."""
    bailleurs = [Bailleur(raison_sociale=f"Habitat Mesure {i}", siren=f"{100000000 + i}", forme_juridique="oph",
                          adresse="1 rue X", email_contact=f"b{i}@b.example", registered_at=T0) for i in range(200)]
    scores: dict[str, Any] = {}
    out = []
    for i in range(1, n + 1):
        insee = COMMUNES[i % len(COMMUNES)]
        d = dossier(i, sent_at=T0 + timedelta(seconds=i), commune_insee=insee)
        if insee not in scores:  # one score per commune: scoring 4,000 would only slow the set-up
            scores[insee] = score_dossier(d, {"distance_transport_m": Fact(valeur=str(100 + i))},
                                          referentiels(insee=insee))
        update: dict[str, Any] = {"siren": bailleurs[i % 200].siren, "dossier_id": f"{i:032x}",
                                  "status": DossierStatus.LISTE_ATTENTE if i % 20 == 0 else DossierStatus.COMPLET,
                                  "scoring": scores[insee]}
        if i % 3 == 0:
            update["suivi"] = presented(SEANCES[i % 9 // 3])
        out.append(d.model_copy(update=update))
    return out, bailleurs


def event(query: dict[str, str]) -> dict[str, Any]:
    return {"resource": "/instruction", "path": "/instruction", "httpMethod": "GET",
            "headers": {"host": "ami.actionlogement.fr", "cookie": "__Host-ami_session=jeton",
                        "x-forwarded-proto": "https"},
            "multiValueHeaders": {}, "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
            "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": "/instruction", "httpMethod": "GET", "path": "/instruction",
                               "requestId": "r", "identity": {"sourceIp": "127.0.0.1"}}}


class Ctx:
    aws_request_id, function_name, memory_limit_in_mb, invoked_function_arn = "r", "web", 256, "arn"


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def measure(container: bootstrap.Container, runs: int, label: str, baseline_name: str,
            baseline: Callable[[dict[str, str]], Any], filters: list[tuple[str, dict[str, str]]]) -> None:
    from ami.domain import instruction_list
    from web.app import app, configure

    configure(container)

    def page(query: dict[str, str]) -> None:
        r = app(event(query), Ctx())
        assert r["statusCode"] == 200, r["statusCode"]

    page({})  # warm: templates compiled, modules imported
    print(f"\n{label}")
    for name, query in filters:
        f, _ = instruction_list.lire(query)
        shown = instruction_list.page(container.dossiers.list_summaries(), f)
        served = timed(lambda q=query: page(q), runs)  # type: ignore[misc]
        base = timed(lambda q=query: baseline(q), runs)  # type: ignore[misc]
        ratio = statistics.median(served) / statistics.median(base)
        print(f"  {name:<30} {shown.total:>5} kept | page p50 {pct(served, .5):8.1f} ms  p95 {pct(served, .95):8.1f}"
              f" ms | {baseline_name} p50 {pct(base, .5):8.1f} ms | {ratio:5.2f}x")


class KeptSummaries(InMemoryStore):
    """The fake of the unit tests derives each summary when it is read; DynamoDB keeps it with the dossier. Here,
    where nothing writes, the summaries are derived once at set-up, so the figures measure the page, not the
    fake's derivation of 4,000 summaries (about 150 ms on this machine) on every view."""

    def keep(self) -> None:
        self.kept = super().list_summaries()

    def list_summaries(self) -> list[DossierSummary]:
        return self.kept


def in_memory(dossiers: list[Dossier], bailleurs: list[Bailleur], runs: int) -> None:
    from ami.domain import instruction_list

    store = KeptSummaries()
    for b in bailleurs:
        store.register_bailleur(b)
    for d in dossiers:
        store.t.dossiers[d.dossier_id] = d
    store.keep()
    container = bootstrap.build(Settings(), store=store, sessions=Sessions(), accounts=Accounts())

    def read_and_filter(query: dict[str, str]) -> Any:
        return instruction_list.page(store.list_summaries(), instruction_list.lire(query)[0])

    measure(container, runs, f"1. in-memory store, {len(dossiers)} dossiers, {runs} runs each",
            "read + filter alone", read_and_filter, FILTERS)


def emulated(dossiers: list[Dossier], bailleurs: list[Bailleur], runs: int) -> None:
    from ami.adapters.dynamodb import Store
    from ami.settings import settings

    from infra.local import LocalRuntime

    with LocalRuntime(serve_api=False) as rt:
        store = Store(settings())
        table = store.dossiers
        t = time.perf_counter()
        with table.batch_writer() as batch:
            for d in dossiers:
                batch.put_item(Item=store._dossier_item(d))
        for b in bailleurs:
            store.register_bailleur(b)
        summary = store.list_summaries()[0].model_dump_json()
        print(f"\n(set-up: {len(dossiers)} dossiers written to the emulated table in {time.perf_counter() - t:.0f} s,"
              f" {len(dossiers[0].model_dump_json())} bytes of JSON each, their summaries {len(summary)} bytes)")
        del rt
        container = bootstrap.build(settings(), store=store, sessions=Sessions(), accounts=Accounts())
        measure(container, runs, f"2. emulated DynamoDB (moto server), {len(dossiers)} dossiers, {runs} runs each",
                "list_summaries() alone", lambda q: store.list_summaries(), FILTERS)
        full = timed(store.list_numbered, 3)
        print(f"  before (the dossiers read in full, as the list did): list_numbered() alone"
              f" p50 {pct(full, .5):8.1f} ms (3 runs)")


def main(argv: list[str]) -> None:
    import os

    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    n = int(argv[0]) if argv else 4000
    runs = int(argv[1]) if len(argv) > 1 else 9
    t = time.perf_counter()
    dossiers, bailleurs = corpus(n)
    print(f"instructors' list, GET /instruction, {n} numbered dossiers (set-up {time.perf_counter() - t:.1f} s)")
    in_memory(dossiers, bailleurs, runs)
    emulated(dossiers, bailleurs, max(5, runs // 2))
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


if __name__ == "__main__":
    main(sys.argv[1:])
