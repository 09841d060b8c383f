"""Skip the work of a step whose inputs did not change: what makes a no-change run cheap.

Dagster's data versions carry it. Every extract reports a fingerprint of the table it holds
as its data version (the same rows: the same version, however many were re-read), and so do
the steps that write warehouse tables for theirs. Every asset has a code version (a hash of
this package's source and settings), so Dagster gives the others a logical data version (a
hash of the code version and the inputs' data versions), and it records, with each
materialization, which input versions it was made from.

A step whose last materialization was made today by the same code from the inputs' current
data versions would compute the same again: `reused` returns a materialization that stands
for it (the last one's metadata, its checks' verdicts carried over) and the step does no
work. Its data version comes out the same, so the steps after it skip as well. Today, because
some outputs follow the calendar (KPIs as of today, due dates): a day's first run recomputes.
"""

import functools
import hashlib
import inspect
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.definitions.data_version import (
    CODE_VERSION_TAG,
    DATA_VERSION_IS_USER_PROVIDED_TAG,
    DATA_VERSION_TAG,
    get_input_data_version_tag,
)
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecordStatus,
)
from dagster._record import copy

from integration_pipeline.warehouse.fingerprint import fingerprints

REUSED_FROM = "reused_from_run"
STEP_CONFIG = "step_config"


def _code_version() -> str:
    """The package's source and its INTEGRATION_PIPELINE_* settings (they change what the
    steps compute); secrets only ever enter the hash."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode())
        digest.update(source.read_bytes())
    for name in sorted(n for n in os.environ if n.startswith("INTEGRATION_PIPELINE_")):
        digest.update(f"{name}={os.environ[name]}".encode())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def with_code_version(assets: list[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    return [
        asset.map_asset_specs(lambda spec: spec.replace_attributes(code_version=CODE_VERSION))
        for asset in assets
    ]


def versioned_by_content(
    connection: duckdb.DuckDBPyConnection, table: str, *also: str
) -> dg.MaterializeResult:
    """A step's result: the rows of `table`, and its content (with `also`'s) as the data
    version, so that the steps after it skip when it comes out the same."""
    (rows,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    version = fingerprints(connection, table, *also)
    return dg.MaterializeResult(data_version=dg.DataVersion(version), metadata={"rows": rows})


def latest_data_version(instance: dg.DagsterInstance, key: dg.AssetKey) -> str | None:
    event = instance.get_latest_materialization_event(key)
    return event.asset_materialization.tags.get(DATA_VERSION_TAG) if event else None


def _last_evaluation(instance: dg.DagsterInstance, key: dg.AssetCheckKey):
    """The check's newest finished execution record (the current run's is only planned)."""
    history = instance.event_log_storage.get_asset_check_execution_history(
        key,
        limit=1,
        status={
            AssetCheckExecutionRecordStatus.SUCCEEDED,
            AssetCheckExecutionRecordStatus.FAILED,
        },
    )
    record = history[0] if history else None
    return record if record and record.event and record.event.asset_check_evaluation else None


def _carried_checks(
    instance: dg.DagsterInstance, check_keys, run_id: str
) -> list[dg.AssetCheckResult] | None:
    """The verdicts the asset's checks gave on the materialization reused, or None when one of
    them was not evaluated there."""
    carried = []
    for key in check_keys:
        record = _last_evaluation(instance, key)
        if record is None or record.run_id != run_id:
            return None
        evaluation = record.event.asset_check_evaluation
        carried.append(
            dg.AssetCheckResult(
                check_name=key.name,
                passed=evaluation.passed,
                severity=evaluation.severity,
                metadata=evaluation.metadata,
            )
        )
    return carried


def config_hash(op_config) -> str:
    """A step's run configuration (an as-of date, a threshold), hashed: a step run with other
    settings is not the same computation."""
    encoded = json.dumps(op_config, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def step_config(context: dg.AssetExecutionContext) -> str:
    return config_hash(context.op_execution_context.op_config)


def with_step_config(context: dg.AssetExecutionContext, output):
    """A freshly computed result, marked with the run config it was computed with."""
    if not isinstance(output, dg.MaterializeResult):
        return output
    return copy(output, metadata={**(output.metadata or {}), STEP_CONFIG: step_config(context)})


def standing(
    latest: dict, key: dg.AssetKey, parents: list[dg.AssetKey], config: str
) -> dg.EventLogEntry | None:
    """The last materialization of `key` when it stands for what a step would compute now:
    made today, by this code, with these settings (`config`, hashed), from its parents'
    current data versions. `latest`: the newest materialization event per key."""
    last = latest.get(key)
    if last is None:
        return None
    tags = last.asset_materialization.tags or {}
    made_on = datetime.fromtimestamp(last.timestamp, UTC).date()
    if tags.get(CODE_VERSION_TAG) != CODE_VERSION or made_on != datetime.now(UTC).date():
        return None
    for parent in parents:
        event = latest.get(parent)
        current = event.asset_materialization.tags.get(DATA_VERSION_TAG) if event else None
        if current is None or tags.get(get_input_data_version_tag(parent)) != current:
            return None
    made_with = last.asset_materialization.metadata.get(STEP_CONFIG)
    return last if getattr(made_with, "value", None) == config else None


def would_reuse(
    instance: dg.DagsterInstance,
    latest: dict,
    key: dg.AssetKey,
    parents: list[dg.AssetKey],
    check_keys,
    config: str,
) -> bool:
    """Whether a step of `key` run now would reuse its last result (see `reused`), asked
    before any run (orchestration/main_run.py)."""
    last = standing(latest, key, parents, config)
    return last is not None and _carried_checks(instance, check_keys, last.run_id) is not None


def reused(context: dg.AssetExecutionContext) -> dg.MaterializeResult | None:
    """A materialization standing for this step's when its inputs did not change, or None."""
    key = context.asset_key
    parents = list(context.assets_def.asset_deps[key])
    latest = context.instance.get_latest_materialization_events([key, *parents])  # one query
    last = standing(latest, key, parents, step_config(context))
    if last is None:
        return None
    checks = _carried_checks(context.instance, context.assets_def.check_keys, last.run_id)
    if checks is None:
        return None
    tags = last.asset_materialization.tags or {}
    metadata = dict(last.asset_materialization.metadata)
    made_by = metadata[REUSED_FROM].value if REUSED_FROM in metadata else last.run_id
    # Told by the materialization's `reused_from_run`, not by a log line: every log line is
    # one more event stored (~1 ms), and a quiet run reuses ~55 steps.

    # A version the step set itself (the outbox's state) is kept; a logical one comes out
    # the same by itself.
    user_set = tags.get(DATA_VERSION_IS_USER_PROVIDED_TAG) == "true"
    return dg.MaterializeResult(
        metadata={**metadata, REUSED_FROM: made_by},
        check_results=checks,
        data_version=dg.DataVersion(tags[DATA_VERSION_TAG]) if user_set else None,
    )


def _current(kind):
    try:
        return kind.get()
    except dg.DagsterInvariantViolationError:
        return None


def _outputs(result) -> Iterator:
    yield from result if inspect.isgenerator(result) else [result]


def reuse_when_unchanged(compute: Callable) -> Callable:
    """For an asset's compute function: skip it when `reused` finds its last result standing."""

    @functools.wraps(compute)  # Dagster reads the wrapped signature: resources, config
    def _compute(*args, **kwargs) -> Iterator:
        context = _current(dg.AssetExecutionContext)
        if context is None:  # called directly, as a plain function (a test)
            yield from _outputs(compute(*args, **kwargs))
            return
        standing = reused(context)
        if standing is not None:
            yield standing
            return
        for output in _outputs(compute(*args, **kwargs)):
            yield with_step_config(context, output or dg.MaterializeResult())

    return _compute


CHECKED_VERSION = "checked_data_version"
CHECKED_INPUT = "checked_input"  # quality/checked_input.py


def current_check_context() -> dg.AssetCheckExecutionContext | None:
    """The running check's context; None when its function is called directly (a test)."""
    return _current(dg.AssetCheckExecutionContext)


def carried_verdict(
    instance: dg.DagsterInstance, key: dg.AssetCheckKey, checked_input: str
) -> dg.AssetCheckResult | None:
    """The check's last verdict when it was given on the same input (the rows it reads, and
    the code): a check is a function of what it reads, so that verdict stands. Results made
    fresh record their input under CHECKED_INPUT."""
    record = _last_evaluation(instance, key)
    evaluation = record.event.asset_check_evaluation if record else None
    if evaluation is None:
        return None
    if getattr(evaluation.metadata.get(CHECKED_INPUT), "value", None) != checked_input:
        return None
    return dg.AssetCheckResult(
        check_name=key.name,
        passed=evaluation.passed,
        severity=evaluation.severity,
        metadata={REUSED_FROM: record.run_id, **evaluation.metadata},
    )


def reuse_check_when_unchanged(check: Callable[..., dg.AssetCheckResult]) -> Callable:
    """For an asset check's function: when the asset's data version is the one its last
    evaluation (today) checked, that verdict stands and the check does no work."""

    @functools.wraps(check)
    def _check(*args, **kwargs) -> dg.AssetCheckResult:
        context = _current(dg.AssetCheckExecutionContext)
        if context is None:  # called directly, as a plain function (a test)
            return check(*args, **kwargs)
        (spec,) = context.check_specs
        current = latest_data_version(context.instance, spec.asset_key)
        record = _last_evaluation(context.instance, spec.key)
        evaluation = record.event.asset_check_evaluation if record else None
        if (
            evaluation is not None
            and current is not None
            and getattr(evaluation.metadata.get(CHECKED_VERSION), "value", None) == current
            and datetime.fromtimestamp(record.create_timestamp, UTC).date()
            == datetime.now(UTC).date()
        ):
            return dg.AssetCheckResult(
                passed=evaluation.passed,
                severity=evaluation.severity,
                metadata={REUSED_FROM: record.run_id, **evaluation.metadata},
            )
        result = check(*args, **kwargs)
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=result.severity,
            description=result.description,
            metadata={**(result.metadata or {}), CHECKED_VERSION: current or "none"},
        )

    return _check
