"""The provider's console: staff and applicant accounts, the IP pool, province rules, rule tables, registry import, settings, API tokens."""
