"""Is this the Tryton the connector knows? Checked once at start-up, reporting everything
missing at once (modules not activated, tables or columns absent) with what to do."""

import sqlalchemy as sa

from integration_pipeline.connectors.tryton.tables import (
    ERP_TABLES,
    REQUIRED_MODULES,
    required_columns,
)


class UnrecognisedErpSchema(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "the ERP database is not the Tryton 8.2 schema this connector reads:\n  - "
            + "\n  - ".join(problems)
            + "\nActivate the missing modules (trytond-admin -d <db> -u <module> "
            "--activate-dependencies) or point INTEGRATION_PIPELINE_ERP_DB_URL at a Tryton 8.2 "
            "database."
        )


def schema_problems(engine: sa.Engine) -> list[str]:
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names())
    if "ir_module" not in present:
        return ["no ir_module table: this is not a Tryton database"]
    with engine.connect() as connection:
        activated = set(
            connection.execute(
                sa.text("SELECT name FROM ir_module WHERE state = 'activated'")
            ).scalars()
        )
    problems = [f"module {m} is not activated" for m in REQUIRED_MODULES if m not in activated]
    for erp_table in ERP_TABLES:
        if erp_table.name not in present:
            problems.append(f"table {erp_table.name} is missing (module {erp_table.module})")
            continue
        columns = {c["name"] for c in inspector.get_columns(erp_table.name)}
        missing = [c for c in required_columns(erp_table) if c not in columns]
        if missing:
            problems.append(f"table {erp_table.name} lacks columns {', '.join(missing)}")
    return problems


def require_known_schema(engine: sa.Engine) -> None:
    if problems := schema_problems(engine):
        raise UnrecognisedErpSchema(problems)
