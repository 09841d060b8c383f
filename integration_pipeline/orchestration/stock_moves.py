"""ERP stock movements → the stock sync: a sensor reads the newest change of Tryton's stock
moves (a move created, received, shipped or cancelled) and starts the stock sync when it is
newer than its cursor, so the CRM's stock figures follow the warehouse within a minute.

It reads the ERP's database directly (one aggregate over stock_move per tick, no RPC login)
and keeps its cursor with Dagster's ticks: a daemon restart starts no run twice (the run key
is the change's position) and misses none."""

import dagster as dg
import sqlalchemy as sa

from integration_pipeline.resources import ErpDatabase

_NEWEST_CHANGE = sa.text("SELECT max(coalesce(write_date, create_date)), count(*) FROM stock_move")


def newest_stock_change(engine: sa.Engine) -> str | None:
    """The position of the newest stock-move change: its timestamp and the move count (a
    deleted draft move changes the count, not the timestamp)."""
    with engine.connect() as connection:
        newest, count = connection.execute(_NEWEST_CHANGE).one()
    return f"{newest}|{count}" if newest is not None else None


def stock_moves_sensor(job, interval_seconds: int = 30) -> dg.SensorDefinition:
    @dg.sensor(
        name="erp_stock_moves",
        job=job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Stock moved in the ERP (received, shipped, adjusted) starts the stock "
        "sync, so the CRM's on-hand and forecast figures follow.",
    )
    def _sensor(context: dg.SensorEvaluationContext, erp_db: ErpDatabase):
        try:
            engine = erp_db.engine()
            try:
                position = newest_stock_change(engine)
            finally:
                engine.dispose()
        except (sa.exc.SQLAlchemyError, dg.Failure) as error:  # the cursor stays
            return dg.SkipReason(
                f"the ERP database did not answer ({error}); "
                f"will retry from {context.cursor or 'the beginning'}"
            )
        if position is None or position == context.cursor:
            return dg.SkipReason("no stock movement since the last run")
        context.update_cursor(position)
        return dg.RunRequest(run_key=f"stock-moves-{position}", tags={"stock_change": position})

    return _sensor
