"""Starting the CRM sandbox server beside Tryton, and waiting until it answers."""

import hashlib
import os
import secrets
import sys
from pathlib import Path

import httpx

from integration_pipeline.sandbox import processes

MARKER = "integration_pipeline.sandbox.crm.server"


def read_token(crm_dir: Path) -> str | None:
    """INTEGRATION_PIPELINE_CRM_TOKEN, or the token `sandbox up` kept in the data folder."""
    if os.environ.get("INTEGRATION_PIPELINE_CRM_TOKEN"):
        return os.environ["INTEGRATION_PIPELINE_CRM_TOKEN"]
    path = crm_dir / "token"
    return path.read_text().strip() if path.exists() else None


def sandbox_token(crm_dir: Path) -> str:
    """The token to start the sandbox with: the one there is, or a new random one kept with
    mode 600 in the data folder."""
    if token := read_token(crm_dir):
        return token
    path = crm_dir / "token"
    crm_dir.mkdir(parents=True, exist_ok=True)
    token = f"pat-sandbox-{secrets.token_hex(16)}"
    path.touch(mode=0o600)
    path.write_text(token)
    return token


def require_free_crm_port(port: int) -> None:
    processes.require_free_port(
        port, "the CRM sandbox server", "--crm-port", "INTEGRATION_PIPELINE_CRM_PORT"
    )


def start_crm(
    crm_dir: Path, port: int, token: str, demo_dir: Path, options: tuple[str, ...] = ()
) -> int:
    """Start the server; `options` are extra server flags (limits, fault injection)."""
    require_free_crm_port(port)
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
    processes.wait_until_ready(
        process,
        lambda: httpx.get(url, timeout=2).status_code == 200,
        f"the CRM sandbox (port {port})",
        log,
        "`integration-pipeline sandbox up --reset` reseeds it",
    )
    return process.pid


def code_fingerprint() -> str:
    """Which version of the CRM sandbox's code a server runs: a server started before an
    upgrade (new object types, say) must be restarted, not reused."""
    digest = hashlib.sha1()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
