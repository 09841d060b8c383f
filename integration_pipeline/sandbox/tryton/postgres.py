"""The few PostgreSQL server operations the sandbox needs (create, copy, rename, drop)."""

from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from integration_pipeline.sandbox.errors import SandboxError

READY_COMMENT = "integration-pipeline sandbox: ready"


class Server:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise SandboxError(
                f"{url!r} is not a PostgreSQL URL",
                "give one like postgresql://root@127.0.0.1:5432 (no database name)",
            )
        self.url = url
        self._admin_dsn = f"postgresql://{parts.netloc}/postgres"

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self._admin_dsn, autocommit=True, connect_timeout=5)
        except psycopg.Error as error:
            raise SandboxError(
                f"cannot reach PostgreSQL at {self.url}: {str(error).strip()}",
                "start the server, or correct the URL (postgresql://user@host:port); "
                "leave out --postgres-url to use the embedded SQLite default",
            ) from error

    def check(self) -> None:
        with self._connect():
            pass

    def exists(self, database: str) -> bool:
        with self._connect() as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            return row.fetchone() is not None

    def is_ready(self, database: str) -> bool:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                (database,),
            ).fetchone()
            return row is not None and row[0] == READY_COMMENT

    def create(self, database: str, template: str | None = None) -> None:
        query = sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE {}").format(
            sql.Identifier(database), sql.Identifier(template or "template0")
        )
        with self._connect() as conn:
            conn.execute(query)

    def drop(self, database: str) -> None:
        with self._connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )

    def rename(self, old: str, new: str) -> None:
        with self._connect() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(old), sql.Identifier(new)
                )
            )

    def mark_ready(self, database: str) -> None:
        with self._connect() as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(database), sql.Literal(READY_COMMENT)
                )
            )
