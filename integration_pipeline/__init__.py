"""CRM (HubSpot v3) <-> ERP (Tryton 8.2) integration as declarative Dagster assets."""

__version__ = "0.1.0"
