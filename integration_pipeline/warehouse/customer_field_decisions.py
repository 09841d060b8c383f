"""The two-way customer field sync's decisions as the warehouse stands: each linked pair's
values against the baseline (syncs/two_way.py). The comparison step records them and moves
the baseline on; the golden customers step takes from them the values both sides will hold."""

from dataclasses import dataclass

import duckdb

from integration_pipeline.cleansing.names import display_name
from integration_pipeline.syncs.two_way import Decisions, FieldState, decide
from integration_pipeline.warehouse.customer_fields_sql import (
    BASELINE,
    CREATE_TABLES,
    CUSTOMER_FIELDS,
    field_states_sql,
)

Baseline = dict[tuple[str, str, str], tuple[str | None, str | None]]


@dataclass(frozen=True)
class FieldComparison:
    pairs: int  # the linked pairs compared
    baseline: Baseline  # (CRM record, ERP record, field) -> (CRM value, ERP value) last sync
    decisions: Decisions


def compare_fields(connection: duckdb.DuckDBPyConnection) -> FieldComparison:
    connection.execute(CREATE_TABLES)
    pairs = connection.execute(field_states_sql()).df()
    baseline = {
        (crm, erp, field): (crm_value, erp_value)
        for crm, erp, field, crm_value, erp_value in connection.execute(
            f"SELECT crm_record, erp_record, field, crm_value, erp_value FROM {BASELINE}"
        ).fetchall()
    }
    states = [
        FieldState(
            pair=(row.crm_record, row.erp_record),
            field=field,
            crm=getattr(row, f"crm_{field}"),
            erp=getattr(row, f"erp_{field}"),
            baseline=baseline.get((row.crm_record, row.erp_record, field)),
        )
        for row in pairs.itertuples()
        for field in CUSTOMER_FIELDS
    ]
    owners = {field: owner for field, (_, _, owner) in CUSTOMER_FIELDS.items()}
    decisions = decide(states, owners, lambda a, b: display_name(a) == display_name(b))
    return FieldComparison(len(pairs), baseline, decisions)
