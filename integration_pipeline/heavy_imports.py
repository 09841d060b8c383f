"""Libraries the steps import when they first need them, imported ahead on a thread.

A run that executes all its steps in one process (`integration-pipeline demo`) starts this
first: the imports then overlap the extracts, which mostly wait for the CRM's rate limit,
instead of delaying the first step that needs each library. Measured on this machine kind
(seconds above `import pandas, duckdb`): Great Expectations 2.2, scikit-learn 0.7, Splink 0.1.
"""

import contextlib
import importlib
import threading

HEAVY_MODULES = (
    "great_expectations",  # the checks between stages
    "sklearn.linear_model",  # churn scores
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.metrics",
    "splink",  # golden customers
)


def import_in_background(modules: tuple[str, ...] = HEAVY_MODULES) -> threading.Thread:
    """A step that needs a module meanwhile waits for it, as Python imports do; should an
    import fail, the step's own import reports it."""

    def _import() -> None:
        for module in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(module)

    thread = threading.Thread(target=_import, name="heavy-imports", daemon=True)
    thread.start()
    return thread
