"""The layer contracts of docs/architecture.md hold ([tool.importlinter] in pyproject.toml)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*config: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT)])}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *config], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_every_layer_contract_is_kept() -> None:
    run = lint_imports()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout and "6 kept" in run.stdout


def test_a_broken_contract_fails_the_check(tmp_path: Path) -> None:
    """The checker does see a violation: the domain's models do import the extraction package."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["ami"]\n\n[[tool.importlinter.contracts]]\n'
        'name = "models without extraction"\ntype = "forbidden"\nsource_modules = ["ami.domain.models"]\n'
        'forbidden_modules = ["ami.domain.extraction"]\n'
    )
    run = lint_imports("--config", str(config))
    assert run.returncode == 1 and "BROKEN" in run.stdout, run.stdout + run.stderr


def test_unit_tests_import_no_emulation() -> None:
    """tests/unit runs on in-memory fakes of the ports: no moto, no boto3 client."""
    offenders = []
    for path in sorted((ROOT / "tests" / "unit").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in {"moto", "boto3"}]
    assert offenders == []
