"""Declarative automation of the analytics: a mart follows its inputs, and waits while a
blocking check upstream fails (evaluated by Dagster's own automation evaluator)."""

import dagster as dg

from integration_pipeline.definitions import defs

ID_MAP = dg.AssetKey(["core", "customer_id_map"])


def _analytics_requested_after(instance, cursor, passed: bool):
    """core/customer_id_map updated and its blocking check evaluated; what automation
    requests."""
    instance.report_runless_asset_event(dg.AssetMaterialization(ID_MAP))
    instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=ID_MAP,
            check_name="customer_id_map_complete",
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
        )
    )
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    requested = {key.to_user_string() for key in _analytics() if result.get_num_requested(key) > 0}
    return requested, result.cursor


def _analytics() -> set[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    return {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "analytics"}


def test_marts_follow_their_inputs_but_not_past_a_failed_blocking_check():
    instance = dg.DagsterInstance.ephemeral()
    for key in defs.resolve_asset_graph().get_all_asset_keys() - _analytics():
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor

    refused, cursor = _analytics_requested_after(instance, cursor, passed=False)
    assert refused == set()

    passed, cursor = _analytics_requested_after(instance, cursor, passed=True)
    assert passed == {
        "marts/churn_scores",
        "marts/customer_360",
        "marts/customer_search",
        "marts/kpis",
        "marts/demand_forecast",
        "marts/next_products",
        "planning/erp_stock_forecasts",
    }


def test_the_automation_sensor_runs_by_default():
    sensor = defs.resolve_sensor_def("analytics_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
