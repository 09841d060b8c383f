"""Dagster assets: each box of the integration's lineage."""
