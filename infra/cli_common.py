"""What the `ami` commands share: the console, the local stack's state file, and the service wired
for the stack (or the AWS account) they talk to."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Piped or captured output gets room for the tables; a terminal keeps its own width.
console = Console(width=None if sys.stdout.isatty() else 120)
STATE = Path(".ami-local") / "stack.json"


def progress(label: str, total: int) -> contextlib.AbstractContextManager[Callable[[], None]]:
    @contextlib.contextmanager
    def bar() -> Iterator[Callable[[], None]]:
        with Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            task = progress.add_task(label, total=total)
            yield lambda: progress.advance(task)

    return bar()


def read_state() -> dict[str, Any]:
    if not STATE.exists():
        console.print("[red]Aucune pile locale en cours.[/red] Lancez `ami local up` (ou `ami demo --keep`) "
                      "dans un autre terminal.")
        raise typer.Exit(2)
    state: dict[str, Any] = json.loads(STATE.read_text(encoding="utf-8"))
    try:
        os.kill(int(state["pid"]), 0)
    except OSError:
        console.print("[red]La pile locale enregistrée ne tourne plus.[/red] Relancez `ami local up`.")
        raise typer.Exit(2) from None
    from infra.local import client_environment

    os.environ.update(client_environment(state["endpoint"]))
    os.environ.update(state["env"])
    return state


def services() -> Any:
    """The service (`ami.bootstrap.Container`) of the local stack if one is up, else of the environment's
    AWS account (the deployed stack's variables, see README)."""
    if STATE.exists():
        read_state()
    from ami import bootstrap
    from ami.settings import settings

    return bootstrap.build(settings())
