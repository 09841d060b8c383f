"""A HubSpot-compatible CRM server for the sandbox (a real HTTP server, durable state)."""
