"""sdsf: the Dagster code location and the library it wires together."""
