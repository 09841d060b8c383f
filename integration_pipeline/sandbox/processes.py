"""Starting and stopping the sandbox's server processes, and checking ports."""

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from integration_pipeline.sandbox.errors import SandboxError


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS picks it), for servers of tests and benchmarks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def require_free_port(port: int, what: str, flag: str, variable: str) -> None:
    if not port_is_free(port):
        raise SandboxError(
            f"port {port} on 127.0.0.1, wanted for {what}, is already in use by another program",
            f"stop that program, or choose another port with {flag} PORT or {variable}=PORT",
        )


def is_alive(pid: int | None, expected_in_cmdline: str) -> bool:
    """True when `pid` runs and is the program we started (not a recycled pid)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return expected_in_cmdline in cmdline


# A signal ignored by the starting process stays ignored across exec. A shell's background
# job ignores SIGINT, and Dagster maps SIGTERM to SIGINT's handler (dagster._utils.interrupts):
# a server started from such a process ignored `stop`'s SIGTERM, and each stop waited its
# whole timeout (10 s a test on CI). The server's command runs with both back to default.
_WITH_DEFAULT_SIGNALS = (
    "import os, signal, sys; "
    "signal.signal(signal.SIGTERM, signal.SIG_DFL); signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


def start(
    command: list[str], log_file: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start a server in its own session (so that stopping it stops its children too), with
    SIGTERM and SIGINT at their defaults; the pid is the server's (exec keeps it)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", _WITH_DEFAULT_SIGNALS, *command],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    return process


def _has_exited(pid: int) -> bool:
    """Gone, or a zombie: dead but not yet reaped by its parent."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaps it when it is our child
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return True
    return state == "Z"


def stop(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `timeout` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _has_exited(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def wait_until_ready(
    process: subprocess.Popen,
    answers: Callable[[], bool],
    what: str,
    log: Path,
    fix: str,
    timeout: float = 60,
) -> None:
    """Poll `answers` until it returns True; stop the process and explain if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise SandboxError(
                f"{what} exited while starting; its log ends with:\n{tail}", f"read {log}; {fix}"
            )
        try:
            if answers():
                return
        except httpx.HTTPError:  # not listening yet
            pass
        time.sleep(0.2)
    stop(process.pid)
    raise SandboxError(f"{what} did not answer within {timeout:.0f}s", f"read {log} for the reason")
