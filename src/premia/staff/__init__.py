"""Staff users, roles, the permission table and login sessions."""
