"""Search state per item, discovery of gaps and upgrades, acquisitions."""
