"""Cold start of each function: what it ships (unzipped size of its code and layers) and the import
of its handler module, beside the libraries alone (boto3 + pydantic + Powertools) and beside the
third-party modules that handler loads, imported alone, in the same run (a stricter view: the verdict is
against the former, as issue 10 sets it).

Size: read from a `sam build` output (`--build-dir`, default .aws-sam/build: each function's code
folder and the layers its template names, bytes of every file, as Lambda counts them unzipped).
Without one, an estimate: the code folder, and the locked libraries as installed here, bytecode
excluded (the built layer carries it, about 10 MB more).

Import: each measurement is a fresh interpreter (as a new Lambda execution environment is): the
child puts `functions/` first on sys.path (Lambda's CodeUri), times the import (wall clock with
time.perf_counter, CPU with time.process_time: on a machine shared with other jobs the wall clock
moves with their load, the CPU time much less) and reads its peak RSS at the end (VmHWM, the peak of
this process image; ru_maxrss only where /proc is absent, since Linux carries ru_maxrss across
execve from the parent that forked the child). The verdict compares CPU times; both are printed.

Each function gets its own environment from a stack provisioned on the local emulation, so settings
and the composition root are the real ones, and `LAMBDA_TASK_ROOT` as in Lambda (the Tracer is on).
The handlers create no AWS client at import (the composition root makes them on first use), and call
no AWS API: `--fake-env` checks that, with an endpoint nobody listens on. Runs are interleaved module
by module, after one warm-up run each (bytecode caches, as the layer ships them), and the median is
reported.

    .venv/bin/python benchmarks/bench_coldstart.py [--repeat 9] [--fake-env] [--build-dir .aws-sam/build]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
BASELINE = "boto3"
HANDLERS = ["intake.app", "completeness.app", "scoring.app", "notify.app", "api.app"]
# What every handler imports before any line of ours: the floor of their cold start (the issue's "boto3 +
# pydantic + Powertools"). Every one of them (the API too) uses Powertools' idempotency utility and its Tracer
# (whose provider is the X-Ray SDK), so they are the libraries', not ours.
LIBRARIES = (
    "boto3,pydantic,aws_lambda_powertools,aws_lambda_powertools.utilities.batch,"
    "aws_lambda_powertools.utilities.parser.models,aws_lambda_powertools.utilities.idempotency,"
    "aws_lambda_powertools.tracing,aws_xray_sdk.core"
)
TARGET_RATIO = 1.3  # × the libraries alone
TARGET_RSS_MB = 100.0
TARGET_SIZE_MB = 40.0
MB = 1024 * 1024

CHILD = """
import importlib, json, resource, sys, time
sys.path.insert(0, {functions!r})
before = set(sys.modules)
t0, c0 = time.perf_counter(), time.process_time()
for name in {module!r}.split(","):
    importlib.import_module(name)
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
# The third-party modules this import loaded, in loading order (their standard-library imports follow them).
libs = [n for n, m in list(sys.modules.items())
        if n not in before and "site-packages" in (getattr(m, "__file__", "") or "")]
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # ru_maxrss survives execve: a child forked from a big parent would report the parent's peak
    with open("/proc/self/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({{"ms": elapsed * 1000, "cpu_ms": cpu * 1000, "rss_mb": rss_kb / 1024, "libs": libs}}))
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
    "USER_POOL_CLIENT_IDS": "bench",
    "SCORING_DLQ_URL": "http://127.0.0.1:9/123456789012/scoring-dlq.fifo",
    "INSTRUCTION_DLQ_URL": "http://127.0.0.1:9/123456789012/instruction-dlq.fifo",
    "SIRENE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:sirene",
    "PLATEFORME_URL": "http://127.0.0.1:9",
    "BDT_EMAIL": "bdt@example.org",
    "POWERTOOLS_METRICS_NAMESPACE": "AmiGarantie",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # discard port: any AWS call at import would fail
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3",
}


def functions_environment(fake: bool) -> dict[str, dict[str, str]]:
    """Module → the variables its function gets in Lambda (from a stack provisioned on the emulation);
    the baselines get the client variables only."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    # The warm-up run writes the bytecode caches the layer ships (any value of this variable, "0" too,
    # would forbid it).
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    # As in Lambda, where the Tracer is on: it loads the X-Ray SDK and patches botocore at import.
    base["LAMBDA_TASK_ROOT"] = str(FUNCTIONS)
    if fake:
        env = {**base, **FAKE_ENV, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
        return {m: env for m in (BASELINE, LIBRARIES, *HANDLERS)}
    from infra.local import Emulation, client_environment
    from infra.provision import provision

    emulation = Emulation()
    emulation.start()
    try:
        client_env = client_environment(emulation.endpoint, Path(tempfile.mkdtemp(prefix="ami-bench-")))
        os.environ.update(client_env)
        stack = provision(emulation.endpoint)
    finally:
        # The emulation stops before the measurements: nothing may be called at import anyway.
        emulation.stop()
    envs = {m: {**base, **client_env} for m in (BASELINE, LIBRARIES)}
    for spec in stack.functions.values():
        module = spec.handler.rpartition(".")[0]
        envs.setdefault(module, {**base, **client_env, **spec.env})
    return envs


def measure(module: str, env: dict[str, str]) -> dict[str, Any]:
    code = CHILD.format(functions=str(FUNCTIONS), module=module)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"import {module} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------- size


def tree_bytes(path: Path, *, sources: bool = False) -> int:
    """Bytes of every file under `path` (what Lambda counts unzipped); in a source folder, without
    this machine's bytecode caches (`sam build` copies none)."""
    total = 0
    for folder, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not (sources and d == "__pycache__")]
        total += sum((Path(folder) / f).lstat().st_size for f in files)
    return total


def built_sizes(build_dir: Path) -> dict[str, tuple[int, int]]:
    """Function → (code bytes, layers bytes), from a `sam build` output."""
    from infra.template import load_sam

    tpl = load_sam(build_dir / "template.yaml")
    glob = tpl.get("Globals", {}).get("Function", {})
    sizes = {}
    for name, res in tpl["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        layers = [ref["Ref"] for ref in glob.get("Layers", []) + props.get("Layers", []) if "Ref" in ref]
        code = tree_bytes(build_dir / props["CodeUri"])
        layer = sum(tree_bytes(build_dir / tpl["Resources"][x]["Properties"]["ContentUri"]) for x in layers)
        sizes[name] = (code, layer)
    return sizes


def estimated_sizes() -> dict[str, tuple[int, int]]:
    """Function → (code bytes, layers bytes) without a build: the source folders, and the locked
    distributions as installed in this venv (this machine's wheels), without bytecode."""
    from infra.template import code_dirs, load_sam

    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", (ROOT / "layers/runtime/requirements.txt").read_text(), re.M)
    layer = 0
    for name in pins:
        dist = importlib.metadata.distribution(name)
        for f in dist.files or []:
            parts = Path(str(f)).parts
            if parts[0] != ".." and "__pycache__" not in parts:
                path = Path(str(dist.locate_file(f)))
                layer += path.stat().st_size if path.exists() else 0
    return {name: (tree_bytes(code, sources=True), layer) for name, code in code_dirs(load_sam()).items()}


def print_sizes(build_dir: Path) -> None:
    built = (build_dir / "template.yaml").is_file()
    sizes = built_sizes(build_dir) if built else estimated_sizes()
    where = build_dir.relative_to(ROOT) if build_dir.is_relative_to(ROOT) else build_dir
    print("Unzipped size of each function, code + layers ("
          + (f"from `sam build` in {where})" if built else
             "estimate: no `sam build` output; the built layer adds its bytecode, about 10 MB)"))
    header = f"{'function':<22} {'code MB':>8} {'layers MB':>10} {'total MB':>9}  target"
    print(header)
    print("-" * len(header))
    for name, (code, layer) in sorted(sizes.items()):
        total = (code + layer) / MB
        verdict = "ok" if total <= TARGET_SIZE_MB else "MISSED"
        print(f"{name:<22} {code / MB:>8.1f} {layer / MB:>10.1f} {total:>9.1f}  {verdict}")
    print(f"target: ≤ {TARGET_SIZE_MB:.0f} MB per function (boto3 and botocore are the Lambda runtime's)")
    print()


# ---------------------------------------------------------------- import


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="fresh interpreters per module (median)")
    parser.add_argument("--fake-env", action="store_true", help="fake variables, endpoint on a dead port")
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".aws-sam" / "build",
                        help="a `sam build` output to read the sizes from")
    args = parser.parse_args()

    print_sizes(args.build_dir.resolve())
    envs = functions_environment(args.fake_env)
    # Each handler also beside its own libraries alone: the third-party modules its import loads (the API's
    # include Chalice, intake's Powertools' S3 event models), imported without a line of ours.
    own_libs: dict[str, str] = {}
    for module in [BASELINE, LIBRARIES, *HANDLERS]:  # warm-up: bytecode caches written, files in the page cache
        loaded = measure(module, envs[module])["libs"]
        if module in HANDLERS:
            own_libs[module] = ",".join(loaded)
            envs[own_libs[module]] = envs[module]
            measure(own_libs[module], envs[module])
    modules = [BASELINE, LIBRARIES, *HANDLERS, *own_libs.values()]
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modules}
    for _ in range(args.repeat):
        for module in modules:  # interleaved, so that a busy moment hits every module alike
            runs[module].append(measure(module, envs[module]))

    def median(module: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[module])

    libs_cpu = median(LIBRARIES, "cpu_ms")
    print(f"Cold start: import in a fresh interpreter, median of {args.repeat} (env: "
          f"{'fake' if args.fake_env else 'provisioned local stack'}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f})")
    header = (f"{'module':<16} {'wall ms':>8} {'min..max':>10} {'CPU ms':>7} {'× libs':>7} {'own libs':>9}"
              f" {'× own':>6} {'RSS MB':>7}  target")
    print(header)
    print("-" * len(header))
    misses = []
    for module in [BASELINE, LIBRARIES, *HANDLERS]:
        ms, cpu, rss = median(module, "ms"), median(module, "cpu_ms"), median(module, "rss_mb")
        lo, hi = min(r["ms"] for r in runs[module]), max(r["ms"] for r in runs[module])
        cpu_ratio = cpu / libs_cpu
        own = f"{'':>9} {'':>6}"
        if module in (BASELINE, LIBRARIES):
            verdict = "(reference)"
        else:
            own_cpu = median(own_libs[module], "cpu_ms")
            own_ratio = cpu / own_cpu
            own = f"{own_cpu:>9.0f} {own_ratio:>5.2f}×"
            ok = cpu_ratio <= TARGET_RATIO and rss < TARGET_RSS_MB
            verdict = ("ok" if ok else "MISSED") + ("" if own_ratio <= TARGET_RATIO else " (own libs: above)")
            if not ok:
                misses.append(module)
        label = "libraries only" if module == LIBRARIES else module
        print(f"{label:<16} {ms:>8.0f} {f'{lo:.0f}..{hi:.0f}':>10} {cpu:>7.0f} {cpu_ratio:>6.2f}× {own}"
              f" {rss:>7.1f}  {verdict}")
    print(f"targets: import ≤ {TARGET_RATIO}× the libraries alone (CPU time; {TARGET_RATIO * libs_cpu:.0f} ms here), "
          f"RSS < {TARGET_RSS_MB:.0f} MB; the stricter view against each handler's own libraries is printed beside")
    print("libraries only: boto3 + pydantic + Powertools (Logger, Metrics, Tracer and the X-Ray SDK, batch, parser "
          "models, idempotency), no code of ours")
    print("own libs: the third-party modules that handler's import loads, imported alone (CPU ms)")
    if misses:
        print("missed by: " + ", ".join(misses) + "  (see `python -X importtime` in benchmarks/README.md)")

if __name__ == "__main__":
    main()
