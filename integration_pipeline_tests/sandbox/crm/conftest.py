"""A CRM sandbox server per test module, seeded with the test demo's CRM records."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hubspot import HubSpot

from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.crm.process import start_crm
from integration_pipeline.sandbox.demo.files import write_dataset
from integration_pipeline_tests.conftest import free_port

TOKEN = "pat-test-token"


@dataclass
class CrmServer:
    url: str
    token: str
    pid: int
    folder: Path

    def sdk(self) -> HubSpot:
        return HubSpot(access_token=self.token, host=self.url)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def demo_files(demo_dataset, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_dataset(demo_dataset, folder)
    return folder


def _serve(folder: Path, demo_files: Path, *options: str) -> Iterator[CrmServer]:
    port = free_port()
    pid = start_crm(folder, port, TOKEN, demo_files, options)
    try:
        yield CrmServer(f"http://127.0.0.1:{port}", TOKEN, pid, folder)
    finally:
        processes.stop(pid)


@pytest.fixture
def crm(tmp_path, demo_files) -> Iterator[CrmServer]:
    yield from _serve(tmp_path / "crm", demo_files)


@pytest.fixture
def tight_crm(tmp_path, demo_files) -> Iterator[CrmServer]:
    """A server whose 10-second window allows 5 requests."""
    yield from _serve(tmp_path / "crm", demo_files, "--requests-per-10s", "5")
