"""Importers: map parsed files to service calls and report what was applied or rejected."""
