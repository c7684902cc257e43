"""Cold start of each function's handler module, beside a bare `import boto3`.

Each measurement is a fresh interpreter (as a new Lambda execution environment is): the child puts
`functions/` first on sys.path (Lambda's CodeUri), times the import with time.perf_counter and reads
its peak RSS at the end (VmHWM, the peak of this process image; ru_maxrss only where /proc is
absent, since Linux carries ru_maxrss across execve from the parent that forked the child).

The functions' environment comes from a stack provisioned on the local emulation, so the settings
and boto3 clients made at import are the real ones. The handlers create clients at import but call
no AWS API then: `--fake-env` checks that, with an endpoint nobody listens on. Runs are interleaved
module by module, after one warm-up run each (bytecode caches), and the median is reported.

    .venv/bin/python benchmarks/bench_coldstart.py [--repeat 7] [--fake-env]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
BASELINE = "boto3"
HANDLERS = ["intake.app", "completeness.app", "scoring.app", "notify.app", "api.app"]
# What every event handler imports before any line of ours: the floor of their cold start.
LIBRARIES = (
    "boto3,pydantic,aws_lambda_powertools,aws_lambda_powertools.utilities.batch,"
    "aws_lambda_powertools.utilities.parser.models"
)
TARGET_RATIO = 1.5
TARGET_RSS_MB = 100.0

CHILD = """
import importlib, json, resource, sys, time
sys.path.insert(0, {functions!r})
t0 = time.perf_counter()
for name in {module!r}.split(","):
    importlib.import_module(name)
elapsed = time.perf_counter() - t0
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # ru_maxrss survives execve: a child forked from a big parent would report the parent's peak
    with open("/proc/self/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({{"ms": elapsed * 1000, "rss_mb": rss_kb / 1024}}))
"""

FAKE_ENV = {
    "DOSSIERS_TABLE": "ami-bench-DossiersTable",
    "COUNTERS_TABLE": "ami-bench-CountersTable",
    "AUDIT_TABLE": "ami-bench-AuditTable",
    "IDEMPOTENCY_TABLE": "ami-bench-IdempotencyTable",
    "DEPOSITS_BUCKET": "ami-bench-deposits",
    "QUARANTINE_BUCKET": "ami-bench-quarantine",
    "COMPLETENESS_QUEUE_URL": "http://127.0.0.1:9/123456789012/completeness.fifo",
    "SCORING_QUEUE_URL": "http://127.0.0.1:9/123456789012/scoring.fifo",
    "NOTIFICATIONS_QUEUE_URL": "http://127.0.0.1:9/123456789012/notifications",
    "INSTRUCTION_QUEUE_URL": "http://127.0.0.1:9/123456789012/instruction.fifo",
    "SENDER_EMAIL": "ne-pas-repondre@example.org",
    "USER_POOL_ID": "eu-west-3_bench",
    "POWERTOOLS_METRICS_NAMESPACE": "AmiGarantie",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # discard port: any AWS call at import would fail
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3",
}


def functions_environment(fake: bool) -> dict[str, str]:
    """The variables the functions get in Lambda, from a stack provisioned on the emulation."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    base["PYTHONDONTWRITEBYTECODE"] = "0"
    if fake:
        return {**base, **FAKE_ENV, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    from infra.local import Emulation, client_environment
    from infra.provision import provision

    emulation = Emulation()
    emulation.start()
    try:
        client_env = client_environment(emulation.endpoint, Path(tempfile.mkdtemp(prefix="ami-bench-")))
        os.environ.update(client_env)
        stack = provision(emulation.endpoint)
        # The emulation stops before the measurements: nothing may be called at import anyway.
        return {**base, **client_env, **stack.env}
    finally:
        emulation.stop()


def measure(module: str, env: dict[str, str]) -> dict[str, float]:
    code = CHILD.format(functions=str(FUNCTIONS), module=module)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"import {module} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters per module (median)")
    parser.add_argument("--fake-env", action="store_true", help="fake variables, endpoint on a dead port")
    args = parser.parse_args()

    env = functions_environment(args.fake_env)
    modules = [BASELINE, LIBRARIES, *HANDLERS]
    for module in modules:  # warm-up: bytecode caches written, files in the page cache
        measure(module, env)
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in modules}
    for _ in range(args.repeat):
        for module in modules:  # interleaved, so that a busy moment hits every module alike
            runs[module].append(measure(module, env))

    def median(module: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[module])

    base_ms = median(BASELINE, "ms")
    print(f"Cold start: import in a fresh interpreter, median of {args.repeat} (env: "
          f"{'fake' if args.fake_env else 'provisioned local stack'}, {os.cpu_count()} CPUs)")
    header = f"{'module':<18} {'import ms':>10} {'min..max ms':>14} {'× boto3':>8} {'RSS MB':>7}  target"
    print(header)
    print("-" * len(header))
    misses = []
    for module in modules:
        ms, rss = median(module, "ms"), median(module, "rss_mb")
        lo, hi = min(r["ms"] for r in runs[module]), max(r["ms"] for r in runs[module])
        ratio = ms / base_ms
        if module in (BASELINE, LIBRARIES):
            verdict = "(reference)"
        else:
            ok = ratio <= TARGET_RATIO and rss < TARGET_RSS_MB
            verdict = "ok" if ok else "MISSED"
            if not ok:
                misses.append(module)
        label = "libraries only" if module == LIBRARIES else module
        print(f"{label:<18} {ms:>10.0f} {f'{lo:.0f}..{hi:.0f}':>14} {ratio:>7.2f}× {rss:>7.1f}  {verdict}")
    limit = TARGET_RATIO * base_ms
    print(f"targets: import ≤ {TARGET_RATIO}× bare boto3 ({limit:.0f} ms here), RSS < {TARGET_RSS_MB:.0f} MB")
    print("libraries only: boto3 + pydantic + Powertools (Logger, Metrics, batch, parser models), no code of ours")
    if misses:
        print("missed by: " + ", ".join(misses) + "  (see `python -X importtime` in benchmarks/README.md)")


if __name__ == "__main__":
    main()
