"""Connectors: how the pipeline talks to the CRM (HubSpot v3) and the ERP (Tryton)."""
