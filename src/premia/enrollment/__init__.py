"""Policies, their members and coverage spans, and the exchange's amounts for them."""
