"""Runs a Great Expectations suite over a DataFrame in an ephemeral context, in a worker
process of its own.

Great Expectations costs 2–2.5 s of CPU and hundreds of MB to import (measured here). It is
never imported when the code location loads, nor by the pipeline's process: one spawned
worker per process imports it and runs the suites. A run that lands news starts the worker
(`start_worker`, from the extracts), so the import proceeds on the other core while the
extracts wait on the systems, instead of holding up the first check after them (an order
after a won deal included). Suites travel as plain data: an expectation's GX class name and
its arguments.
"""

import atexit
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd

# A GX expectation: its class name in `great_expectations.expectations`, and its arguments.
Expectation = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    sample: list[Any]


class _Worker:
    """One spawned process that imports Great Expectations, then runs suites sent over a
    pipe (a pipe, not a multiprocessing pool: a pool ended mid-import leaks a semaphore)."""

    def __init__(self) -> None:
        # Spawned, not forked: the pipeline's process holds threads and open databases.
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs,), name="gx-worker")
        self._process.daemon = True
        self._process.start()
        theirs.close()
        self._lock = threading.Lock()
        self.pid = os.getpid()  # of the process that started it: a fork must not use it

    def usable(self) -> bool:
        return self.pid == os.getpid() and self._process.is_alive()

    def call(self, *arguments):
        with self._lock:
            try:
                self._connection.send(arguments)
                succeeded, value = self._connection.recv()
            except (EOFError, OSError) as error:
                raise RuntimeError(
                    f"the Great Expectations worker process ended (exit code "
                    f"{self._process.exitcode}); the next check starts a new one"
                ) from error
        if not succeeded:
            raise RuntimeError(f"Great Expectations failed in its worker: {value}")
        return value

    def stop(self) -> None:
        self._process.terminate()
        self._process.join()
        self._connection.close()


def _exit(*_) -> None:
    sys.exit(0)


def _serve(connection) -> None:
    """The worker's loop."""
    # Stopped mid-import, it exits as a Python process does, releasing the semaphores its
    # libraries made (the resource tracker warns of a leak otherwise).
    signal.signal(signal.SIGTERM, _exit)
    import great_expectations  # noqa: F401  the import is what starting early is for

    while True:
        try:
            arguments = connection.recv()
        except EOFError:  # the pipeline's process is gone
            return
        try:
            connection.send((True, _validate(*arguments)))
        except Exception:  # sent back as text: a GX exception may not pickle
            connection.send((False, traceback.format_exc()))


_worker_now: _Worker | None = None
_worker_lock = threading.Lock()


def _worker() -> _Worker:
    global _worker_now
    with _worker_lock:
        if _worker_now is None or not _worker_now.usable():
            _worker_now = _Worker()
            atexit.register(_worker_now.stop)
        return _worker_now


def start_worker() -> None:
    """Start the worker and its import now, so that both are done when a suite runs."""
    _worker()


def run_suite(
    frame: pd.DataFrame, name: str, expectations: list[Expectation]
) -> list[ExpectationOutcome]:
    return _worker().call(frame, name, expectations)


def _validate(
    frame: pd.DataFrame, name: str, expectations: list[Expectation]
) -> list[ExpectationOutcome]:
    """In the worker."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas(name)
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe(name)
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(
        name=name,
        expectations=[getattr(gx.expectations, kind)(**kwargs) for kind, kwargs in expectations],
    )
    result = batch.validate(suite)
    return [
        ExpectationOutcome(
            expectation=r.expectation_config.type,
            column=r.expectation_config.kwargs.get("column"),
            success=bool(r.success),
            unexpected_count=int(r.result.get("unexpected_count") or 0),
            sample=list(r.result.get("partial_unexpected_list") or [])[:5],
        )
        for r in result.results
    ]
