"""Payments from every channel: posting, allocation, settlement, returns and reversals."""
