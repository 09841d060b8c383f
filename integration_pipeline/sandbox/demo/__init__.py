"""The deterministic demo-data generator and its writers."""
