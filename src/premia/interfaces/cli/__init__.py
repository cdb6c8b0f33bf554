"""The `premia` command line, one module per area."""
