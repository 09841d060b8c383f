"""The Tryton server process: start it, wait until it answers, describe how to reach it."""

import subprocess
import sys
from pathlib import Path

import httpx

from integration_pipeline.sandbox import processes

MARKER = "trytond"


def require_free_erp_port(port: int) -> None:
    processes.require_free_port(
        port, "the Tryton ERP server", "--erp-port", "INTEGRATION_PIPELINE_ERP_PORT"
    )


def start_server(config: Path, database: str, port: int, erp_dir: Path) -> int:
    require_free_erp_port(port)  # again: a long build gives others time to take it
    log = erp_dir / "trytond.log"
    command = [str(Path(sys.executable).parent / "trytond"), "-c", str(config), "-d", database]
    process = processes.start(command, log)
    wait_until_ready(port, database, process, log)
    return process.pid


def wait_until_ready(
    port: int, database: str, process: subprocess.Popen, log: Path, timeout: float = 60
) -> None:
    def answers() -> bool:
        reply = httpx.post(
            f"http://127.0.0.1:{port}/rpc/",
            timeout=2,
            json={"id": 0, "method": "common.db.list", "params": []},
        )
        return reply.status_code == 200 and database in (reply.json().get("result") or [])

    processes.wait_until_ready(
        process,
        answers,
        f"the Tryton server (port {port})",
        log,
        "`integration-pipeline sandbox up --reset` rebuilds the database",
        timeout,
    )
