"""Coverage over a policy's life: renewals, plan and member changes, cancellations, terminations, reinstatements."""
