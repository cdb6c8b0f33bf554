"""Premia: premium billing and member services for health insurance carriers."""

__version__ = "0.1.0"
