"""Delinquency: binder payments, grace periods, termination for non-payment and reinstatement."""
