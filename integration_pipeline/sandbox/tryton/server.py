"""The Tryton server process: start it, wait until it answers, describe how to reach it."""

import subprocess
import sys
import time
from pathlib import Path

import httpx

from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.errors import SandboxError

MARKER = "trytond"


def start_server(config: Path, database: str, port: int, erp_dir: Path) -> int:
    processes.require_free_port(
        port, "the Tryton ERP server", "--erp-port", "INTEGRATION_PIPELINE_ERP_PORT"
    )
    log = erp_dir / "trytond.log"
    command = [str(Path(sys.executable).parent / "trytond"), "-c", str(config), "-d", database]
    process = processes.start(command, log)
    wait_until_ready(port, database, process, log)
    return process.pid


def wait_until_ready(
    port: int, database: str, process: subprocess.Popen, log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/rpc/"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise SandboxError(
                f"the Tryton server exited while starting; its log ends with:\n{tail}",
                f"read {log}; `integration-pipeline sandbox up --reset` rebuilds the database",
            )
        try:
            reply = httpx.post(
                url, json={"id": 0, "method": "common.db.list", "params": []}, timeout=2
            )
            if reply.status_code == 200 and database in (reply.json().get("result") or []):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    processes.stop(process.pid)
    raise SandboxError(
        f"the Tryton server did not answer on port {port} within {timeout:.0f}s",
        f"read {log} for the reason",
    )
