"""The provider's duties for the filings it holds (DOMAIN.md A9): footer and resolve checks, the gate."""
