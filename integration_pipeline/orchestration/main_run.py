"""The main job as `integration-pipeline demo` runs it: the extracts first, then the rest only
when something is left to do.

A step whose inputs did not change reuses its last result (orchestration/reuse.py), but even
that costs Dagster a step: ~25 ms and ~10 stored events each, 1.7 s of a 6 s run at 10,000
customers when nothing changed. So the main job runs as two Dagster runs of the same job:
the extracts; then, asked before it starts, whether any step after them would compute rather
than reuse (new data landed, a result from another day, other code or settings, a check not
evaluated on it) or any outbox holds rows to send. If not, the second run is not started:
every result after the extracts already stands. Steps after an extract that failed are left
out of the second run, as Dagster leaves them out of a single one.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dagster as dg
from dagster._core.system_config.objects import ResolvedRunConfig

from integration_pipeline.orchestration.reuse import config_hash, would_reuse

EXTRACT_GROUPS = ("erp_extract", "crm_extract")


@dataclass
class MainRun:
    results: list[dg.ExecuteInProcessResult]
    # Why the steps after the extracts ran, or why not.
    rest: str

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)


def first_to_compute(
    instance: dg.DagsterInstance,
    job: dg.JobDefinition,
    asset_graph,
    keys: Iterable[dg.AssetKey],
    run_config: dict,
) -> dg.AssetKey | None:
    """The first of `keys` whose step, run now with `run_config`, would compute rather than
    reuse its last result; None when every one would reuse."""
    resolved = ResolvedRunConfig.build(job, run_config)
    keys = sorted(keys, key=lambda k: k.to_user_string())
    definitions = {key: asset_graph.assets_def_for_key(key) for key in keys}
    parents = {key: list(definitions[key].asset_deps[key]) for key in keys}
    # One query for every result and input there is.
    latest = instance.get_latest_materialization_events(
        list({*keys, *(parent for these in parents.values() for parent in these)})
    )
    for key in keys:
        assets_def = definitions[key]
        op_config = resolved.ops.get(assets_def.op.name)
        config = config_hash(op_config.config if op_config else None)
        if not would_reuse(instance, latest, key, parents[key], assets_def.check_keys, config):
            return key
    return None


def run_main_job(
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    run_config: dict,
    entities_waiting: Callable[[], list[str]],
) -> MainRun:
    """`entities_waiting`: the syncs whose outbox holds rows to send (syncs/outbox.py)."""
    job = defs.resolve_job_def("main")
    graph = defs.resolve_asset_graph()
    in_job = set(job.asset_layer.selected_asset_keys)
    extracts = dg.AssetSelection.groups(*EXTRACT_GROUPS).resolve(graph) & in_job

    def run(keys: set[dg.AssetKey]) -> dg.ExecuteInProcessResult:
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config,
            asset_selection=sorted(keys, key=lambda k: k.to_user_string()),
        )

    first = run(extracts)
    landed = {e.asset_key for e in first.get_asset_materialization_events()}
    failed = extracts - landed
    rest = in_job - extracts
    if failed:
        rest -= dg.AssetSelection.assets(*failed).downstream().resolve(graph)
    if not rest:
        return MainRun([first], "nothing after the extracts can run: every step needs a failed one")
    if waiting := entities_waiting():
        why = f"outbox rows to send ({', '.join(waiting)})"
    elif (key := first_to_compute(instance, job, graph, rest, run_config)) is not None:
        why = (
            f"{key.to_user_string()} computes (an input, the code or the settings changed, or "
            "its last result is not today's)"
        )
    else:
        return MainRun(
            [first],
            f"not run: nothing new since the last run, the {len(rest)} results after the "
            "extracts stand",
        )
    return MainRun([first, run(rest)], f"ran: {why}")
