"""An extract that lands news starts the GX worker (quality/gx_runner.py) early, so that its
import is done when the checks after the extract run. Only when those checks run in this
process (the in-process executor: the demo, the orders flow): a step process of the
multiprocess executor would end, and its worker with it, before any check."""

import dagster as dg

# The executors that run every step of a run in the run's own process (the second is what
# `execute_in_process` runs with).
_IN_PROCESS = {dg.in_process_executor.name, "execute_in_process_executor"}


def steps_share_the_process(executor: dg.ExecutorDefinition) -> bool:
    return executor.name in _IN_PROCESS


def news_landed(context: dg.AssetExecutionContext) -> None:
    from integration_pipeline.quality.gx_runner import start_worker

    if steps_share_the_process(context.job_def.executor_def):
        start_worker()
