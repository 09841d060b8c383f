"""Where Tryton's database is, and the two ways to open it: SQLAlchemy for composing and
reflecting, ADBC for moving rows as Arrow. One URL, SQLite or PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url


class ErpDatabaseMissing(Exception):
    pass


@dataclass(frozen=True)
class TrytonDatabase:
    """`url` is a SQLAlchemy URL: `sqlite:///path/db.sqlite` or `postgresql+psycopg://…/db`."""

    url: str

    @property
    def backend(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def sqlite_path(self) -> Path:
        return Path(make_url(self.url).database or "")

    def require_exists(self) -> None:
        if self.backend == "sqlite" and not self.sqlite_path.exists():
            raise ErpDatabaseMissing(
                f"the ERP database {self.sqlite_path} does not exist. Run "
                "`integration-pipeline sandbox up` or set INTEGRATION_PIPELINE_ERP_DB_URL to "
                "the Tryton database's URL."
            )

    def engine(self) -> sa.Engine:
        self.require_exists()
        if self.backend == "sqlite":
            # Read-only: the pipeline never writes Tryton's tables behind its back.
            return sa.create_engine(f"sqlite:///file:{self.sqlite_path}?mode=ro&uri=true")
        return sa.create_engine(self.url)

    @contextmanager
    def arrow_connection(self) -> Iterator[Any]:
        """A DB-API connection of the ADBC driver for this backend (rows arrive as Arrow)."""
        self.require_exists()
        if self.backend == "sqlite":
            import adbc_driver_sqlite.dbapi as adbc_sqlite

            connection = adbc_sqlite.connect(f"file:{self.sqlite_path}?mode=ro")
        else:
            import adbc_driver_postgresql.dbapi as adbc_postgresql

            url = make_url(self.url).set(drivername="postgresql")
            connection = adbc_postgresql.connect(url.render_as_string(hide_password=False))
        try:
            yield connection
        finally:
            connection.close()
