"""The integration warehouse (DuckDB): loading Arrow data and the SQL that stages it."""
