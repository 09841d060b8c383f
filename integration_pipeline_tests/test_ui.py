"""The Dagster UI as a person uses it: `integration-pipeline demo`, then `integration-pipeline
ui` (sandbox, webserver and daemon), then a headless Chromium that looks at the asset graph,
starts a materialisation with a click, waits for the daemon to run it and reads its check
result. Screenshots go to test-artifacts/."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from integration_pipeline.instance import instance_yaml
from integration_pipeline_tests.conftest import free_port
from integration_pipeline_tests.test_cli import CLI, DEMO_FLAGS

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium")
ENTITY_GROUPS = ("customers", "orders", "invoices", "stock")


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if CHROMIUM and sync_playwright:
        return sync_playwright
    why = "needs Debian's chromium (`make test` installs it) and playwright (test extra)"
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def _wait_until_answers(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the UI exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the UI did not answer at {url} within {timeout:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    """`dagster dev` and its webserver and daemon: the whole process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, as in a terminal
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _dismiss_welcome(page) -> None:
    """Dagster asks a first visitor to join its community: skip, as a person would."""
    from playwright.sync_api import TimeoutError as NotShown

    with contextlib.suppress(NotShown):  # already skipped on this instance
        page.get_by_role("button", name="Skip").click(timeout=5000)


def test_the_ui_shows_the_groups_a_clicked_run_and_its_check(tmp_path, sandbox_cache, erp_template):
    sync_playwright = _playwright()
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    data, home = tmp_path / "data", tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml())
    env = {
        **os.environ,
        "INTEGRATION_PIPELINE_CACHE": str(sandbox_cache),
        "DAGSTER_HOME": str(home),
    }
    sandbox = [
        "--data-dir",
        str(data),
        "--erp-port",
        str(free_port()),
        "--crm-port",
        str(free_port()),
        *DEMO_FLAGS,
    ]
    demo = subprocess.run(
        [CLI, "demo", *sandbox], env=env, capture_output=True, text=True, timeout=900
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "succeeded" in demo.stdout and "make ui" in demo.stdout

    port = free_port()
    log = tmp_path / "ui.log"
    with log.open("w") as output:
        ui = subprocess.Popen(
            [CLI, "ui", *sandbox, "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answers(f"{base}/server_info", ui, log, timeout=180)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})

            # The asset graph, grouped by entity.
            page.goto(f"{base}/asset-groups")
            _dismiss_welcome(page)
            for group in ENTITY_GROUPS:
                expect(page.get_by_text(group, exact=True).first).to_be_visible(timeout=60_000)
            page.screenshot(path=ARTIFACTS / "ui-asset-graph.png")

            # The demo's run is there; a click on Materialize starts another one...
            page.goto(f"{base}/assets/staging/erp_customers")
            expect(page.get_by_text("Latest materialization")).to_be_visible(timeout=60_000)
            page.locator("button", has_text="Materialize").first.click()
            launched = page.get_by_text("Launched run")
            expect(launched).to_be_visible(timeout=60_000)
            run_id = launched.inner_text().split()[-1]

            # ...which the daemon dequeues and runs to success...
            page.goto(f"{base}/runs")
            page.get_by_role("link", name=f"run {run_id}").click(timeout=60_000)
            expect(page.get_by_text("Success").first).to_be_visible(timeout=180_000)
            page.screenshot(path=ARTIFACTS / "ui-run.png")

            # ...and its blocking check's result shows on the asset.
            page.goto(f"{base}/assets/staging/erp_customers?view=checks")
            expect(page.get_by_text("erp_customer_keys").first).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Passed").first).to_be_visible(timeout=60_000)
            page.screenshot(path=ARTIFACTS / "ui-asset-checks.png")
            browser.close()
    finally:
        _stop(ui)
        subprocess.run(
            [CLI, "sandbox", "down", "--data-dir", str(data)], env=env, timeout=120, check=False
        )
    assert (ARTIFACTS / "ui-asset-checks.png").stat().st_size > 10_000
