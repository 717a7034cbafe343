"""SQL reads of ``logic/``: callers check access first (through an action)."""
