"""The sandbox: a real Tryton ERP, (later) a HubSpot-compatible CRM, and the demo data."""
