"""Infrastructure: settings, database engines and sessions, logging, encryption."""
