"""`integration-pipeline ui`: the sandbox up, then Dagster's UI and daemon on this project's
instance, so the demo's runs, the schedules and the sensors are all there."""

import os
import sys
from pathlib import Path

from integration_pipeline.sandbox import manager
from integration_pipeline.sandbox.errors import SandboxError
from integration_pipeline.sandbox.processes import port_is_free
from integration_pipeline.sandbox.settings import SandboxSettings


def dagster_dev_command(host: str, port: int) -> list[str]:
    """`dagster dev` (webserver and daemon in one) on the code location by module name, so
    it needs no workspace file beside it."""
    dagster = Path(sys.executable).parent / "dagster"
    return [
        str(dagster),
        "dev",
        "-m",
        "integration_pipeline.definitions",
        "--host",
        host,
        "--port",
        str(port),
    ]


def run_ui(settings: SandboxSettings, host: str, port: int, say) -> None:
    """Never returns: the process becomes `dagster dev` (Ctrl-C stops the UI and the daemon;
    the sandbox keeps running until `integration-pipeline sandbox down`)."""
    if not port_is_free(port, host):
        raise SandboxError(
            f"port {port} on {host} is taken (another Dagster UI?)",
            "stop it, or pass --port with a free port",
        )
    described = manager.up(settings, say)
    say(f"  ERP: {described['erp']['rpc_url']}; CRM: {described['crm']['url']}")
    os.environ["INTEGRATION_PIPELINE_DATA"] = str(settings.data_dir)
    from integration_pipeline.instance import dagster_home

    os.environ["DAGSTER_HOME"] = str(dagster_home())
    say(f"Dagster UI and daemon: http://{host}:{port} (instance {os.environ['DAGSTER_HOME']})")
    command = dagster_dev_command(host, port)
    os.execv(command[0], command)
