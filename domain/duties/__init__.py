"""The provider's duties (DOMAIN.md A9): the access gate, the footer checks, the resolve checks."""
