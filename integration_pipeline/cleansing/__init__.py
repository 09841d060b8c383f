"""Cleansing: pure functions that standardise and validate values before they move."""
