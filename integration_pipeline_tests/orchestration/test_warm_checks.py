"""News landed in a run whose steps share the process starts the GX worker at once; in a run
whose steps each have a process of their own it does not."""

import dagster as dg

from integration_pipeline.orchestration.warm_checks import news_landed, steps_share_the_process
from integration_pipeline.quality import gx_runner


def test_news_in_an_in_process_run_starts_the_worker(monkeypatch):
    workers = []
    monkeypatch.setattr(gx_runner, "start_worker", lambda: workers.append(True))

    @dg.asset
    def extract(context: dg.AssetExecutionContext) -> None:
        news_landed(context)

    assert dg.materialize([extract]).success
    assert workers == [True]


def test_only_the_in_process_executors_share_the_process():
    assert steps_share_the_process(dg.in_process_executor)
    assert not steps_share_the_process(dg.multiprocess_executor)
    assert not steps_share_the_process(dg.multi_or_in_process_executor)
