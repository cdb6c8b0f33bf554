"""The double-entry journal: every posted amount is one balanced entry; balances are sums over it."""
