"""Notice records: every letter, invoice and email Premia owes a payer, before it is rendered and sent."""
