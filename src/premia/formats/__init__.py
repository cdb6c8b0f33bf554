"""File formats Premia reads and writes, parsed to typed records with errors returned as data."""
