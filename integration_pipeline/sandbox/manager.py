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
from integration_pipeline.sandbox.crm import process as crm_process
from integration_pipeline.sandbox.demo.records import DEFAULT_ORDERS_PER_YEAR, DemoConfig
from integration_pipeline.sandbox.errors import SandboxError
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url, write_config
from integration_pipeline.sandbox.tryton.database import install_database, template_key
from integration_pipeline.sandbox.tryton.server import MARKER, require_free_erp_port, start_server

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


def _same_sandbox(state: dict[str, Any], settings: SandboxSettings) -> bool:
    erp, crm = state.get("erp", {}), state.get("crm", {})
    return (
        erp.get("database") == settings.database
        and erp.get("port") == settings.erp_port
        and crm.get("port", settings.crm_port) == settings.crm_port
        and (not crm or crm.get("code") == crm_process.code_fingerprint())
    )


def _reset_crm_store(settings: SandboxSettings) -> None:
    for suffix in ("", "-wal", "-shm"):
        (settings.crm_dir / f"crm.sqlite{suffix}").unlink(missing_ok=True)


def _crm_description(settings: SandboxSettings, pid: int | None) -> dict[str, Any]:
    return {
        "system": "hubspot-compatible sandbox",
        "running": processes.is_alive(pid, crm_process.MARKER),
        "pid": pid,
        "url": settings.crm_url,
        "token": crm_process.read_token(settings.crm_dir),
        "data_file": str(settings.crm_dir / "crm.sqlite"),
        "log_file": str(settings.crm_dir / "crm.log"),
    }


def up(settings: SandboxSettings, progress: Progress, reset: bool = False) -> dict[str, Any]:
    _check_data_dir(settings.data_dir)
    if settings.postgres_url:
        from integration_pipeline.sandbox.tryton import postgres  # psycopg: only when asked

        postgres.Server(settings.postgres_url).check()
    state = read_state(settings)
    erp_running = processes.is_alive(state.get("erp", {}).get("pid"), MARKER)
    crm_running = processes.is_alive(state.get("crm", {}).get("pid"), crm_process.MARKER)
    if (erp_running or crm_running) and (reset or not _same_sandbox(state, settings)):
        progress("stopping the running sandbox first (other settings, or its code changed)")
        down(settings, progress)
        state, erp_running, crm_running = read_state(settings), False, False
    if erp_running and crm_running:
        progress(
            f"the sandbox already runs (Tryton pid {state['erp']['pid']}, "
            f"CRM pid {state['crm']['pid']})"
        )
        return status(settings)

    # Fail before a long build, not after it.
    if not erp_running:
        require_free_erp_port(settings.erp_port)
    if not crm_running:
        crm_process.require_free_crm_port(settings.crm_port)
    demo = {
        "seed": settings.seed,
        "customers": settings.customers,
        "as_of": settings.as_of.isoformat(),
        "seeding": "bulk" if settings.bulk_seeding else "orm",
        **(
            {}
            if settings.orders_per_year == DEFAULT_ORDERS_PER_YEAR
            else {"orders_per_year": settings.orders_per_year}
        ),
    }
    erp_pid = state.get("erp", {}).get("pid")
    if not erp_running:
        built = install_database(settings, reset, progress)
        recorded_build = state.get("build")
        current_build = template_key(settings, state.get("demo") or demo)
        if not built and recorded_build and recorded_build != current_build:
            raise SandboxError(
                f"the sandbox in {settings.data_dir} was made by another version of this "
                "project, whose demo data may not match this version's",
                "run `integration-pipeline sandbox up --reset` to rebuild it",
            )
        if not built and state.get("demo") and state["demo"] != demo:
            demo = state["demo"]
            progress(
                f"the reused database holds the demo built with {demo}; "
                "pass --reset to rebuild it with the options given now"
            )
        if built or not (settings.demo_dir / "manifest.json").exists():
            progress("writing the demo data files")
            # Faker and the generator only when building: every run's code location loads
            # this module (resources read the sandbox's state).
            from integration_pipeline.sandbox.demo.files import write_dataset
            from integration_pipeline.sandbox.demo.generator import generate

            config = DemoConfig(
                seed=demo["seed"],
                customers=demo["customers"],
                as_of=date.fromisoformat(demo["as_of"]),
                orders_per_year=demo.get("orders_per_year", DEFAULT_ORDERS_PER_YEAR),
            )
            write_dataset(generate(config), settings.demo_dir)
        if built:  # both systems must hold the same demo
            _reset_crm_store(settings)
        config_file = write_config(
            settings.erp_dir / "trytond.conf", settings.erp_dir / "db", settings
        )
        progress(f"starting the Tryton server on 127.0.0.1:{settings.erp_port}")
        erp_pid = start_server(config_file, settings.database, settings.erp_port, settings.erp_dir)
    else:
        demo = state.get("demo", demo)
    crm_pid = state.get("crm", {}).get("pid")
    if not crm_running:
        progress(f"starting the CRM sandbox on 127.0.0.1:{settings.crm_port}")
        try:
            crm_pid = crm_process.start_crm(
                settings.crm_dir,
                settings.crm_port,
                crm_process.sandbox_token(settings.crm_dir),
                settings.demo_dir,
            )
        except BaseException:
            if not erp_running:  # leave nothing running that no state file records
                processes.stop(erp_pid)
            raise
    _write_state(
        settings,
        {
            "erp": {
                "pid": erp_pid,
                "port": settings.erp_port,
                "database": settings.database,
                "backend": settings.backend,
                "postgres_url": settings.postgres_url,
            },
            "crm": {
                "pid": crm_pid,
                "port": settings.crm_port,
                "code": crm_process.code_fingerprint(),
            },
            "demo": demo,
            "build": template_key(settings, demo),
        },
    )
    return status(settings)


def recorded_settings(settings: SandboxSettings, state: dict[str, Any]) -> SandboxSettings:
    """The ports, database and backend `up` recorded, whatever flags this call was given."""
    erp, crm = state.get("erp", {}), state.get("crm", {})
    if not erp:
        return settings
    return replace(
        settings,
        erp_port=erp["port"],
        database=erp["database"],
        postgres_url=erp.get("postgres_url"),
        crm_port=crm.get("port", settings.crm_port),
    )


def status(settings: SandboxSettings) -> dict[str, Any]:
    state = read_state(settings)
    erp, crm = state.get("erp", {}), state.get("crm", {})
    settings = recorded_settings(settings, state)
    return {
        "data_dir": str(settings.data_dir),
        "erp": _erp_description(settings, erp.get("pid")) if erp else None,
        "crm": _crm_description(settings, crm.get("pid")) if crm else None,
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
    crm = state.get("crm", {})
    if processes.is_alive(crm.get("pid"), crm_process.MARKER):
        processes.stop(crm["pid"])
        stopped.append(f"CRM sandbox (pid {crm['pid']})")
        progress(f"stopped the CRM sandbox (pid {crm['pid']})")
    if state:
        for system in ("erp", "crm"):
            if system in state:
                state[system]["pid"] = None
        _write_state(settings, state)
    if not stopped:
        progress("nothing was running")
    return stopped
