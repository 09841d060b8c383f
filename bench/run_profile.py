"""Where one run's time goes inside Dagster's storage: a command of the CLI (usually `demo`)
run in this process with the event log's, the run storage's and the data version cache's
methods, and the step reuse's, timed (calls and seconds, nested ones counted in their
callers too).

    .venv/bin/python -m bench.run_profile [--out FILE] demo --data-dir … --erp-port … …

py-spy's sampling slows a run by a third and spreads the cost over frames; these are the
wall seconds the methods took, in a run as it runs. Sandbox and Dagster instance are the
command's own (DAGSTER_HOME, INTEGRATION_PIPELINE_DATA as for the CLI).
"""

import argparse
import functools
import inspect
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from dagster._core.execution.context.data_version_cache import DataVersionCache
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sql_run_storage import SqlRunStorage

from integration_pipeline.orchestration import reuse

TIMED = {
    "event_log": SqlEventLogStorage,
    "sqlite_event_log": SqliteEventLogStorage,
    "run_storage": SqlRunStorage,
    "data_versions": DataVersionCache,
}
REUSE_FUNCTIONS = ["reused", "carried_verdict", "latest_data_version"]

calls: dict[str, list] = defaultdict(lambda: [0, 0.0])


def _timed(function, name: str):
    @functools.wraps(function)
    def _wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            entry = calls[name]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    return _wrapper


def instrument() -> None:
    for prefix, cls in TIMED.items():
        for name, member in list(vars(cls).items()):
            if inspect.isfunction(member) and not name.startswith("__"):
                setattr(cls, name, _timed(member, f"{prefix}.{name}"))
    # Looked up as module globals by the wrappers that call them: replaced there.
    for name in REUSE_FUNCTIONS:
        setattr(reuse, name, _timed(getattr(reuse, name), f"reuse.{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="also write the table as JSON here")
    parser.add_argument("--top", type=int, default=25)
    args, command = parser.parse_known_args()
    instrument()
    from integration_pipeline.cli import main as cli

    started = time.perf_counter()
    code = 1
    try:
        code = cli(command)
    finally:
        total = time.perf_counter() - started
        rows = sorted(calls.items(), key=lambda item: -item[1][1])
        print(f"{total:8.2f} s  the command ({' '.join(command[:1])})", file=sys.stderr)
        for name, (count, seconds) in rows[: args.top]:
            print(f"{seconds:8.3f} s {count:6d}  {name}", file=sys.stderr)
        if args.out:
            args.out.write_text(
                json.dumps(
                    {
                        "command": command,
                        "seconds": round(total, 3),
                        "methods": {n: {"calls": c, "seconds": round(s, 4)} for n, (c, s) in rows},
                    },
                    indent=2,
                )
                + "\n"
            )
    sys.exit(code)


if __name__ == "__main__":
    main()
