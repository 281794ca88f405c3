"""Trợ lý CCHC: shared kernel (settings, domain errors, the `cchc` command)."""
