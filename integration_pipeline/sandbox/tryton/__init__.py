"""The Tryton ERP of the sandbox: configuration, database build, business setup, server."""
