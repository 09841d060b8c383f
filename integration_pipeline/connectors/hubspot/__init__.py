"""The HubSpot v3 connector: a governed, retrying httpx client and incremental extraction."""
