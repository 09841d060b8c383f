"""Starting the CRM sandbox server beside Tryton, and waiting until it answers."""

import os
import secrets
import sys
import time
from pathlib import Path

import httpx

from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.errors import SandboxError

MARKER = "integration_pipeline.sandbox.crm.server"


def sandbox_token(crm_dir: Path) -> str:
    """INTEGRATION_PIPELINE_CRM_TOKEN, or a random token kept (mode 600) in the data folder."""
    if os.environ.get("INTEGRATION_PIPELINE_CRM_TOKEN"):
        return os.environ["INTEGRATION_PIPELINE_CRM_TOKEN"]
    path = crm_dir / "token"
    if path.exists():
        return path.read_text().strip()
    crm_dir.mkdir(parents=True, exist_ok=True)
    token = f"pat-sandbox-{secrets.token_hex(16)}"
    path.touch(mode=0o600)
    path.write_text(token)
    return token


def start_crm(
    crm_dir: Path, port: int, token: str, demo_dir: Path, options: tuple[str, ...] = ()
) -> int:
    """Start the server; `options` are extra server flags (limits, fault injection)."""
    processes.require_free_port(
        port, "the CRM sandbox server", "--crm-port", "INTEGRATION_PIPELINE_CRM_PORT"
    )
    command = [
        sys.executable,
        "-m",
        MARKER,
        "--data-dir",
        str(crm_dir),
        "--port",
        str(port),
        "--seed-from",
        str(demo_dir),
        *options,
    ]
    env = {**os.environ, "INTEGRATION_PIPELINE_CRM_TOKEN": token}
    log = crm_dir / "crm.log"
    process = processes.start(command, log, env=env)
    url = f"http://127.0.0.1:{port}/__sandbox/health"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise SandboxError(
                f"the CRM sandbox exited while starting:\n{tail}",
                f"read {log}; `integration-pipeline sandbox up --reset` reseeds it",
            )
        try:
            if (
                httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=2).status_code
                == 200
            ):
                return process.pid
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    processes.stop(process.pid)
    raise SandboxError(
        f"the CRM sandbox did not answer on port {port} within 60s", f"read {log} for the reason"
    )


def stop_crm(pid: int) -> None:
    processes.stop(pid)
