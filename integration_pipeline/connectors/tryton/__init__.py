"""The Tryton ERP connector: reads straight from its database (SQLAlchemy composes the queries,
ADBC moves the rows as Arrow), writes through its JSON-RPC API so its business rules run."""
