"""The `integration-pipeline sandbox` commands, run as a user runs them."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from integration_pipeline.sandbox import processes
from integration_pipeline_tests.conftest import TEST_DEMO, free_port

pytestmark = pytest.mark.slow
CLI = str(Path(sys.executable).parent / "integration-pipeline")
DEMO_FLAGS = [
    "--customers",
    str(TEST_DEMO["customers"]),
    "--seed",
    str(TEST_DEMO["seed"]),
    "--as-of",
    TEST_DEMO["as_of"].isoformat(),
]


def run(*args: str, cache: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "INTEGRATION_PIPELINE_CACHE": str(cache)}
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


def status(data_dir: Path, cache: Path) -> dict:
    result = run("sandbox", "status", "--json", "--data-dir", str(data_dir), cache=cache)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_up_status_down(tmp_path, sandbox_cache, erp_template):
    data, port, crm_port = tmp_path / "data", free_port(), free_port()
    ports = ["--erp-port", str(port), "--crm-port", str(crm_port)]
    up = run("sandbox", "up", "--data-dir", str(data), *ports, *DEMO_FLAGS, cache=sandbox_cache)
    assert up.returncode == 0, up.stderr
    assert "using the cached Tryton template" in up.stdout

    described = status(data, sandbox_cache)
    erp = described["erp"]
    assert erp["running"] is True
    assert erp["rpc_url"] == f"http://127.0.0.1:{port}/integration_demo/rpc/"
    assert (erp["database"], erp["user"], erp["password"]) == ("integration_demo", "admin", "admin")
    login = httpx.post(
        erp["rpc_url"],
        json={
            "id": 1,
            "method": "common.db.login",
            "params": [erp["user"], {"password": erp["password"]}],
        },
    )
    assert login.json()["result"][0] == 1  # the admin user's id
    with sa.create_engine(erp["db_url"]).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM sale_sale")).scalar_one() > 0
    assert (data / "demo" / "ground_truth.csv").exists()

    crm = described["crm"]
    assert crm["running"] is True and crm["url"] == f"http://127.0.0.1:{crm_port}"
    companies = httpx.get(
        f"{crm['url']}/crm/v3/objects/companies?limit=100",
        headers={"Authorization": f"Bearer {crm['token']}"},
    )
    assert companies.status_code == 200 and companies.json()["results"]
    token_file = data / "crm" / "token"
    assert token_file.stat().st_mode & 0o077 == 0, "the token file is private"

    again = run("sandbox", "up", "--data-dir", str(data), *ports, *DEMO_FLAGS, cache=sandbox_cache)
    assert again.returncode == 0 and "already runs" in again.stdout
    assert status(data, sandbox_cache)["erp"]["pid"] == erp["pid"]

    down = run("sandbox", "down", "--data-dir", str(data), cache=sandbox_cache)
    assert down.returncode == 0 and f"pid {erp['pid']}" in down.stdout
    assert not processes.is_alive(erp["pid"], "trytond")  # gone (or a zombie awaiting reaping)
    assert not processes.is_alive(crm["pid"], "crm.server")
    assert f"CRM sandbox (pid {crm['pid']})" in down.stdout
    assert status(data, sandbox_cache)["erp"]["running"] is False
    assert (
        "nothing was running"
        in run("sandbox", "down", "--data-dir", str(data), cache=sandbox_cache).stdout
    )


@pytest.mark.parametrize("flag", ["--erp-port", "--crm-port"])
def test_busy_port_is_reported_before_any_work(tmp_path, sandbox_cache, flag):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ports = {"--erp-port": str(free_port()), "--crm-port": str(free_port()), flag: str(port)}
        result = run(
            "sandbox",
            "up",
            "--data-dir",
            str(tmp_path),
            *[x for pair in ports.items() for x in pair],
            *DEMO_FLAGS,
            cache=sandbox_cache,
        )
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1" in result.stderr and flag in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "erp").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql://root@127.0.0.1:1",
            "cannot reach PostgreSQL at postgresql://root@127.0.0.1:1",
        ),
        ("mysql://root@127.0.0.1:3306", "is not a PostgreSQL URL"),
    ],
)
def test_bad_postgres_url(tmp_path, sandbox_cache, url, message):
    result = run(
        "sandbox",
        "up",
        "--data-dir",
        str(tmp_path),
        "--erp-port",
        str(free_port()),
        "--postgres-url",
        url,
        cache=sandbox_cache,
    )
    assert result.returncode == 2
    assert message in result.stderr and "how to fix" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_data_folder(tmp_path, sandbox_cache):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("sandbox", "up", "--data-dir", str(blocker / "data"), cache=sandbox_cache)
    assert result.returncode == 2
    assert "cannot write to the data folder" in result.stderr and "--data-dir" in result.stderr


def test_the_console_script_ends_as_an_orderly_exit_would(tmp_path, sandbox_cache):
    """`cli.run` skips only Python's finalization: exit handlers run, a worker thread
    finishes, buffered output arrives and the command's exit code is kept."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    finished = tmp_path / "finished"
    script = f"""
import atexit, pathlib, sys, threading, time
from integration_pipeline import cli
atexit.register(lambda: print("exit handler ran"))
threading.Thread(
    target=lambda: (time.sleep(0.5), pathlib.Path({str(finished)!r}).write_text("yes"))
).start()
sys.argv = ["integration-pipeline", "sandbox", "up", "--data-dir", {str(blocker / "data")!r}]
cli.run()
"""
    env = {**os.environ, "INTEGRATION_PIPELINE_CACHE": str(sandbox_cache)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "cannot write to the data folder" in result.stderr
    assert result.stdout.strip().endswith("exit handler ran")
    assert finished.read_text() == "yes"


def test_interrupted_build_leaves_nothing_that_looks_ready(tmp_path):
    cache, data = tmp_path / "cache", tmp_path / "data"
    env = {**os.environ, "INTEGRATION_PIPELINE_CACHE": str(cache)}
    process = subprocess.Popen(
        [
            CLI,
            "sandbox",
            "up",
            "--data-dir",
            str(data),
            "--erp-port",
            str(free_port()),
            "--customers",
            "3",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # wait until the build is under way
        if "trytond-admin" in line:
            break
    time.sleep(2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not list((cache / "tryton").glob("*.sqlite")), "no template may look finished"
    assert not (data / "erp" / "db").exists() or not list((data / "erp" / "db").iterdir())
    assert not (data / "sandbox.json").exists()
