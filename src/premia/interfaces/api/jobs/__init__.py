"""Uploaded files imported in the background: the job resource, its files and the runner thread."""
