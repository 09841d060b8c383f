"""The main job as `integration-pipeline demo` runs it: the extracts first, then the rest only
when something is left to do.

A step whose inputs did not change reuses its last result (orchestration/reuse.py), but even
that costs Dagster a step: ~25 ms and ~10 stored events each, 1.7 s of a 6 s run at 10,000
customers when nothing changed. So the main job runs as two Dagster runs of the same job:
the extracts; then, asked before it starts, whether any step after them would compute rather
than reuse (new data landed, a result from another day, other code or settings, a check not
evaluated on it) or any outbox holds rows to send. If not, the second run is not started:
every result after the extracts already stands; if so, it runs those steps and the ones after
them (all of them when an outbox waits), and the others' results stand. Steps after an
extract that failed are left out of the second run, as Dagster leaves them out of one run.
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


def would_compute(
    instance: dg.DagsterInstance,
    job: dg.JobDefinition,
    asset_graph,
    keys: Iterable[dg.AssetKey],
    run_config: dict,
) -> list[dg.AssetKey]:
    """Those of `keys` whose steps, run now with `run_config`, would compute rather than reuse
    their last results, in key order."""
    resolved = ResolvedRunConfig.build(job, run_config)
    keys = sorted(keys, key=lambda k: k.to_user_string())
    definitions = {key: asset_graph.assets_def_for_key(key) for key in keys}
    parents = {key: list(definitions[key].asset_deps[key]) for key in keys}
    # One query for every result and input there is.
    latest = instance.get_latest_materialization_events(
        list({*keys, *(parent for these in parents.values() for parent in these)})
    )
    computing = []
    for key in keys:
        assets_def = definitions[key]
        op_config = resolved.ops.get(assets_def.op.name)
        config = config_hash(op_config.config if op_config else None)
        if not would_reuse(instance, latest, key, parents[key], assets_def.check_keys, config):
            computing.append(key)
    return computing


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
        selected, why = rest, f"outbox rows to send ({', '.join(waiting)})"
    elif computing := would_compute(instance, job, graph, rest, run_config):
        # Those and the steps after them: no other step's inputs can move in this run.
        selected = dg.AssetSelection.assets(*computing).downstream().resolve(graph) & rest
        why = (
            f"{computing[0].to_user_string()} and {len(computing) - 1} more compute (an input, "
            "the code or the settings changed, or the last result is not today's)"
        )
    else:
        return MainRun(
            [first],
            f"not run: nothing new since the last run, the {len(rest)} results after the "
            "extracts stand",
        )
    return MainRun([first, run(selected)], f"{len(selected)} of {len(rest)} ran: {why}")
