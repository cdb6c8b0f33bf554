"""The HTTP API under /api/v1: the same services the CLI and console use."""
