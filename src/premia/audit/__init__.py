"""The audit log: one row for every read or change of member data, written in the same transaction."""
