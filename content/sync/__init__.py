"""Library sync: full reconciliation and incremental sync of the content mirror."""
