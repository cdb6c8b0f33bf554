"""Documents: notices rendered to HTML and PDF, and their delivery by email and on paper."""
