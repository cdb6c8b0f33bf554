"""Bill runs and invoices: what each billing account owes for each coverage month."""
