"""The provider's side: accounts, staff and admin tables, settings, API tokens, the IP pool."""
