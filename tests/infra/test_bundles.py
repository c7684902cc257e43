"""What each Lambda function ships: its code (functions/, no requirements file) and RuntimeLayer (the
third-party libraries of layers/runtime/requirements.txt); boto3 and botocore come from the runtime.

The layer is checked twice: statically (every third-party module that functions/ imports, lazily or
not, belongs to a locked distribution or to the runtime) and by importing every handler, and every
such module, in an interpreter that sees only what Lambda would: the code, the layer's distributions
and the runtime's SDK (taken from the dev venv, so no network is needed).
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from infra.template import code_dirs, load_sam

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
LAYER = ROOT / "layers" / "runtime"
OURS = {"ami", "api", "web", "intake", "completeness", "scoring", "notify", "instruction"}
# What the Lambda python3.11 runtime provides beside the standard library (layers/runtime/excluded.txt).
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "urllib3", "python-dateutil", "six", "jmespath")
# Never in a function's bundle: command-line tools, the SDK the runtime has, test and dev libraries.
NEVER_SHIPPED = {
    "boto3", "botocore", "s3transfer", "pip", "setuptools", "wheel", "click", "inquirer", "blessed",
    "pyyaml", "cryptography", "cffi", "pyjwt", "moto", "typer", "rich", "fpdf2",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?==([^\s;#]+)", line)
        if m:
            pins[_norm(m[1])] = m[2]
    return pins


@cache
def layer_pins() -> dict[str, str]:
    return _pins(LAYER / "requirements.txt")


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


@cache
def third_party_imports() -> dict[str, set[str]]:
    """Module imported (absolute, dotted) → the files of functions/ that import it, lazily or not."""
    found: dict[str, set[str]] = {}
    for path in sorted(FUNCTIONS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if _type_checking_only(node, parents):
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in OURS and top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _distributions_of(top: str) -> set[str]:
    return {_norm(d) for d in importlib.metadata.packages_distributions().get(top, [])}


# ---------------------------------------------------------------- the lock


def test_layer_pins_the_versions_the_tests_run() -> None:
    dev = _pins(ROOT / "requirements-dev.lock")
    differ = {name: (v, dev.get(name)) for name, v in layer_pins().items() if dev.get(name) != v}
    assert not differ, f"layer vs requirements-dev.lock: {differ} (run `make lock`)"


def test_layer_holds_no_command_line_tools_nor_the_sdk() -> None:
    assert not NEVER_SHIPPED & set(layer_pins())


def test_every_third_party_import_is_shipped() -> None:
    shipped = set(layer_pins()) | {_norm(d) for d in RUNTIME_SDK}
    missing = {}
    for module, files in third_party_imports().items():
        dists = _distributions_of(module.split(".")[0])
        if not dists & shipped:
            missing[module] = sorted(files)
    assert not missing, f"imported by functions/ but not in layers/runtime/requirements.in: {missing}"


def _extras_asked() -> dict[str, set[str]]:
    """The extras requirements.in asks of each distribution (`aws-lambda-powertools[parser,tracer]`)."""
    asked: dict[str, set[str]] = {}
    for line in (LAYER / "requirements.in").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\[([^\]]+)\]", line)
        if m:
            asked[_norm(m[1])] = {e.strip() for e in m[2].split(",")}
    return asked


def test_every_locked_library_is_used() -> None:
    """Each distribution in the layer is imported by functions/, or needed by one that is (with the extras
    requirements.in asks of it: Powertools' tracer brings the X-Ray SDK)."""
    extras = _extras_asked()
    needed: set[str] = set()
    todo = [d for module in third_party_imports() for d in _distributions_of(module.split(".")[0])]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:  # a requirement for another platform
            continue
        for req in requires:
            extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", req)
            if extra is None or extra[1] in extras.get(name, set()):
                todo.append(_norm(re.split(r"[\s\[<>=!~;(]", req, maxsplit=1)[0]))
    assert set(layer_pins()) <= needed, set(layer_pins()) - needed


# ---------------------------------------------------------------- the template


def test_every_function_gets_the_layer_and_code_without_requirements() -> None:
    sam = load_sam()
    glob = sam["Globals"]["Function"]
    layers = {name: r for name, r in sam["Resources"].items() if r["Type"] == "AWS::Serverless::LayerVersion"}
    assert set(layers) == {"RuntimeLayer"}
    meta = layers["RuntimeLayer"]["Metadata"]
    assert meta == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    assert "build-RuntimeLayer:" in (LAYER / "Makefile").read_text(encoding="utf-8")
    assert layers["RuntimeLayer"]["Properties"]["ContentUri"].rstrip("/") == "layers/runtime"
    for name, r in sam["Resources"].items():
        if r["Type"] != "AWS::Serverless::Function":
            continue
        refs = [x.get("Ref") for x in glob.get("Layers", []) + r["Properties"].get("Layers", [])]
        assert "RuntimeLayer" in refs, name
    for name, code in code_dirs(sam).items():
        # A requirements file there would make `sam build` install it into every function again.
        assert not (code / "requirements.txt").exists(), name


def test_provisioner_reads_per_function_code_dirs() -> None:
    sam = load_sam()
    sam["Resources"]["NotifyFunction"]["Properties"]["CodeUri"] = "functions/notify/"
    dirs = code_dirs(sam)
    assert dirs["NotifyFunction"] == ROOT / "functions" / "notify"
    assert dirs["IntakeFunction"] == ROOT / "functions"


# ---------------------------------------------------------------- the bundle, imported as Lambda would


def _link_distributions(names: tuple[str, ...] | list[str], into: Path) -> None:
    """Symlink the top-level files and folders of these installed distributions into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    for name in names:
        dist = importlib.metadata.distribution(name)
        base = Path(str(dist.locate_file("")))
        for top in {Path(str(f)).parts[0] for f in dist.files or []}:
            source, target = base / top, into / top
            if source.exists() and not target.exists() and not top.startswith(("..", "__pycache__")):
                target.symlink_to(source)


CHILD = """
import importlib, json, sys
sys.path[:0] = {paths!r}
failed = {{}}
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        failed[name] = f"{{type(exc).__name__}}: {{exc}}"
outside = sorted({{m.__file__ for m in list(sys.modules.values())
                   if getattr(m, "__file__", None) and "site-packages" in m.__file__}})
print(json.dumps({{"failed": failed, "outside": outside}}))
"""


@pytest.mark.slow
def test_handlers_import_with_the_layer_and_the_runtime_sdk_alone(tmp_path: Path) -> None:
    layer, runtime = tmp_path / "opt" / "python", tmp_path / "runtime"
    _link_distributions(list(layer_pins()), layer)
    _link_distributions(RUNTIME_SDK, runtime)
    sam = load_sam()
    handlers = sorted({
        r["Properties"]["Handler"].rpartition(".")[0]
        for r in sam["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    })
    modules = handlers + sorted(third_party_imports())
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    for r in [sam.get("Globals", {}).get("Function", {}), *sam["Resources"].values()]:
        for name, value in r.get("Properties", r).get("Environment", {}).get("Variables", {}).items():
            env[name] = value if isinstance(value, str) else "ami-test"  # a !Ref: any name will do
    # -I -S: no site-packages, no PYTHON* variables; the paths are Lambda's order (code, layer, runtime).
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c",
         CHILD.format(paths=[str(FUNCTIONS), str(layer), str(runtime)], modules=modules)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["failed"] == {}
    assert result["outside"] == [], "imported from outside the bundle"


@pytest.mark.slow
def test_what_the_layer_prunes_is_never_imported(tmp_path: Path) -> None:
    """layers/runtime/Makefile's `prune` (Chalice's command line), applied to a copy of the package: the HTTP
    handlers still import from it."""
    import shutil

    site = tmp_path / "python"
    for name in ("chalice",):
        source = Path(str(importlib.metadata.distribution(name).locate_file(name)))
        shutil.copytree(source, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(["make", "--no-print-directory", "-f", str(LAYER / "Makefile"), "prune", f"SITE={site}"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert not (site / "chalice" / "cli").exists() and (site / "chalice" / "app.py").exists()
    code = (
        "import importlib, sys\n"
        f"sys.path[:0] = [{str(FUNCTIONS)!r}, {str(site)!r}]\n"
        "for m in ('api.app', 'web.app'):\n"
        "    importlib.import_module(m)\n"
        "import chalice\n"
        f"assert chalice.__file__.startswith({str(site)!r})\n"
        "print('ok')\n"
    )
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-3", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    ran = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.split() == ["ok"]
