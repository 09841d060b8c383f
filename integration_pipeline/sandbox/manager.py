"""`sandbox up | status | down`: bring the sandbox's systems up, describe them, stop them.

The state file (data folder / sandbox.json) records what `up` started, so that `down` stops
exactly that and `status` can tell a running server from a stale record.
"""

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.demo.files import write_dataset
from integration_pipeline.sandbox.demo.generator import generate
from integration_pipeline.sandbox.demo.records import DemoConfig
from integration_pipeline.sandbox.errors import SandboxError
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton import postgres
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url, write_config
from integration_pipeline.sandbox.tryton.database import install_database
from integration_pipeline.sandbox.tryton.server import MARKER, start_server

Progress = Callable[[str], None]


def _check_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir):
            pass
    except OSError as error:
        raise SandboxError(
            f"cannot write to the data folder {data_dir}: {error.strerror or error}",
            "choose a writable folder with --data-dir DIR or INTEGRATION_PIPELINE_DATA=DIR",
        ) from error


def read_state(settings: SandboxSettings) -> dict[str, Any]:
    try:
        return json.loads(settings.state_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError:
        return {}  # a state file cut short by a crash: treat as nothing recorded


def _write_state(settings: SandboxSettings, state: dict[str, Any]) -> None:
    partial = settings.state_file.with_suffix(".json.partial")
    partial.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, settings.state_file)


def _erp_description(settings: SandboxSettings, pid: int | None) -> dict[str, Any]:
    return {
        "system": "tryton",
        "running": processes.is_alive(pid, MARKER),
        "pid": pid,
        "backend": settings.backend,
        # Model calls go to /<database>/rpc/; calls without a database to /rpc/.
        "rpc_url": f"http://127.0.0.1:{settings.erp_port}/{settings.database}/rpc/",
        "server_url": f"http://127.0.0.1:{settings.erp_port}/",
        "database": settings.database,
        "user": settings.erp_user,
        "password": settings.erp_password,
        "db_url": sqlalchemy_url(settings, settings.database),
        "config_file": str(settings.erp_dir / "trytond.conf"),
        "log_file": str(settings.erp_dir / "trytond.log"),
    }


def up(settings: SandboxSettings, progress: Progress, reset: bool = False) -> dict[str, Any]:
    _check_data_dir(settings.data_dir)
    if settings.postgres_url:
        postgres.Server(settings.postgres_url).check()
    state = read_state(settings)
    erp = state.get("erp", {})
    if processes.is_alive(erp.get("pid"), MARKER):
        if (
            not reset
            and erp.get("database") == settings.database
            and erp.get("port") == settings.erp_port
        ):
            progress(f"the Tryton server already runs (pid {erp['pid']})")
            return status(settings)
        progress("stopping the running Tryton server first")
        down(settings, progress)

    # Fail before a long build, not after it.
    processes.require_free_port(
        settings.erp_port, "the Tryton ERP server", "--erp-port", "INTEGRATION_PIPELINE_ERP_PORT"
    )
    demo = {
        "seed": settings.seed,
        "customers": settings.customers,
        "as_of": settings.as_of.isoformat(),
    }
    built = install_database(settings, reset, progress)
    if not built and state.get("demo") and state["demo"] != demo:
        demo = state["demo"]
        progress(
            f"the reused database holds the demo built with {demo}; "
            "pass --reset to rebuild it with the options given now"
        )
    if built or not (settings.demo_dir / "manifest.json").exists():
        progress("writing the demo data files")
        config = DemoConfig(
            seed=demo["seed"], customers=demo["customers"], as_of=date.fromisoformat(demo["as_of"])
        )
        write_dataset(generate(config), settings.demo_dir)
    config = write_config(settings.erp_dir / "trytond.conf", settings.erp_dir / "db", settings)
    progress(f"starting the Tryton server on 127.0.0.1:{settings.erp_port}")
    pid = start_server(config, settings.database, settings.erp_port, settings.erp_dir)
    _write_state(
        settings,
        {
            "erp": {
                "pid": pid,
                "port": settings.erp_port,
                "database": settings.database,
                "backend": settings.backend,
                "postgres_url": settings.postgres_url,
            },
            "demo": demo,
        },
    )
    return status(settings)


def status(settings: SandboxSettings) -> dict[str, Any]:
    state = read_state(settings)
    erp = state.get("erp", {})
    if erp:  # describe what `up` recorded, whatever flags this call was given
        settings = replace(
            settings,
            erp_port=erp["port"],
            database=erp["database"],
            postgres_url=erp.get("postgres_url"),
        )
    return {
        "data_dir": str(settings.data_dir),
        "erp": _erp_description(settings, erp.get("pid")) if erp else None,
        "crm": None,  # the HubSpot-compatible sandbox joins here
        "demo": {**state.get("demo", {}), "folder": str(settings.demo_dir)} if state else None,
    }


def down(settings: SandboxSettings, progress: Progress) -> list[str]:
    """Stop what `up` started; returns what was stopped."""
    state = read_state(settings)
    stopped = []
    erp = state.get("erp", {})
    if processes.is_alive(erp.get("pid"), MARKER):
        processes.stop(erp["pid"])
        stopped.append(f"Tryton server (pid {erp['pid']})")
        progress(f"stopped the Tryton server (pid {erp['pid']})")
    if state:
        for system in ("erp", "crm"):
            if system in state:
                state[system]["pid"] = None
        _write_state(settings, state)
    if not stopped:
        progress("nothing was running")
    return stopped
