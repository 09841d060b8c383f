"""Runs a Great Expectations suite over a DataFrame in an ephemeral context.

Great Expectations costs seconds and hundreds of MB to import, so it is imported here,
inside the function, never when the code location loads.
"""

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    sample: list[Any]


def run_suite(frame: pd.DataFrame, name: str, expectations: list[Any]) -> list[ExpectationOutcome]:
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
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
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
