"""Servers the sandbox starts stop on SIGTERM, whatever the starting process ignores."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from integration_pipeline.sandbox import processes


def _exec_done(pid: int) -> bool:
    return b"execvp" not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_a_server_started_while_sigterm_is_ignored_stops_on_sigterm(tmp_path):
    # As in a shell's background job that imported Dagster: SIGTERM ignored, and inherited.
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        process = processes.start(
            [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "server.log"
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        deadline = time.monotonic() + 10
        while not _exec_done(process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=5) == -signal.SIGTERM
    finally:
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
