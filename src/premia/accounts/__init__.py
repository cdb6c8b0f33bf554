"""Policyholders, employer groups, billing accounts, billing preferences and ACH bank accounts."""
