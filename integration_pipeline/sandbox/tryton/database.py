"""Builds the sandbox's Tryton database once per demo configuration and copies it per use.

A build (trytond-admin, then company setup and seeding) takes a while, so its result is kept
as a template: a file in the cache folder for SQLite, a template database for PostgreSQL.
Every build happens under a temporary name and is renamed only when complete, so an
interrupted build never leaves a database that a later `up` would take for ready.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from importlib.metadata import version
from pathlib import Path

from integration_pipeline.sandbox.demo.records import DEFAULT_ORDERS_PER_YEAR
from integration_pipeline.sandbox.errors import SandboxError
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton.config import MODULES, server_url, write_config

# Bump when the demo generator or the business setup changes what a build produces.
BUILD_FORMAT = 3
Progress = Callable[[str], None]


def template_key(settings: SandboxSettings, demo: dict | None = None) -> str:
    """The build's identity; `demo` (seed, customers, as_of, seeding) overrides the settings'
    own (a state file from before the bulk path has no seeding: those builds used the ORM)."""
    if demo:
        settings = replace(
            settings,
            seed=demo["seed"],
            customers=demo["customers"],
            as_of=date.fromisoformat(demo["as_of"]),
            seeding=demo.get("seeding", "orm"),
            orders_per_year=demo.get("orders_per_year", DEFAULT_ORDERS_PER_YEAR),
        )
    parts = [
        str(BUILD_FORMAT),
        version("trytond"),
        version("integration-pipeline"),
        ",".join(MODULES),
        str(settings.seed),
        str(settings.customers),
        settings.as_of.isoformat(),
        "bulk" if settings.bulk_seeding else "orm",
        # Left out at the default, so builds made before the option keep their key.
        *(
            []
            if settings.orders_per_year == DEFAULT_ORDERS_PER_YEAR
            else [str(settings.orders_per_year)]
        ),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _run_build(settings: SandboxSettings, config: Path, database: str, progress: Progress) -> None:
    """trytond-admin, then the seeding worker, on an empty database named `database`."""
    with tempfile.NamedTemporaryFile("w", suffix=".pass", delete=False) as passfile:
        passfile.write(settings.erp_password)
    env = {**os.environ, "TRYTONPASSFILE": passfile.name}
    try:
        progress("creating the Tryton database and activating modules (trytond-admin)")
        admin = subprocess.run(
            [
                _bin("trytond-admin"),
                "-c",
                str(config),
                "-d",
                database,
                "--email",
                "admin@example.com",
                "-u",
                *MODULES,
                "--activate-dependencies",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if admin.returncode != 0:
            raise SandboxError(
                f"trytond-admin failed:\n{admin.stderr[-2000:]}",
                "check the message above; `integration-pipeline sandbox up --reset` retries",
            )
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "integration_pipeline.sandbox.tryton.build_worker",
                "--config",
                str(config),
                "--database",
                database,
                "--database-uri",
                server_url(settings.postgres_url) if settings.postgres_url else "sqlite://",
                "--seed",
                str(settings.seed),
                "--customers",
                str(settings.customers),
                "--as-of",
                settings.as_of.isoformat(),
                "--orders-per-year",
                str(settings.orders_per_year),
                *(["--bulk"] if settings.bulk_seeding else []),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert worker.stdout is not None
        for line in worker.stdout:
            progress(line.rstrip())
        stderr = worker.stderr.read() if worker.stderr else ""
        if worker.wait() != 0:
            raise SandboxError(
                f"seeding the demo data failed:\n{stderr[-3000:]}",
                "this is a bug if it repeats; report it with the message above",
            )
    finally:
        os.unlink(passfile.name)


def _sqlite_template(settings: SandboxSettings, progress: Progress) -> Path:
    templates = settings.cache_dir / "tryton"
    template = templates / f"{template_key(settings)}.sqlite"
    if template.exists():
        progress(f"using the cached Tryton template {template}")
        return template
    templates.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(templates)
    build_dir = Path(tempfile.mkdtemp(prefix=f"build-{os.getpid()}-", dir=templates))
    try:
        database = "template"
        (build_dir / f"{database}.sqlite").touch()
        config = write_config(build_dir / "trytond.conf", build_dir, settings)
        _run_build(settings, config, database, progress)
        os.replace(build_dir / f"{database}.sqlite", template)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    return template


def _remove_abandoned_builds(templates: Path) -> None:
    """Build folders of processes that died mid-build (killed, machine restarted)."""
    for folder in templates.glob("build-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _install_sqlite(settings: SandboxSettings, reset: bool, progress: Progress) -> bool:
    """Put the database in the data folder; returns False when an existing one was kept."""
    target = settings.erp_dir / "db" / f"{settings.database}.sqlite"
    if target.exists() and not reset:
        progress(f"reusing the Tryton database {target} (--reset starts over)")
        return False
    template = _sqlite_template(settings, progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".sqlite.partial")
    shutil.copyfile(template, partial)
    os.replace(partial, target)
    progress(f"Tryton database ready at {target}")
    return True


def _install_postgres(settings: SandboxSettings, reset: bool, progress: Progress) -> bool:
    assert settings.postgres_url
    from integration_pipeline.sandbox.tryton import postgres  # psycopg: only when asked

    server = postgres.Server(settings.postgres_url)
    if server.is_ready(settings.database) and not reset:
        progress(
            f"reusing the Tryton database {settings.database} on PostgreSQL (--reset starts over)"
        )
        return False
    template = f"ipt_{template_key(settings)}"
    if not server.exists(template):
        building = f"{template}_building"
        server.drop(building)
        server.create(building)
        config = write_config(settings.erp_dir / "build.conf", settings.erp_dir, settings)
        try:
            _run_build(settings, config, building, progress)
        except BaseException:
            server.drop(building)
            raise
        server.rename(building, template)
    else:
        progress(f"using the PostgreSQL template database {template}")
    server.drop(settings.database)
    server.create(settings.database, template=template)
    server.mark_ready(settings.database)
    progress(f"Tryton database {settings.database} ready on PostgreSQL")
    return True


def install_database(settings: SandboxSettings, reset: bool, progress: Progress) -> bool:
    if settings.postgres_url:
        return _install_postgres(settings, reset, progress)
    return _install_sqlite(settings, reset, progress)
