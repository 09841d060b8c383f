"""Libraries the steps import when they first need them, imported ahead on a thread.

A run that executes all its steps in one process (`integration-pipeline demo`) arms this;
the first extract that brings a change then starts the imports, which overlap the remaining
extracts (they mostly wait for the CRM's rate limit) instead of delaying the first step that
needs each library. A run in which nothing changed imports nothing: the import thread would
only compete with the run for the interpreter (a quiet 10,000-customer run took 1.3 s
longer with it). Measured on this machine kind (seconds above `import pandas, duckdb`):
Great Expectations 2.2, scikit-learn 0.7, Matplotlib 0.3, Splink 0.1.
"""

import contextlib
import importlib
import threading

HEAVY_MODULES = (
    # Not Great Expectations (1.9 s): a check whose input did not move keeps its verdict
    # without it (quality/checked_input.py), and after a rename or an amount changed none
    # runs; warming it up anyway took ~1.8 s of a 9.7 s run at 10,000 customers.
    "sklearn.linear_model",  # churn scores
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.metrics",
    "splink",  # golden customers
    # Not Matplotlib (0.3 s): the KPI plots are drawn again only when their figures move.
)

_armed = threading.Event()
_started = threading.Lock()
_thread: threading.Thread | None = None


def arm() -> None:
    """This process runs the whole job: `warm_up` may start the imports."""
    _armed.set()


def armed() -> bool:
    return _armed.is_set()


def warm_up(modules: tuple[str, ...] = HEAVY_MODULES) -> threading.Thread | None:
    """Start importing `modules` on a daemon thread, once, if armed. A step that needs one
    meanwhile waits for it, as Python imports do; should an import fail, the step's own
    import reports it."""
    global _thread
    if not armed():
        return None
    with _started:
        if _thread is None:

            def _import() -> None:
                for module in modules:
                    with contextlib.suppress(Exception):
                        importlib.import_module(module)

            _thread = threading.Thread(target=_import, name="heavy-imports", daemon=True)
            _thread.start()
    return _thread
