"""`ami local up` stops by itself on SIGTERM as on Ctrl-C, emulator included (issue 16): no hang, nothing
left behind. How fast is not asserted here (it moves with the machine's load): a few seconds when idle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import PRISTINE_ENV

pytestmark = pytest.mark.slow
HANG = 60  # seconds: past this the stack did not stop by itself


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_local_up_stops_quickly(tmp_path: Path, signum: int) -> None:
    process = subprocess.Popen([sys.executable, "-c", "from infra.cli import app; app()", "local", "up"],
                               cwd=tmp_path, env={**PRISTINE_ENV, "COLUMNS": "200"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        for line in process.stdout:  # the stack is up once it says how to stop it
            if "Ctrl-C pour arrêter" in line or time.monotonic() > deadline:
                break
        emulators = _children(process.pid)
        assert emulators, "the emulator runs as a child process"
        sent = time.monotonic()
        process.send_signal(signum)
        rest = process.communicate(timeout=HANG)[0]
        print(f"stopped after {time.monotonic() - sent:.1f} s")
        assert "Pile locale arrêtée" in rest, rest[-2000:]
        for pid in emulators:
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        assert not (tmp_path / ".ami-local" / "stack.json").exists()
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
