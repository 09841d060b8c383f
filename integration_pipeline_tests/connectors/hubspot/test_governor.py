"""The governor's window on a fake clock, and on the CRM sandbox's real search limit."""

import pytest

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.hubspot.governor import CLOCK_SLACK_S, Governor
from integration_pipeline_tests.conftest import serve_crm


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_request_counts_from_its_answer_not_from_its_sending():
    clock = FakeClock()
    governor = Governor(2, 1.0, clock=clock, sleep=clock.sleep)
    slow = governor.acquire()
    clock.now = 0.4  # the server may have stamped it as late as its answer
    governor.answered(slow)
    governor.answered(governor.acquire())
    governor.acquire()  # the window is full until 1 s after the slow answer
    assert clock.now == pytest.approx(1.4 + CLOCK_SLACK_S)


def test_a_full_window_frees_one_window_after_the_first_answer():
    clock = FakeClock()
    governor = Governor(3, 10.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        governor.answered(governor.acquire())
    assert governor.waited_s == 0
    governor.acquire()
    assert clock.now == pytest.approx(10 + CLOCK_SLACK_S)


def test_searches_at_the_servers_limit_meet_no_429(tmp_path, demo_files):
    for server in serve_crm(tmp_path / "crm", demo_files, "--searches-per-s", "5"):
        with HubSpotClient(server.url, server.token, searches_per_s=5) as client:
            for _ in range(16):
                client.search("products", {"limit": 1})
            assert client.stats.throttled == 0
            assert client.stats.paced_s > 0
