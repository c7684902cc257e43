"""The deposit flow with faults: each adapter call may fail at random, and the service must still end right.

Every function of a local stack (the API and each Lambda) is wired by the composition root with its
adapters wrapped (`LocalRuntime(adapters=…)`, `ami.bootstrap.build(**overrides)`): the storage
(`store`: DynamoDB tables), the pieces (`deposits`: S3), the queues (`publisher`: SQS) and the
mail (`mailer`: SES). Each call through a wrapper draws, from one seeded generator, whether it fails
and how:

- `throttle`: refused before it runs (botocore `ThrottlingException`);
- `timeout`: no answer, before it runs (botocore `ReadTimeoutError`);
- `crash_after`: it runs, then the caller crashes before it learns the answer (the write happened,
  nobody knows);
- `duplicate` (the publisher only): the messages are sent twice, as SQS may deliver them.

Those errors reach the code as the real ones would: a 5xx the client repeats with its idempotency key,
a failed SQS record redelivered, an outbox item sent again. At the end, with faults off: every dossier
is numbered once, in deposit order; each is on the instructors' work list once, in number order; the audit log
verifies; each email was sent once — except that a crash right after SES accepted a message may send
it again (at-least-once: the sender cannot know SES took it, and SES has no idempotency key), which the
run counts against the crashes it injected on `mailer.send`.

Messages that failed five times meanwhile are in their dead-letter queue: the run redrives them as the
runbook says (`ami dlq redrive`), and says how many.

    .venv/bin/python -m infra.faults --dossiers 30 --seed 7 [--rate 0.05] [--json]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

KINDS = ("throttle", "timeout", "crash_after")
WRAPPED = ("store", "deposits", "publisher", "mailer")


class InjectedCrash(Exception):
    """The caller died after its call was carried out, before it saw the answer."""


@dataclass
class FaultPlan:
    """Which calls fail, drawn from one generator seeded with `seed` (the draws depend on the threads'
    interleaving, so a seed gives the same rate, not the very same calls), and how, each site's kinds in turn.
    Besides the draws at `rate`, one call among each site's first 1/`rate` fails for sure: a site with few
    calls (the publisher, the only one that duplicates) is exercised in a short run too."""

    seed: int
    rate: float = 0.05
    enabled: bool = False
    injected: list[tuple[str, str]] = field(default_factory=list)  # (site.method, kind)
    calls: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._per_site: Counter[str] = Counter()  # faults injected, by site
        self._calls: Counter[str] = Counter()  # calls, by site
        self._sure: dict[str, int] = {}  # the call of each site that fails whatever the draw
        self._lock = threading.Lock()

    def draw(self, site: str, method: str) -> str | None:
        with self._lock:
            if not self.enabled:
                return None
            self.calls += 1
            self._calls[site] += 1
            sure = self._sure.setdefault(site, self._random.randint(1, round(1 / self.rate)) if self.rate > 0 else 0)
            if self._calls[site] != sure and self._random.random() >= self.rate:
                return None
            # Each site goes through its kinds in turn (the publisher's duplicates first: its calls are few),
            # so that every kind is exercised in a short run whatever the threads' interleaving.
            kinds = ("duplicate", *KINDS) if site == "publisher" else KINDS
            kind = kinds[self._per_site[site] % len(kinds)]
            self._per_site[site] += 1
            self.injected.append((f"{site}.{method}", kind))
            return kind

    def summary(self) -> dict[str, int]:
        return dict(sorted(Counter(f"{where} {kind}" for where, kind in self.injected).items()))


class Faulty:
    """`target` whose public methods may fail as `plan` draws."""

    def __init__(self, target: Any, plan: FaultPlan, site: str) -> None:
        self._target, self._plan, self._site = target, plan, site

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name.startswith("_") or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            from botocore.exceptions import ClientError, ReadTimeoutError

            kind = self._plan.draw(self._site, name)
            if kind == "throttle":
                raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "injected"}}, name)
            if kind == "timeout":
                raise ReadTimeoutError(endpoint_url=f"injected://{self._site}.{name}")
            result = attr(*args, **kwargs)
            if kind == "duplicate":
                attr(*args, **kwargs)
            if kind == "crash_after":
                raise InjectedCrash(f"{self._site}.{name}")
            return result

        return call


def faulty_adapters(plan: FaultPlan) -> Callable[[str, Any], dict[str, Any]]:
    """The `adapters` hook of LocalRuntime: each function's own adapters, wrapped."""

    def wrap(function: str, container: Any) -> dict[str, Any]:
        return {name: Faulty(getattr(container, name), plan, name) for name in WRAPPED}

    return wrap


@dataclass
class Outcome:
    seed: int
    rate: float
    dossiers: int
    calls: int
    faults: dict[str, int]
    numbered: int
    problems: list[str]
    findings: list[str]
    redriven: int
    extra_emails: int
    allowed_extra_emails: int
    api_retries: int
    seconds: float

    def text(self) -> str:
        lines = [
            f"fault-injection run: seed {self.seed}, rate {self.rate:.0%}, {self.dossiers} dossiers, "
            f"{self.seconds:.0f} s",
            f"  {self.calls} adapter calls, {sum(self.faults.values())} faults injected:",
            *(f"    {n:4d}  {what}" for what, n in self.faults.items()),
            f"  API requests repeated after a 5xx or a lost answer: {self.api_retries}",
            f"  messages redriven from dead-letter queues: {self.redriven}",
            f"  numbered: {self.numbered}; extra emails {self.extra_emails} "
            f"(allowed: {self.allowed_extra_emails}, crashes after SES accepted)",
            "  problems: " + ("none" if not self.problems else ""),
            *(f"    - {p}" for p in self.problems),
            *(f"  finding: {f}" for f in self.findings),
        ]
        if self.problems:
            lines.append(f"  reproduce: python -m infra.faults --dossiers {self.dossiers} --seed {self.seed} "
                         f"--rate {self.rate}")
        return "\n".join(lines)


def _retrying(call: Callable[[], Any], attempts: int = 12) -> tuple[Any, int]:
    """`call` repeated, as the platform repeats a request whose answer was a 5xx or was lost."""
    import requests

    from infra.client import ApiError

    for attempt in range(attempts):
        try:
            return call(), attempt
        except (requests.ConnectionError, requests.Timeout):
            pass
        except ApiError as exc:
            if exc.status < 500 or attempt == attempts - 1:
                raise
        time.sleep(0.05 * (attempt + 1))
    raise RuntimeError("still failing after retries")


def run(dossiers: int = 30, seed: int = 7, rate: float = 0.05, timeout: float = 240,
        state_dir: Path | None = None, reservation_timeout: int | None = None) -> Outcome:
    """The flow of `dossiers` dossiers under faults. `reservation_timeout` (seconds) replaces the dispositif's
    (120 s) for the numbering: an envoi that crashed right after its reservation landed leaves one, and the
    numbering holds behind it until it is dropped; the suite does not wait two minutes for that."""
    from ami.domain.audit import verify_log
    from ami.domain.models import Loan

    from infra import pdfgen
    from infra.cli_dlq import dead_letter_pairs
    from infra.demo import BAILLEURS, register_bailleurs
    from infra.demo.scenario import scenario
    from infra.local import LocalRuntime
    from infra.mailbox import captured_emails

    if reservation_timeout is not None:
        from ami import bootstrap
        from ami.domain.dispositif import dispositif

        shorter = dispositif().model_copy(update={"reservation_timeout_seconds": reservation_timeout})
        setattr(bootstrap, "dispositif", lambda: shorter)  # noqa: B010  (what Container.sequencer reads)
    plan = FaultPlan(seed, rate)
    started = time.monotonic()
    problems: list[str] = []
    findings: list[str] = []
    log: list[str] = []
    retries = Counter[str]()
    with LocalRuntime(serve_api=True, state_dir=state_dir or Path(tempfile.mkdtemp()), log=log.append,
                      adapters=faulty_adapters(plan)) as rt:
        clients = register_bailleurs(rt)  # accounts first, without faults: the flow under test starts at the dossier
        templates = [d for d in scenario() if d.expect == "complet" and not d.bad_upload and not d.drop_field]

        def loans(d: Any) -> list[Loan]:  # a twentieth of the demo's amounts: every dossier fits in the envelope
            return [p.model_copy(update={"montant_eur": (p.montant_eur / 20).quantize(Decimal("0.01"))})
                    for p in d.prets()]

        pdfs = {}
        for i, d in enumerate(templates):
            b = BAILLEURS[d.bailleur]
            pdfs[i] = (pdfgen.lettre_offre(raison_sociale=b.raison_sociale, siren=b.siren, operation=d.nom,
                                           commune=d.commune, loans=loans(d), reference=f"BDT-LLI-2026-{3000 + i:05d}",
                                           date_lettre=datetime(2026, 10, 1).date()),
                       pdfgen.dossier_presentation(operation=d.operation(), commune_nom=d.commune, zone="A",
                                                   raison_sociale=b.raison_sociale, pages=2))
        plan.enabled = True

        def prepare(n: int) -> tuple[Any, str]:
            i = n % len(templates)
            d, api = templates[i], clients[templates[i].bailleur]
            body = {"operation": d.operation().model_dump(mode="json", exclude_none=True),
                    "prets": [p.model_dump(mode="json") for p in loans(d)]}
            # A lost answer to a creation leaves a brouillon nobody sends: harmless, and not what is counted.
            created, tries = _retrying(lambda: api.call("POST", "/dossiers", body))
            retries["creation"] += tries
            for piece, data in zip(("lettre_offre", "dossier_presentation"), pdfs[i], strict=True):
                _, tries = _retrying(functools.partial(api.upload, created["dossier_id"], piece, data))
                retries["upload"] += tries
            return api, str(created["dossier_id"])

        with ThreadPoolExecutor(4) as pool:
            made = list(pool.map(prepare, range(dossiers)))
        rt.dispatcher.drain(timeout=timeout)  # the pieces examined, whatever failed on the way

        def send(job: tuple[Any, str]) -> dict[str, Any]:
            api, dossier_id = job
            key = uuid.uuid4().hex  # one click: the same key for every repetition
            answer, tries = _retrying(lambda: api.call("POST", f"/dossiers/{dossier_id}/envoi",
                                                       headers={"Idempotency-Key": key}))
            retries["envoi"] += tries
            return dict(answer["envoi"])

        with ThreadPoolExecutor(8) as pool:
            envois = dict(zip((d for _, d in made), pool.map(send, made), strict=True))

        store = rt.functions.app.store

        def all_numbered() -> bool:
            found = store.get_dossiers(list(envois)).values()
            return all(d.deposit_number is not None for d in found) and not list(store.outbox_items())

        redriven = _settle(rt, dead_letter_pairs(), timeout, all_numbered)
        plan.enabled = False
        redriven += _settle(rt, dead_letter_pairs(), timeout, all_numbered)
        if not all_numbered():
            problems.append(f"not all numbered after {timeout:.0f} s; pending: "
                            f"{[(p.dossier_id[:8], p.reserved) for p in store.pending_envois()]}")
        found = store.get_dossiers(list(envois))
        for dossier_id, envoi in envois.items():
            sent = found.get(dossier_id)
            if sent is None or sent.envoi is None or sent.envoi.envoi_id != envoi["envoi_id"]:
                problems.append(f"dossier {dossier_id}: the envoi answered is not the one recorded")
            elif sent.deposit_number is None:
                problems.append(f"dossier {dossier_id}: not numbered ({sent.status})")
        numbered = sorted((d for d in found.values() if d.deposit_number is not None),
                          key=lambda d: d.deposit_number or 0)
        numbers = [d.deposit_number for d in numbered]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"numbers not gapless from 1: {numbers}")
        order = sorted(numbered, key=lambda d: (d.envoi.sent_at, d.envoi.envoi_id) if d.envoi else (datetime.min, ""))
        if [d.dossier_id for d in order] != [d.dossier_id for d in numbered]:
            problems.append("numbers do not follow the deposit order")
        problems += [f"audit: {p}" for p in verify_log(store.audit_entries())]

        # The instruction function lists each numbered dossier on the work list, keyed by its number: the
        # instructors take them in number order whatever order (and however often) the messages arrived.
        entries = rt.functions.app.work_list.work_entries()
        per_dossier = Counter(e.item.dossier_id for e in entries)
        if sorted(per_dossier) != sorted(envois) or any(n != 1 for n in per_dossier.values()):
            problems.append(f"work items: {len(entries)} for {len(envois)} dossiers, "
                            f"repeated: {sorted(k for k, n in per_dossier.items() if n > 1)}")
        listed = [e.item.deposit_number for e in entries]
        if listed != sorted(listed):
            problems.append(f"work list not in number order: {listed}")

        by_subject = Counter(e.subject for e in captured_emails(rt.emulation.endpoint)
                             if re.search(r"n° \d+", e.subject))
        extra = sum(n - 1 for n in by_subject.values() if n > 1)
        allowed = sum(1 for where, kind in plan.injected if where == "mailer.send" and kind == "crash_after")
        for n in numbers:
            for kind in ("Accusé de réception de votre dossier complet", "Nouveau dossier complet"):
                if not any(kind in s and re.search(rf"n° {n}\b", s) for s in by_subject):
                    problems.append(f"no « {kind} » email for number {n}")
        if extra > allowed:
            problems.append(f"{extra} emails sent twice, only {allowed} crashes after SES accepted")

    return Outcome(seed, rate, dossiers, plan.calls, plan.summary(), len(numbers), problems, findings, redriven, extra,
                   allowed, sum(retries.values()), time.monotonic() - started)


def _settle(rt: Any, pairs: dict[str, str], timeout: float, done: Callable[[], bool]) -> int:
    """Drain the pipeline, run the completeness sweep by hand (rather than waiting its minute), and redrive
    what reached a dead-letter queue, until `done` and nothing moves, or `timeout`."""
    import boto3

    from infra.provision import REGION

    sqs = boto3.session.Session().client("sqs", endpoint_url=rt.emulation.endpoint, region_name=REGION)
    redriven = 0
    sweeps = [s.function for s in rt.stack.schedules]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rt.dispatcher.drain(timeout=timeout)
        for function in sweeps:
            rt.dispatcher.run_schedule(function)
        rt.dispatcher.drain(timeout=timeout)
        moved = 0
        for dlq, source in pairs.items():
            for m in _take_all(rt, rt.stack.physical[dlq], raw=True):
                entry: dict[str, Any] = {"QueueUrl": rt.stack.physical[source], "MessageBody": m["Body"]}
                if entry["QueueUrl"].endswith(".fifo"):
                    entry |= {"MessageGroupId": m.get("Attributes", {}).get("MessageGroupId") or "redrive",
                              "MessageDeduplicationId": uuid.uuid4().hex}
                sqs.send_message(**entry)
                moved += 1
        redriven += moved
        if not moved and rt.dispatcher.idle() and done():
            return redriven
        time.sleep(1)
    return redriven


def _take_all(rt: Any, url: str, raw: bool = False) -> list[Any]:
    import boto3

    from infra.provision import REGION

    sqs = boto3.session.Session().client("sqs", endpoint_url=rt.emulation.endpoint, region_name=REGION)
    taken: list[Any] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return taken
        taken += batch if raw else [json.loads(m["Body"]) for m in batch]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None, help="random when absent (printed)")
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--reservation-timeout", type=int, default=None,
                        help="seconds before an orphan reservation is dropped (the dispositif's when absent)")
    parser.add_argument("--json", action="store_true", help="the outcome as one JSON line at the end")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    outcome = run(args.dossiers, seed, args.rate, args.timeout, reservation_timeout=args.reservation_timeout)
    print(outcome.text())
    if args.json:
        print(json.dumps(outcome.__dict__))
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
